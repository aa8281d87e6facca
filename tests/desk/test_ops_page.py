"""The ops page in Debian's chromium: last 24 hours of turns, for signed-in staff only.

Turns go through the real gateway (uvicorn) to the web page tests' Rasa stub, which sends
a turn summary with each reply as the Rasa gateway channel does; more turns are rolled up
directly for other channels. A staff member signs in on /desk/ops and sees the figures
drawn by Chart.js; a screenshot goes to results/ops.png.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot import staff, turn_stats
from bot.clock import now_utc
from bot.runtime.procs import free_port
from tests.channels.test_web_gateway import gateway_env
from tests.channels.test_web_page import CHROMIUM, CHROMIUM_ARGS, Gateway, PageRasa
from tests.desk.test_desk_page import DeskGatewayServer

RESULTS = Path(__file__).resolve().parents[2] / "results"
PASSWORD = "ops page password 1234"

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


class SummarisingRasa(PageRasa):
    """The page stub, plus the turn summary Rasa's gateway channel appends to each reply."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = super().handle(request)
        if request.method == "POST" and request.url.path == "/webhooks/gateway/webhook":
            body = json.loads(request.content)
            intent = "greet" if body["message"].startswith("hello") else "check_order_status"
            messages = json.loads(response.content) + [
                {"recipient_id": body["sender"],
                 "custom": {"turn": {"intent": intent, "confidence": 0.95,
                                     "outcome": "answered"}}}]
            return httpx.Response(200, json=messages)
        return response


class OpsGateway(DeskGatewayServer):
    def start(self) -> None:
        super().start()
        self.app.state.assistant.stats_db = self.app.state.db


@pytest.fixture()
def gateway(monkeypatch: pytest.MonkeyPatch, settings, scratch_db) -> Iterator[Gateway]:
    gateway_env(monkeypatch, settings, scratch_db)
    staff.add_staff(scratch_db, "meera@pharmacy.example", "admin", PASSWORD, name="Meera")
    now = now_utc()
    for hours_ago, channel, intent, outcome, ms, conv in [
            (3, "sms", "reorder_medicine", "answered", 420, "sms-1"),
            (3, "sms", "nlu_fallback", "fallback", 380, "sms-1"),
            (2, "whatsapp", "book_lab_test", "answered", 650, "wa-1"),
            (1, "voice", "human_handoff", "handoff", 900, "voice-1"),
            (1, "voice", "check_order_status", "answered", 700, "voice-2")]:
        turn_stats.record(scratch_db, channel=channel, intent=intent, outcome=outcome,
                          latency_ms=ms, conversation=conv, now=now - timedelta(hours=hours_ago))
    server = OpsGateway(SummarisingRasa(), free_port())
    server.start()
    yield server
    server.stop()


def test_staff_see_the_last_day_and_nobody_else_does(gateway, scratch_db):
    anonymous = httpx.get(gateway.url + "desk/api/ops")
    assert anonymous.status_code == 401
    redirect = httpx.get(gateway.url + "ops", follow_redirects=False)
    assert redirect.status_code == 307 and redirect.headers["location"] == "/desk/ops"

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            customer = browser.new_page()
            customer.goto(gateway.url)
            customer.get_by_role("button", name="Sign in as a demo customer").click()
            customer.get_by_role("dialog").get_by_role(
                "button", name=re.compile("Priya Sharma")).click()
            for text in ("hello", "where is my order"):
                customer.get_by_label("Type your message").fill(text)
                customer.keyboard.press("Enter")
                expect(customer.locator("#log .msg-bot .bubble").last).to_be_visible(
                    timeout=15_000)  # a busy CI machine
            # A customer's web session is not a staff session.
            assert customer.request.get(gateway.url + "desk/api/ops").status == 401

            staff_page = browser.new_page(viewport={"width": 1360, "height": 1000})
            response = staff_page.goto(gateway.url + "ops")
            assert response is not None and response.status == 401  # the sign-in form
            staff_page.get_by_label("E-mail").fill("meera@pharmacy.example")
            staff_page.get_by_label("Password").fill(PASSWORD)
            staff_page.get_by_role("button", name="Sign in").click()
            expect(staff_page.locator("body[data-loaded=true]")).to_have_count(1, timeout=10000)
            expect(staff_page.locator("#kpi-turns")).to_have_text("7")
            expect(staff_page.locator("#kpi-conversations")).to_have_text("5")
            expect(staff_page.locator("#kpi-containment")).to_have_text("80.0 %")
            expect(staff_page.locator("#kpi-fallback")).to_have_text("14.3 %")
            assert staff_page.locator("canvas").count() == 4
            RESULTS.mkdir(exist_ok=True)
            staff_page.screenshot(path=str(RESULTS / "ops.png"), full_page=True)
        finally:
            browser.close()
    web = turn_stats.last_day(scratch_db)["turns_per_channel"]["web"]
    assert sum(web) == 2  # the two turns typed in the browser, counted by the gateway
