"""Prescriptions customers send (photo or PDF): check, store, review by a pharmacist.

A file is accepted by its content, not its name or declared type: JPEG (``FF D8 FF``),
PNG (the 8-byte PNG signature) or PDF (``%PDF-``), at most :data:`MAX_BYTES`. It is
stored through boto3's S3 API in ``S3_BUCKET`` with server-side encryption
(``S3_SSE``: ``AES256`` by default, or ``aws:kms`` with ``S3_KMS_KEY_ID``), or, when no
bucket is configured, in a local directory (``PRESCRIPTION_DIR``, default
``.run/prescriptions``, files mode 0600). The key is random: nothing personal in it.

The ``prescriptions`` document starts ``pending`` (``verified: false``); a pharmacist
approves it with the medicines it covers and its validity (``verified: true``, ``skus``,
``salt_keys``, ``valid_until``: exactly what :mod:`bot.reorder` checks, so a refused
reorder of a prescription-only medicine then goes through) or rejects it with a reason.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from pydantic import Field
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.database import Database

from bot.clock import ist_midnight, now_utc
from bot.config import ROOT, EnvSettings
from bot.db import ensure_indexes_once, store_call
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.schema import MEDICINES, PRESCRIPTIONS

MAX_BYTES = 10 * 1024 * 1024
MAX_VALID_DAYS = 366
KINDS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
INDEXES = {PRESCRIPTIONS: [IndexModel([("status", ASCENDING), ("uploaded_at", ASCENDING)],
                                      name="status_uploaded")]}


class PrescriptionSettings(EnvSettings):
    """Where prescription files go (environment variables)."""

    s3_bucket: str = Field("", env="S3_BUCKET")
    s3_sse: str = Field("AES256", env="S3_SSE", regex="^(AES256|aws:kms)$")
    s3_kms_key_id: str = Field("", env="S3_KMS_KEY_ID")
    aws_region: str = Field("ap-south-1", env="AWS_REGION")
    local_dir: str = Field(str(ROOT / ".run" / "prescriptions"), env="PRESCRIPTION_DIR")


class FileRefused(InvalidInput):
    """Not a JPEG, PNG or PDF, empty, or larger than 10 MB."""

    code = "file_refused"


def sniff(data: bytes) -> str:
    """The content type of ``data`` by its magic bytes; FileRefused if not allowed."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise FileRefused("the file is empty")
    if len(data) > MAX_BYTES:
        raise FileRefused("the file is larger than 10 MB")
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    raise FileRefused("only JPEG, PNG or PDF files are accepted")


class FileStore(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


class LocalStore:
    """The embedded default: one file per prescription under a private directory."""

    name = "local"

    def __init__(self, directory: str | Path) -> None:
        self.root = Path(directory)

    def _path(self, key: str) -> Path:
        if not key or "/" in key.strip("/").replace("prescriptions/", "", 1) or ".." in key:
            raise InvalidInput("bad file key", field="key")
        return self.root / key.replace("prescriptions/", "", 1)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(key)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()


class S3Store:
    """S3 through boto3 (server-side encryption on every object)."""

    name = "s3"

    def __init__(self, client: Any, bucket: str, sse: str = "AES256", kms_key_id: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.sse = sse
        self.kms_key_id = kms_key_id

    def put(self, key: str, data: bytes, content_type: str) -> None:
        extra: dict[str, Any] = {"ServerSideEncryption": self.sse}
        if self.sse == "aws:kms" and self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data,
                               ContentType=content_type, **extra)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


def make_store(settings: PrescriptionSettings | None = None) -> FileStore:
    """S3 when ``S3_BUCKET`` is set, else the local directory."""
    settings = settings or PrescriptionSettings.load()
    if settings.s3_bucket:
        import boto3
        from botocore.config import Config

        client = boto3.client("s3", region_name=settings.aws_region, config=Config(
            connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3}))
        return S3Store(client, settings.s3_bucket, settings.s3_sse, settings.s3_kms_key_id)
    return LocalStore(settings.local_dir)


def ensure_indexes(db: Database) -> None:
    ensure_indexes_once(db, "prescriptions", INDEXES)


def _rx_id() -> str:
    return "RX" + secrets.token_hex(5).upper()


def store_upload(db: Database, store: FileStore, data: bytes, *, customer_id: str | None,
                 channel: str, source: str, reply_to: dict[str, Any] | None = None,
                 conversation_id: str | None = None, language: str | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """Check, store and record one upload as ``pending``; FileRefused for a bad file."""
    content_type = sniff(bytes(data))
    moment = now or now_utc()
    rx_id = _rx_id()
    key = f"prescriptions/{rx_id}-{secrets.token_hex(8)}.{KINDS[content_type]}"
    store.put(key, bytes(data), content_type)
    doc: dict[str, Any] = {
        "_id": rx_id, "customer_id": customer_id, "status": "pending", "verified": False,
        "skus": [], "salt_keys": [], "valid_until": None, "doctor_name": None,
        "issued_at": None, "channel": channel, "source": source,
        "file": {"store": store.name, "key": key, "content_type": content_type,
                 "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()},
        "reply_to": reply_to, "conversation_id": conversation_id, "language": language,
        "uploaded_at": moment,
    }
    ensure_indexes(db)
    with store_call():
        db[PRESCRIPTIONS].insert_one(doc)
    return doc


def get(db: Database, rx_id: Any) -> dict[str, Any]:
    if not isinstance(rx_id, str) or not rx_id.startswith("RX") or len(rx_id) > 24:
        raise NotFound("no such prescription")
    with store_call():
        doc = db[PRESCRIPTIONS].find_one({"_id": rx_id})
    if doc is None:
        raise NotFound("no such prescription")
    return doc


def pending(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    with store_call():
        return list(db[PRESCRIPTIONS].find({"status": "pending"})
                    .sort("uploaded_at", 1).limit(limit))


def _medicines(db: Database, skus: Any) -> list[dict[str, Any]]:
    if not isinstance(skus, list) or not skus or len(skus) > 20:
        raise InvalidInput("name 1-20 medicines the prescription covers", field="skus")
    wanted = []
    for sku in skus:
        if not isinstance(sku, str) or not sku.strip():
            raise InvalidInput("bad medicine", field="skus")
        wanted.append(sku.strip().upper())
    with store_call():
        found = {m["_id"]: m for m in db[MEDICINES].find({"_id": {"$in": wanted}},
                                                        {"brand": 1, "salt_key": 1})}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise InvalidInput(f"unknown medicine(s): {', '.join(missing)}", field="skus")
    return [found[s] for s in wanted]


def approve(db: Database, rx_id: str, *, staff_id: str, skus: Any, valid_until: Any,
            doctor_name: Any = None, now: datetime | None = None) -> dict[str, Any]:
    """Approve a pending prescription for ``skus`` until ``valid_until`` (ISO date, IST)."""
    moment = now or now_utc()
    meds = _medicines(db, skus)
    try:
        until_day = date.fromisoformat(str(valid_until))
    except ValueError as exc:
        raise InvalidInput("valid_until must be a date YYYY-MM-DD", field="valid_until") from exc
    until = ist_midnight(until_day) + timedelta(days=1) - timedelta(seconds=1)
    if until <= moment or until > moment + timedelta(days=MAX_VALID_DAYS):
        raise InvalidInput("valid_until must be within the next year", field="valid_until")
    doctor = doctor_name.strip()[:120] if isinstance(doctor_name, str) and doctor_name.strip() \
        else None
    with store_call():
        doc = db[PRESCRIPTIONS].find_one_and_update(
            {"_id": rx_id, "status": "pending"},
            {"$set": {"status": "approved", "verified": True,
                      "skus": [m["_id"] for m in meds],
                      "salt_keys": sorted({m["salt_key"] for m in meds if m.get("salt_key")}),
                      "valid_until": until, "doctor_name": doctor,
                      "reviewed_by": staff_id, "reviewed_at": moment}},
            return_document=ReturnDocument.AFTER)
    if doc is None:
        get(db, rx_id)
        raise NotAllowed("this prescription was reviewed already")
    doc["brands"] = [m["brand"] for m in meds]
    return doc


def reject(db: Database, rx_id: str, *, staff_id: str, reason: Any,
           now: datetime | None = None) -> dict[str, Any]:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("say why it is rejected", field="reason")
    moment = now or now_utc()
    with store_call():
        doc = db[PRESCRIPTIONS].find_one_and_update(
            {"_id": rx_id, "status": "pending"},
            {"$set": {"status": "rejected", "verified": False,
                      "reject_reason": " ".join(reason.split())[:300],
                      "reviewed_by": staff_id, "reviewed_at": moment}},
            return_document=ReturnDocument.AFTER)
    if doc is None:
        get(db, rx_id)
        raise NotAllowed("this prescription was reviewed already")
    return doc


def has_valid_prescription(db: Database, customer_id: str, sku: str,
                           now: datetime | None = None) -> bool:
    """True if an approved, unexpired prescription of the customer covers ``sku`` (or a
    medicine of the same salt and strength)."""
    moment = now or now_utc()
    with store_call():
        med = db[MEDICINES].find_one({"_id": sku}, {"salt_key": 1})
        query: dict[str, Any] = {"customer_id": customer_id, "verified": True,
                                 "valid_until": {"$gte": moment}}
        covers: list[dict[str, Any]] = [{"skus": sku}]
        if med and med.get("salt_key"):
            covers.append({"salt_keys": med["salt_key"]})
        query["$or"] = covers
        return db[PRESCRIPTIONS].find_one(query, {"_id": 1}) is not None


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """What the desk shows (no file key)."""
    def iso(value: Any) -> str | None:
        return value.isoformat() if isinstance(value, datetime) else None

    file = doc.get("file") or {}
    return {
        "rx_id": doc["_id"], "customer_id": doc.get("customer_id"),
        "status": doc.get("status") or ("approved" if doc.get("verified") else "pending"),
        "verified": bool(doc.get("verified")), "skus": doc.get("skus") or [],
        "valid_until": iso(doc.get("valid_until")), "doctor_name": doc.get("doctor_name"),
        "channel": doc.get("channel"), "content_type": file.get("content_type"),
        "bytes": file.get("bytes"), "uploaded_at": iso(doc.get("uploaded_at")),
        "reject_reason": doc.get("reject_reason"),
    }


def for_customer(db: Database, customer_id: str, limit: int = 10) -> list[dict[str, Any]]:
    with store_call():
        docs = list(db[PRESCRIPTIONS].find({"customer_id": customer_id})
                    .sort("_id", -1).limit(limit))
    return [public(d) for d in docs]
