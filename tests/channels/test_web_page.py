"""The chat page in a real browser (Debian's chromium) against an in-process gateway.

Rasa is the in-memory stub of test_web_gateway, so this runs without the stack:
quick replies, typing indicator, reload, reconnect after the gateway restarts,
demo sign-in and server-side sign-out, "Verify with a code" (the SMS goes to a
recording SNS client) and safe rendering. MongoDB and Redis are real. Skipped when
chromium or Playwright is missing (`make install` installs both).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from bot.runtime.procs import free_port
from channels.assistant import AssistantClient
from channels.gateway import create_app
from channels.routes import web_otp
from channels.web_session import verify_token
from tests.channels.test_web_gateway import GREET_BUTTONS, SIGNING_KEY, FakeRasa, gateway_env
from tests.channels.test_web_otp_routes import RecordingSns

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


class Gateway:
    """The real gateway app served by uvicorn (wsproto) in a thread, Rasa stubbed."""

    def __init__(self, fake: FakeRasa, port: int) -> None:
        self.fake = fake
        self.port = port
        self.sns = RecordingSns()
        self.app = create_app()
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, ws="wsproto",
                                log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("gateway did not start")
            time.sleep(0.05)
        fake = self.fake

        async def handler(request: httpx.Request) -> httpx.Response:
            if fake.delay:
                await asyncio.sleep(fake.delay)
            return fake.handle(request)

        self.app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        self.app.state.assistant = AssistantClient(self.app.state.settings.rasa_url,
                                                   self.app.state.http)
        web_otp.otp_sender(self.app.state)._client = self.sns

    def stop(self) -> None:
        if self.server and self.thread:
            self.server.should_exit = True
            self.thread.join(15)
            self.server = self.thread = None


class PageRasa(FakeRasa):
    delay = 0.0

    def reply_to(self, message: str, metadata: dict) -> list[dict]:
        if message == "show markup":
            return [{"text": '<img src=x onerror="window.pwned=1"> **Paracetamol 500** '
                             "details: https://example.org/info."}]
        return super().reply_to(message, metadata)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def gateway(monkeypatch: pytest.MonkeyPatch, settings, scratch_db) -> Iterator[Gateway]:
    gateway_env(monkeypatch, settings, scratch_db)
    scratch_db["orders"].insert_one({"_id": "ML44400001", "customer_id": "CUST00001",
                                     "status": "shipped"})
    server = Gateway(PageRasa(), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def page(browser, gateway):
    context = browser.new_context(viewport={"width": 420, "height": 820})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _send(page, text: str) -> None:
    page.get_by_label("Type your message").fill(text)
    page.get_by_label("Type your message").press("Enter")


def _bot_bubbles(page):
    return page.locator("#log .msg-bot .bubble")


def test_quick_replies_typing_reload_and_reconnect(page, gateway):
    fake = gateway.fake
    page.goto(gateway.url)
    expect(page.locator("#status-text")).to_have_text(re.compile("Online"))
    expect(page.locator("#welcome")).to_be_visible()
    expect(page.get_by_role("log", name="Conversation")).to_have_attribute("aria-live", "polite")

    # Typing indicator while Rasa is slow, then the reply with its quick replies.
    fake.delay = 1.5
    _send(page, "hi")
    expect(page.locator("#typing")).to_be_visible()
    expect(_bot_bubbles(page).last).to_contain_text("How can I help?")
    expect(page.locator("#typing")).to_be_hidden()
    fake.delay = 0.0
    expect(page.locator("#welcome")).to_be_hidden()
    replies = page.get_by_role("group", name="Quick replies").get_by_role("button")
    expect(replies).to_have_text([b["title"] for b in GREET_BUTTONS])

    # Reload: the conversation and the open quick replies come back.
    page.reload()
    expect(page.locator("#log .msg-user .bubble")).to_have_text(["hi"])
    expect(_bot_bubbles(page)).to_have_count(1)
    expect(replies).to_have_count(2)

    # Clicking shows the title, sends the payload.
    page.get_by_role("button", name="Talk to a person").click()
    expect(page.locator("#log .msg-user .bubble").last).to_have_text("Talk to a person")
    expect(_bot_bubbles(page).last).to_have_text("Connecting you to our care team.")
    expect(replies).to_have_count(0)
    assert fake.received[-1]["message"] == "/human_handoff"
    assert "customer_id" not in fake.received[-1]["metadata"]
    expect(page.get_by_label("Type your message")).to_be_focused()

    # The gateway restarts: the page shows it, reconnects by itself and keeps the thread.
    gateway.stop()
    expect(page.locator("#banner")).to_be_visible()
    expect(page.locator("#status-text")).to_have_text(re.compile("Offline"))
    gateway.start()
    expect(page.locator("#banner")).to_be_hidden(timeout=30_000)
    expect(page.locator("#status-text")).to_have_text(re.compile("Online"))
    expect(page.locator("#log .msg .bubble")).to_have_text([
        "hi", re.compile("How can I help"), "Talk to a person", "Connecting you to our care team.",
    ])
    _send(page, "still there?")
    expect(_bot_bubbles(page).last).to_have_text("You said: still there?")
    assert len({body["sender"] for body in fake.received}) == 1


def test_demo_sign_in_and_out(page, gateway):
    page.goto(gateway.url)
    expect(page.locator("#who")).to_have_text("Guest")
    page.get_by_role("button", name="Sign in as a demo customer").click()
    dialog = page.get_by_role("dialog", name="Sign in as a demo customer")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=re.compile("Priya Sharma")).click()
    expect(page.locator("#who")).to_have_text("Signed in as Priya Sharma")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in as a demo customer")).to_be_hidden()
    _send(page, "where is my order")
    expect(_bot_bubbles(page).last).to_contain_text("Order of CUST00001")
    assert gateway.fake.received[-1]["metadata"]["customer_id"] == "CUST00001"

    page.reload()
    expect(page.locator("#who")).to_have_text("Signed in as Priya Sharma")
    expect(_bot_bubbles(page).last).to_contain_text("Order of CUST00001")

    signed_in_token = page.evaluate("localStorage.getItem('pharmacy-care-chat:token')")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#who")).to_have_text("Guest")
    expect(page.locator("#log .msg")).to_have_count(0)
    _send(page, "where is my order")
    expect(_bot_bubbles(page).last).to_contain_text("last 4 digits")
    assert "customer_id" not in gateway.fake.received[-1]["metadata"]
    # Signed out on the server too: the old token can't bring the conversation back.
    page.evaluate(f"localStorage.setItem('pharmacy-care-chat:token', '{signed_in_token}')")
    page.reload()
    expect(page.locator("#log")).to_contain_text("signed out")
    expect(page.locator("#who")).to_have_text("Guest")
    expect(page.locator("#log .msg")).to_have_count(0)


def test_verify_with_a_code(page, gateway):
    page.goto(gateway.url)
    expect(page.locator("#status-text")).to_have_text(re.compile("Online"))
    _send(page, "hi")
    expect(_bot_bubbles(page).last).to_contain_text("How can I help?")
    guest_token = page.evaluate("localStorage.getItem('pharmacy-care-chat:token')")

    page.get_by_role("button", name="Verify with a code").click()
    dialog = page.get_by_role("dialog", name="Verify with a code")
    dialog.get_by_label("Order number").fill("ML44400001")
    dialog.get_by_role("button", name="Send code").click()
    expect(dialog.locator("#otp-message")).to_contain_text("6-digit code")
    deadline = time.monotonic() + 10
    while not gateway.sns.published and time.monotonic() < deadline:
        time.sleep(0.05)
    code = re.search(r"\b(\d{6})\b", gateway.sns.published[-1]["Message"]).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    dialog.get_by_label("6-digit code").fill(wrong)
    dialog.get_by_role("button", name="Verify").click()
    expect(dialog.locator("#otp-message")).to_contain_text("2 more tries")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_chat_code_dialog.png"))
    dialog.get_by_label("6-digit code").fill(code)
    dialog.get_by_role("button", name="Verify").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#who")).to_have_text("Signed in as Priya Sharma")
    expect(page.get_by_role("button", name="Verify with a code")).to_be_hidden()
    # The same conversation goes on, now verified.
    expect(page.locator("#log .msg-user .bubble").first).to_have_text("hi")
    _send(page, "where is my order")
    expect(_bot_bubbles(page).last).to_contain_text("Order of CUST00001")
    token = page.evaluate("localStorage.getItem('pharmacy-care-chat:token')")
    session = verify_token(SIGNING_KEY, token)
    assert session.method == "otp"
    assert session.session_id == verify_token(SIGNING_KEY, guest_token).session_id
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_chat_verified.png"))


def test_bot_text_is_rendered_safely(page, gateway):
    page.goto(gateway.url)
    _send(page, "show markup")
    bubble = _bot_bubbles(page).last
    expect(bubble).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(bubble.locator("img")).to_have_count(0)
    expect(bubble.locator("strong")).to_have_text("Paracetamol 500")
    expect(bubble.get_by_role("link")).to_have_attribute("href", "https://example.org/info")
    assert page.evaluate("window.pwned") is None
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_chat_stub.png"))


def test_earlier_conversations_are_shown_on_demand(page, gateway, settings, scratch_db):
    from tests.channels.test_web_gateway import _sender
    from tests.unit.test_conversation_log import _conversation

    page.goto(gateway.url)
    expect(page.locator("#status-text")).to_have_text(re.compile("Online"))
    expect(page.get_by_role("button", name="Show earlier messages")).to_have_count(0)
    token = page.evaluate("window.localStorage.getItem('pharmacy-care-chat:token')")
    writer = threading.Thread(target=_conversation, args=(  # Playwright's loop is running here
        settings, scratch_db, _sender(token),
        [["monday question"], ["tuesday question"], ["today"]]))
    writer.start()
    writer.join(60)
    page.reload()
    earlier = page.get_by_role("button", name="Show earlier messages")
    earlier.click()
    expect(page.locator("#log .msg-user .bubble").first).to_have_text("tuesday question")
    expect(page.locator("#log .note").first).to_have_text("Earlier conversation")
    earlier.click()
    expect(page.locator("#log .msg-user .bubble").first).to_have_text("monday question")
    expect(earlier).to_have_count(0)  # nothing older
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_earlier.png"))
