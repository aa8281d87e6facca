"""Prescriptions: WhatsApp media from the Graph stand-in, Twilio MMS, web uploads; content
checks; S3 storage with server-side encryption (moto); pharmacist review; the refused
reorder of a prescription-only medicine then goes through."""

from __future__ import annotations

import uuid
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from bot import prescriptions
from bot.catalogue import Catalogue
from bot.clock import now_utc, to_ist
from bot.errors import PrescriptionRequired
from bot.reorder import ItemRequest, place_reorder
from channels.web_session import issue_token
from tests import factories
from tests.channels.test_routes_common import post_twilio, twilio_params
from tests.desk.conftest import EXECUTABLE, JPEG, sign_in
from tests.desk.test_desk_channels import _whatsapp

PHONE1 = "+919800000001"  # factories.world's CUST1


@pytest.fixture()
def world(desk_gateway):
    db = desk_gateway.db
    db.customers.delete_many({})
    factories.world(db)
    factories.order(db, "ML10000001", "CUST1", "delivered", now_utc() - timedelta(days=20),
                    items=[{"sku": "MED0003", "brand": "Telma 40", "generic": "Telmisartan",
                            "strength": "40 mg", "quantity": 1, "unit_price_inr": 224.0}])
    return desk_gateway


def _whatsapp_from(client, phone: str, media: dict):
    import tests.desk.test_desk_channels as channels_test

    old = channels_test.PHONE
    channels_test.PHONE = phone
    try:
        return _whatsapp(client, media=media)
    finally:
        channels_test.PHONE = old


def test_whatsapp_prescription_approved_lets_the_refused_reorder_through(world, scratch_cache):
    dg = world
    db = dg.db
    catalogue = Catalogue(db, scratch_cache)
    with pytest.raises(PrescriptionRequired):  # the earlier, refused reorder
        place_reorder(db, catalogue, "CUST1", [ItemRequest("Telma 40", 1)])

    dg.graph.media["880001"] = JPEG
    before = len(dg.graph.sent)
    _whatsapp_from(dg.client, PHONE1, {"type": "image", "image": {
        "id": "880001", "mime_type": "image/jpeg", "sha256": "x"}})
    assert dg.graph.downloads == ["880001"]  # fetched at once, from the Graph stand-in
    told = dg.graph.sent[before]["text"]["body"]
    assert "prescription" in told.lower()
    [doc] = list(db.prescriptions.find({"customer_id": "CUST1"}))
    assert doc["status"] == "pending" and doc["file"]["content_type"] == "image/jpeg"
    assert dg.gw.app.state.prescription_store.get(doc["file"]["key"]) == JPEG
    assert doc["_id"] in told

    csrf = sign_in(dg.client, db, "pharmacist", "Ravi")
    pending = dg.client.get("/desk/api/prescriptions").json()["prescriptions"]
    assert [p["rx_id"] for p in pending] == [doc["_id"]]
    file = dg.client.get(f"/desk/api/prescriptions/{doc['_id']}/file")
    assert file.status_code == 200 and file.content == JPEG
    assert file.headers["content-type"] == "image/jpeg"
    assert "sandbox" in file.headers["content-security-policy"]
    until = (to_ist(now_utc()) + timedelta(days=90)).date().isoformat()
    approved = dg.client.post(f"/desk/api/prescriptions/{doc['_id']}/approve",
                              headers={"X-CSRF-Token": csrf},
                              json={"skus": ["MED0003"], "valid_until": until,
                                    "doctor_name": "Dr. Rao"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["delivery"]["state"] == "sent"
    assert "approved" in dg.graph.sent[-1]["text"]["body"]
    assert dg.graph.sent[-1]["to"] == PHONE1.lstrip("+")

    assert prescriptions.has_valid_prescription(db, "CUST1", "MED0003")
    assert prescriptions.has_valid_prescription(db, "CUST1", "MED0004")  # same salt
    order = place_reorder(db, catalogue, "CUST1", [ItemRequest("Telma 40", 1)])
    assert order["order_id"] and order["items"][0]["sku"] == "MED0003"
    audit = db.audit_log.find_one({"action": "prescription.approve"})
    assert audit["customer_id"] == "CUST1" and audit["subject"] == doc["_id"]


def test_renamed_executable_posing_as_a_jpeg_is_refused(world):
    dg = world
    dg.graph.media["880002"] = EXECUTABLE
    before = len(dg.graph.sent)
    _whatsapp_from(dg.client, PHONE1, {"type": "document", "document": {
        "id": "880002", "mime_type": "image/jpeg", "filename": "prescription.jpg"}})
    assert dg.graph.downloads == ["880002"]
    assert "JPEG" in dg.graph.sent[before]["text"]["body"]
    assert dg.db.prescriptions.count_documents({}) == 0


def test_pharmacist_rejects_with_a_reason_and_the_customer_is_told(world):
    dg = world
    dg.graph.media["880003"] = b"%PDF-1.7\n" + b"0" * 100
    _whatsapp_from(dg.client, PHONE1, {"type": "document", "document": {"id": "880003"}})
    rx = dg.db.prescriptions.find_one({})
    assert rx["file"]["content_type"] == "application/pdf"
    csrf = sign_in(dg.client, dg.db, "pharmacist")
    response = dg.client.post(f"/desk/api/prescriptions/{rx['_id']}/reject",
                              headers={"X-CSRF-Token": csrf}, json={"reason": "photo is blurred"})
    assert response.status_code == 200
    assert "photo is blurred" in dg.graph.sent[-1]["text"]["body"]
    assert not prescriptions.has_valid_prescription(dg.db, "CUST1", "MED0003")
    again = dg.client.post(f"/desk/api/prescriptions/{rx['_id']}/approve",
                           headers={"X-CSRF-Token": csrf},
                           json={"skus": ["MED0003"], "valid_until": (
                               to_ist(now_utc()) + timedelta(days=30)).date().isoformat()})
    assert again.status_code == 409


def test_twilio_mms_media_url_is_downloaded_and_stored(world):
    dg = world
    import httpx

    def twilio_media(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "api.twilio.test"
        assert request.headers["authorization"].startswith("Basic ")
        return httpx.Response(200, content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    rasa = dg.gw.app.state.http._transport.handler

    def route(request):
        return twilio_media(request) if request.url.host == "api.twilio.test" else rasa(request)

    dg.gw.app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(route))
    params = twilio_params("", sid="MM" + uuid.uuid4().hex, sender=PHONE1)
    params.update({"NumMedia": "1", "MediaContentType0": "image/png",
                   "MediaUrl0": "https://api.twilio.test/2010-04-01/Accounts/AC1/Messages/"
                                "MM1/Media/ME1"})
    response = post_twilio(dg.gw, params)
    assert response.status_code == 200 and "prescription" in response.text.lower()
    rx = dg.db.prescriptions.find_one({"customer_id": "CUST1"})
    assert rx["file"]["content_type"] == "image/png" and rx["channel"] == "sms"


def test_twilio_media_url_to_another_host_is_not_fetched(world):
    dg = world
    params = twilio_params("", sid="MM" + uuid.uuid4().hex, sender=PHONE1)
    params.update({"NumMedia": "1", "MediaUrl0": "http://169.254.169.254/latest/meta-data"})
    response = post_twilio(dg.gw, params)
    assert response.status_code == 200 and "JPEG" in response.text
    assert dg.db.prescriptions.count_documents({}) == 0
    assert not [r for r in dg.rasa.other if r.url.host == "169.254.169.254"]


def test_web_chat_upload_needs_a_session_and_is_checked_by_content(world):
    dg = world
    client = dg.client
    assert client.post("/web/prescriptions", content=JPEG).status_code == 401
    key = dg.gw.app.state.channels.session_signing_key
    token = issue_token(key, customer_id="CUST1")
    auth = {"Authorization": f"Bearer {token}"}
    refused = client.post("/web/prescriptions", content=EXECUTABLE,
                          headers={**auth, "Content-Type": "image/jpeg"})
    assert refused.status_code == 415
    big = client.post("/web/prescriptions", content=b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024),
                      headers=auth)
    assert big.status_code == 413
    ok = client.post("/web/prescriptions", content=JPEG, headers=auth)
    assert ok.status_code == 201 and ok.json()["status"] == "pending"
    rx = dg.db.prescriptions.find_one({"_id": ok.json()["rx_id"]})
    assert rx["customer_id"] == "CUST1" and rx["reply_to"]["channel"] == "web"


def test_sniffing_by_magic_bytes():
    assert prescriptions.sniff(JPEG) == "image/jpeg"
    assert prescriptions.sniff(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert prescriptions.sniff(b"%PDF-1.4 rest") == "application/pdf"
    for bad in (EXECUTABLE, b"MZ\x90\x00" + b"\x00" * 10, b"GIF89a", b"", b"<svg/>"):
        with pytest.raises(prescriptions.FileRefused):
            prescriptions.sniff(bad)
    with pytest.raises(prescriptions.FileRefused):
        prescriptions.sniff(b"%PDF-" + b"0" * prescriptions.MAX_BYTES)


@mock_aws
def test_s3_store_puts_with_server_side_encryption(scratch_db):
    client = boto3.client("s3", region_name="ap-south-1")
    client.create_bucket(Bucket="rx-bucket",
                         CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
    store = prescriptions.S3Store(client, "rx-bucket")
    doc = prescriptions.store_upload(scratch_db, store, JPEG, customer_id="CUST1",
                                     channel="web", source="web_upload")
    head = client.head_object(Bucket="rx-bucket", Key=doc["file"]["key"])
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "image/jpeg"
    assert store.get(doc["file"]["key"]) == JPEG
    assert "CUST1" not in doc["file"]["key"]


def test_make_store_uses_the_local_directory_without_a_bucket(monkeypatch, tmp_path):
    monkeypatch.delenv("S3_BUCKET", raising=False)
    monkeypatch.setenv("PRESCRIPTION_DIR", str(tmp_path / "rx"))
    store = prescriptions.make_store()
    assert isinstance(store, prescriptions.LocalStore)
    store.put("prescriptions/RXABC-1.jpg", JPEG, "image/jpeg")
    assert (tmp_path / "rx" / "RXABC-1.jpg").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("S3_BUCKET", "rx-bucket")
    assert isinstance(prescriptions.make_store(), prescriptions.S3Store)
