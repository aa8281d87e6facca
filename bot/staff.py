"""Care-desk staff: accounts, argon2id password hashes, sign-in with lockout, sessions.

``staff`` holds one document per person (roles ``agent``, ``pharmacist``, ``admin``);
the password is kept only as an argon2id hash (argon2-cffi), never in clear, never logged.
``staff_sessions`` holds one document per signed-in browser: ``_id`` is the SHA-256 of
the session token (the token itself lives only in the browser's HttpOnly cookie), with
the CSRF token the page must echo on every state-changing request, an idle expiry
(:data:`IDLE_MINUTES`, renewed on use) and an absolute one (:data:`MAX_HOURS`).

Lockout: :data:`MAX_FAILURES` wrong passwords within :data:`FAILURE_WINDOW_MINUTES`
lock the account for :data:`LOCK_MINUTES`; while locked even the right password is
refused. An unknown e-mail costs the same hash check as a known one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot.clock import now_utc
from bot.db import store_call
from bot.errors import InvalidInput, NotAllowed

STAFF = "staff"
STAFF_SESSIONS = "staff_sessions"
ROLES = ("agent", "pharmacist", "admin")
MIN_PASSWORD = 12
MAX_PASSWORD = 256
MAX_FAILURES = 5
FAILURE_WINDOW_MINUTES = 15
LOCK_MINUTES = 15
IDLE_MINUTES = 30
MAX_HOURS = 10

_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_HASHER = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

INDEXES: dict[str, list[IndexModel]] = {
    STAFF: [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")],
    STAFF_SESSIONS: [
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_at_ttl"),
        IndexModel([("staff_id", ASCENDING)], name="staff"),
    ],
}


class SignInRefused(Exception):
    """Wrong e-mail or password (``reason="invalid"``) or a locked account (``"locked"``)."""

    def __init__(self, reason: str, retry_after: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class StaffSession:
    """A live staff session (what every desk route knows about its caller)."""

    session_id: str  # SHA-256 of the token: the document's _id
    staff_id: str
    email: str
    name: str
    role: str
    csrf: str
    expires_at: datetime

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, ())


# What each role may do on the desk.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "agent": ("tickets",),
    "pharmacist": ("tickets", "prescriptions"),
    "admin": ("tickets", "prescriptions", "audit"),
}


def ensure_indexes(db: Database) -> None:
    with store_call():
        for name, models in INDEXES.items():
            db[name].create_indexes(models)


def normal_email(email: Any) -> str:
    if not isinstance(email, str) or not _EMAIL_RE.match(email.strip()):
        raise InvalidInput("a valid e-mail address is needed", field="email")
    return email.strip().lower()


def _check_password(password: Any) -> str:
    if not isinstance(password, str) or not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise InvalidInput(f"the password needs {MIN_PASSWORD}-{MAX_PASSWORD} characters",
                           field="password")
    return password


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; the only form ever stored)."""
    return _HASHER.hash(_check_password(password))


def add_staff(db: Database, email: str, role: str, password: str, name: str | None = None,
              now: datetime | None = None) -> dict[str, Any]:
    """Create a staff account; raises InvalidInput (bad value) or NotAllowed (e-mail taken)."""
    address = normal_email(email)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    display = (name or address.split("@", 1)[0]).strip()[:80] or address
    doc = {
        "_id": "ST" + secrets.token_hex(6).upper(),
        "email": address,
        "name": display,
        "role": role,
        "password_hash": hash_password(password),
        "active": True,
        "failures": [],
        "locked_until": None,
        "created_at": now or now_utc(),
    }
    ensure_indexes(db)
    try:
        with store_call():
            db[STAFF].insert_one(doc)
    except DuplicateKeyError as exc:
        raise NotAllowed("a staff account with this e-mail exists already") from exc
    return {k: v for k, v in doc.items() if k != "password_hash"}


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _fail(db: Database, doc: dict[str, Any], moment: datetime) -> SignInRefused:
    since = moment - timedelta(minutes=FAILURE_WINDOW_MINUTES)
    recent = [t for t in doc.get("failures") or [] if _aware(t) >= since] + [moment]
    update: dict[str, Any] = {"failures": recent[-MAX_FAILURES:]}
    if len(recent) >= MAX_FAILURES:
        update["locked_until"] = moment + timedelta(minutes=LOCK_MINUTES)
        update["failures"] = []
    with store_call():
        db[STAFF].update_one({"_id": doc["_id"]}, {"$set": update})
    return SignInRefused("invalid")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def sign_in(db: Database, email: Any, password: Any,
            now: datetime | None = None) -> tuple[str, StaffSession]:
    """(session token, session) for the right e-mail and password; raises SignInRefused."""
    moment = now or now_utc()
    try:
        address = normal_email(email)
    except InvalidInput:
        address = None
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        password = None
    with store_call():
        doc = db[STAFF].find_one({"email": address}) if address else None
    if doc is None or not doc.get("active", True) or password is None:
        try:  # the same work as a real check: no timing hint that the account exists
            _HASHER.verify(_DUMMY_HASH, password or "x")
        except VerificationError:
            pass
        if doc is not None and doc.get("active", True):
            raise _fail(db, doc, moment)
        raise SignInRefused("invalid")
    locked = doc.get("locked_until")
    if locked is not None and _aware(locked) > moment:
        raise SignInRefused("locked", int((_aware(locked) - moment).total_seconds()) + 1)
    try:
        _HASHER.verify(doc["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise _fail(db, doc, moment) from None
    update: dict[str, Any] = {"failures": [], "locked_until": None, "last_sign_in_at": moment}
    if _HASHER.check_needs_rehash(doc["password_hash"]):
        update["password_hash"] = _HASHER.hash(password)
    with store_call():
        db[STAFF].update_one({"_id": doc["_id"]}, {"$set": update})
    return _new_session(db, doc, moment)


def _new_session(db: Database, doc: dict[str, Any], moment: datetime) -> tuple[str, StaffSession]:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    session = {
        "_id": token_id(token),
        "staff_id": doc["_id"],
        "csrf": csrf,
        "created_at": moment,
        "last_seen_at": moment,
        "absolute_expiry": moment + timedelta(hours=MAX_HOURS),
        "expires_at": moment + timedelta(minutes=IDLE_MINUTES),
    }
    with store_call():
        db[STAFF_SESSIONS].insert_one(session)
    return token, _session(session, doc)


def _session(session: dict[str, Any], staff: dict[str, Any]) -> StaffSession:
    return StaffSession(session_id=session["_id"], staff_id=staff["_id"],
                        email=staff["email"], name=staff.get("name") or staff["email"],
                        role=staff["role"], csrf=session["csrf"],
                        expires_at=_aware(session["expires_at"]))


def session_for(db: Database, token: Any, now: datetime | None = None) -> StaffSession | None:
    """The live session of ``token`` (its idle expiry renewed), or None."""
    if not isinstance(token, str) or not (20 <= len(token) <= 128):
        return None
    moment = now or now_utc()
    with store_call():
        session = db[STAFF_SESSIONS].find_one_and_update(
            {"_id": token_id(token), "expires_at": {"$gt": moment},
             "absolute_expiry": {"$gt": moment}},
            {"$set": {"last_seen_at": moment,
                      "expires_at": moment + timedelta(minutes=IDLE_MINUTES)}},
            return_document=ReturnDocument.AFTER)
        if session is None:
            return None
        staff = db[STAFF].find_one({"_id": session["staff_id"]}, {"password_hash": 0})
    if staff is None or not staff.get("active", True) or staff.get("role") not in ROLES:
        return None
    expiry = min(_aware(session["expires_at"]), _aware(session["absolute_expiry"]))
    return _session({**session, "expires_at": expiry}, staff)


def sign_out(db: Database, session_id: str) -> None:
    with store_call():
        db[STAFF_SESSIONS].delete_one({"_id": session_id})


def csrf_ok(session: StaffSession, header: Any) -> bool:
    """True if the request echoed the session's CSRF token (constant-time comparison)."""
    return isinstance(header, str) and hmac.compare_digest(header.encode(),
                                                           session.csrf.encode())


def staff_name(db: Database, staff_id: str) -> str:
    with store_call():
        doc = db[STAFF].find_one({"_id": staff_id}, {"name": 1})
    return str((doc or {}).get("name") or staff_id)
