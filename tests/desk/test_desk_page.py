"""Acceptance: the care desk in Debian's chromium, two browser contexts, one gateway.

A customer on web chat asks for a person → an agent signed in on /desk sees the ticket
within 2 s, claims it and replies → the customer sees the reply; the customer's next
message appears on the desk and the assistant does not answer it; resolve → the assistant
answers the next message. The gateway is the real app served by uvicorn; MongoDB and Redis
are real; Rasa is the web page tests' in-memory stub, which opens a real handoff ticket
(bot.handoff) when asked for a person, as action_handoff does. Screenshots of the desk go
to results/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import struct
import time
import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot import handoff, staff
from bot.clock import now_utc
from bot.runtime.procs import free_port
from channels.assistant import AssistantClient
from channels.desk.gate import DeskGate
from channels.notify_replies import NotifyingAssistant
from tests.channels.test_web_gateway import gateway_env
from tests.channels.test_web_page import CHROMIUM, Gateway, PageRasa

RESULTS = Path(__file__).resolve().parents[2] / "results"
PASSWORD = "desk page password 1234"

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


class HandoffRasa(PageRasa):
    """The page stub, plus: "talk to a person" opens a real ticket for the conversation."""

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/webhooks/gateway/webhook":
            body = json.loads(request.content)
            if body["message"] in ("talk to a person", "/human_handoff"):
                meta = body.get("metadata") or {}
                ticket = handoff.create_ticket(
                    self.db, "web", "customer asked for a person", body["message"],
                    customer_id=meta.get("customer_id"), conversation_id=body["sender"])
                self.received.append(body)
                text = (f"I've passed this to our care team. Your ticket is "
                        f"{ticket['ticket_id']}.")
                self.events.setdefault(body["sender"], []).extend([
                    {"event": "user", "text": body["message"], "metadata": meta},
                    {"event": "bot", "text": text, "data": {}}])
                return httpx.Response(200, json=[
                    {"recipient_id": body["sender"], "text": text},
                    {"recipient_id": body["sender"],
                     "custom": {"handoff": True, "ticket_id": ticket["ticket_id"]}}])
        return super().handle(request)


class DeskGatewayServer(Gateway):
    """The web page tests' uvicorn gateway, with the desk's gate in front of the stub."""

    def start(self) -> None:
        super().start()
        state = self.app.state
        state.assistant = DeskGate(NotifyingAssistant(
            AssistantClient(state.settings.rasa_url, state.http), state), state)


@pytest.fixture()
def gateway(monkeypatch: pytest.MonkeyPatch, settings, scratch_db) -> Iterator[Gateway]:
    gateway_env(monkeypatch, settings, scratch_db)
    scratch_db["orders"].insert_one({
        "_id": "ML44400001", "customer_id": "CUST00001", "status": "shipped",
        "total_inr": 248.0, "created_at": now_utc() - timedelta(days=2),
        "items": [{"sku": "MED0001", "brand": "Dolo 650", "quantity": 2}]})
    staff.add_staff(scratch_db, "asha@pharmacy.example", "agent", PASSWORD, name="Asha")
    server = DeskGatewayServer(HandoffRasa(scratch_db), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def contexts(browser):
    customer = browser.new_context(viewport={"width": 420, "height": 820})
    agent = browser.new_context(viewport={"width": 1360, "height": 860})
    yield customer.new_page(), agent.new_page()
    customer.close()
    agent.close()


def _png(width: int, height: int) -> bytes:
    """A real PNG (a ruled paper slip) made here, so the desk can show a preview."""
    rows = b"".join(b"\x00" + b"".join(
        bytes((30, 90, 160) if y % 20 == 0 or x < 4 else (250, 250, 245))
        for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _send(page, text: str) -> None:
    page.get_by_label("Type your message").fill(text)
    page.get_by_label("Type your message").press("Enter")


def test_customer_and_agent_in_two_browsers(gateway, contexts):
    customer, agent = contexts
    customer.set_default_timeout(15_000)
    agent.set_default_timeout(15_000)
    RESULTS.mkdir(exist_ok=True)
    fake = gateway.fake
    bot = customer.locator("#log .msg-bot .bubble")

    # The agent signs in first (the desk refuses anyone else with 401).
    response = agent.goto(gateway.url + "desk")
    assert response is not None and response.status == 401
    agent.get_by_label("E-mail").fill("asha@pharmacy.example")
    agent.get_by_label("Password").fill(PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent.locator("#me")).to_have_text("Asha (agent)")
    expect(agent.locator("#live")).to_have_text("Live")
    expect(agent.locator("#queue-empty")).to_be_visible()

    # The customer signs in as a demo customer and asks for a person.
    customer.goto(gateway.url)
    customer.get_by_role("button", name="Sign in as a demo customer").click()
    customer.get_by_role("dialog").get_by_role("button", name=re.compile("Priya Sharma")).click()
    expect(customer.locator("#who")).to_have_text("Signed in as Priya Sharma")
    _send(customer, "talk to a person")
    expect(bot.last).to_contain_text("passed this to our care team")
    asked = time.monotonic()

    # The desk shows it within 2 s: channel, reason, customer, a wait colour.
    ticket = agent.locator("#queue .ticket").first
    expect(ticket).to_contain_text("Priya Sharma", timeout=2_000)
    seen_after = time.monotonic() - asked
    assert seen_after <= 2.0
    expect(ticket).to_contain_text("web")
    expect(ticket).to_contain_text("customer asked for a person")
    expect(ticket).to_have_class(re.compile("wait-green"))
    agent.screenshot(path=str(RESULTS / "desk_queue.png"))

    # Claim: transcript from the tracker, customer panel with the order.
    ticket.get_by_role("button").click()
    expect(agent.locator("#transcript")).to_contain_text("talk to a person")
    expect(agent.locator("#customer")).to_contain_text("ML44400001")
    agent.get_by_role("button", name="Claim", exact=True).click()
    expect(agent.locator("#transcript")).to_contain_text("Asha joined the conversation.")
    expect(ticket).to_contain_text("with Asha")

    # A canned reply, then a typed one; the customer sees them in the chat.
    agent.locator("#canned").select_option(index=1)
    expect(agent.get_by_label("Reply to the customer")).to_have_value(
        re.compile("care team"))
    agent.get_by_label("Reply to the customer").fill("Hello Priya, I'm Asha from the pharmacy.")
    agent.get_by_role("button", name="Send", exact=True).click()
    expect(bot.last).to_have_text("Hello Priya, I'm Asha from the pharmacy.")

    # The customer's next message goes to the desk; the assistant does not answer it.
    turns = len(fake.received)
    bubbles = bot.count()
    _send(customer, "Is my order delayed?")
    expect(agent.locator("#transcript .from-customer").last).to_have_text(
        re.compile("Is my order delayed"))
    agent.screenshot(path=str(RESULTS / "desk_conversation.png"))
    time.sleep(1.0)
    assert len(fake.received) == turns
    expect(bot).to_have_count(bubbles)

    # A reload shows the whole conversation, the desk's part included, in order.
    customer.reload()
    expect(customer.locator("#log .msg .bubble")).to_have_text([
        "talk to a person", re.compile("passed this to our care team"),
        "Asha joined the conversation.", "Hello Priya, I'm Asha from the pharmacy.",
        "Is my order delayed?"])

    # Resolve: the customer is told the assistant is back, and it answers again.
    agent.get_by_role("button", name="Resolve", exact=True).click()
    expect(bot.last).to_contain_text("the assistant is back")
    expect(agent.locator("#queue-empty")).to_be_visible()
    agent.screenshot(path=str(RESULTS / "desk_resolved.png"))
    _send(customer, "where is my order")
    expect(bot.last).to_contain_text("Order of CUST00001")
    assert fake.received[-1]["message"] == "where is my order"
    customer.screenshot(path=str(RESULTS / "desk_customer_chat.png"))


def test_prescription_uploaded_in_web_chat_is_approved_on_the_desk(gateway, contexts, tmp_path):
    from bot import prescriptions
    from tests import factories

    customer, pharmacist = contexts
    customer.set_default_timeout(15_000)
    pharmacist.set_default_timeout(15_000)
    db = gateway.fake.db
    db.medicines.insert_one(factories.medicine("MED0003", "Telma 40", "Telmisartan", "40 mg",
                                               rx=True, mrp=224.0))
    staff.add_staff(db, "ravi@pharmacy.example", "pharmacist", PASSWORD, name="Ravi")
    photo = tmp_path / "prescription.png"
    photo.write_bytes(_png(240, 120))
    fake_photo = tmp_path / "scan.jpg"
    fake_photo.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)  # a Windows executable, renamed

    customer.goto(gateway.url)
    customer.get_by_role("button", name="Sign in as a demo customer").click()
    customer.get_by_role("dialog").get_by_role("button", name=re.compile("Priya Sharma")).click()
    expect(customer.locator("#who")).to_have_text("Signed in as Priya Sharma")
    _send(customer, "hi")  # the signed-in session is settled (its history rendered)
    expect(customer.locator("#log .msg-bot .bubble").last).to_contain_text("How can I help")
    customer.locator("#rx-file").set_input_files(str(fake_photo))
    expect(customer.locator("#log .note").last).to_contain_text("JPEG or PNG photo or a PDF")
    customer.locator("#rx-file").set_input_files(str(photo))
    expect(customer.locator("#log .note").last).to_contain_text("we have your prescription")
    [rx] = list(db.prescriptions.find({"customer_id": "CUST00001"}))

    pharmacist.goto(gateway.url + "desk")
    pharmacist.get_by_label("E-mail").fill("ravi@pharmacy.example")
    pharmacist.get_by_label("Password").fill(PASSWORD)
    pharmacist.get_by_role("button", name="Sign in").click()
    expect(pharmacist.locator("#me")).to_have_text("Ravi (pharmacist)")
    pharmacist.get_by_role("button", name="Prescriptions").click()
    item = pharmacist.locator(f'.rx[data-rx="{rx["_id"]}"]')
    expect(item).to_contain_text("CUST00001")
    expect(item.locator("img.rx-preview")).to_be_visible()
    width = item.locator("img.rx-preview").evaluate(
        "img => img.complete ? img.naturalWidth"
        " : new Promise(done => { img.onload = () => done(img.naturalWidth); })")
    assert width == 240
    item.get_by_label("Medicines (SKUs)").fill("MED0003")
    until = (now_utc() + timedelta(days=60)).date().isoformat()
    item.get_by_label("Valid until").fill(until)
    item.get_by_label("Doctor").fill("Dr. Rao")
    pharmacist.screenshot(path=str(RESULTS / "desk_prescriptions.png"))
    item.get_by_role("button", name="Approve").click()
    expect(item.locator(".rx-status")).to_have_text("Approved; the customer was told.")

    expect(customer.locator("#log .msg-bot .bubble").last).to_contain_text(
        f"prescription {rx['_id']} is approved for Telma 40")
    assert prescriptions.has_valid_prescription(db, "CUST00001", "MED0003")
    audit = db.audit_log.find_one({"action": "prescription.view"})
    assert audit and audit["customer_id"] == "CUST00001"


def test_agent_reads_earlier_conversations(gateway, contexts, settings, scratch_db):
    import threading

    from tests.unit.test_conversation_log import _conversation

    _, agent = contexts
    agent.set_default_timeout(15_000)
    writer = threading.Thread(target=_conversation, args=(  # Playwright's loop runs here
        settings, scratch_db, "sms-desk-earlier",
        [["is dolo in stock"], ["where is ML44400001"], ["agent please"]]))
    writer.start()
    writer.join(60)
    handoff.create_ticket(scratch_db, "sms", "customer asked for a person", "agent please",
                          customer_id="CUST00001", conversation_id="sms-desk-earlier")
    agent.goto(gateway.url + "desk")
    agent.get_by_label("E-mail").fill("asha@pharmacy.example")
    agent.get_by_label("Password").fill(PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    agent.locator("#queue .ticket").first.get_by_role("button").click()
    earlier = agent.get_by_role("button", name="Earlier conversations")
    earlier.click()
    expect(agent.locator("#transcript .entry").first).to_contain_text("where is ML44400001")
    earlier.click()
    expect(agent.locator("#transcript .entry").first).to_contain_text("is dolo in stock")
    expect(earlier).to_have_count(0)
    RESULTS.mkdir(exist_ok=True)
    agent.screenshot(path=str(RESULTS / "desk_earlier.png"))
