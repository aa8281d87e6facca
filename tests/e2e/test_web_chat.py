"""Acceptance: the web chat in Debian's chromium against the running stack (`make test`).

Sign in as demo customer CUST00001, ask where the order is and see its real
status, reload and continue the conversation, answer a quick reply the bot
offers, and sign out (the old token can't bring the conversation back). Leaves a
screenshot in tests/artifacts/web_chat.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import orders

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REPLY_TIMEOUT_MS = 45_000

pytestmark = [
    pytest.mark.skipif(os.environ.get("ASSISTANT_STACK_UP") != "1",
                       reason="needs the running stack: run `make test`"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make install)"),
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 860})
    page = context.new_page()
    page.set_default_timeout(REPLY_TIMEOUT_MS)
    expect.set_options(timeout=REPLY_TIMEOUT_MS)  # Rasa on two busy cores can be slow
    yield page
    expect.set_options(timeout=5_000)
    context.close()


@pytest.fixture()
def base_url(stack_settings) -> str:
    return f"http://127.0.0.1:{stack_settings.gateway_port}/"


def _send(page, text: str) -> None:
    box = page.get_by_label("Type your message")
    box.fill(text)
    box.press("Enter")


def _bot(page):
    return page.locator("#log .msg-bot .bubble")


def _user(page):
    return page.locator("#log .msg-user .bubble")


def _ask(page, text: str) -> None:
    """Send a message and wait until the assistant answered it."""
    before = _bot(page).count()
    _send(page, text)
    expect(_bot(page)).not_to_have_count(before)
    expect(page.locator("#typing")).to_be_hidden()


def _sign_in(page, base_url: str, name: str = "Priya Sharma") -> None:
    page.goto(base_url)
    expect(page.locator("#status-text")).to_have_text(re.compile("Online"))
    page.get_by_role("button", name="Sign in as a demo customer").click()
    page.get_by_role("dialog").get_by_role("button", name=re.compile(name)).click()
    expect(page.locator("#who")).to_have_text(f"Signed in as {name}")
    expect(page.locator("#status-text")).to_have_text(re.compile("Online"))


def test_signed_in_customer_sees_real_order_status_and_conversation_survives_reload(
    page, base_url, stack_db
):
    expected = orders.latest_order(stack_db, "CUST00001")
    _sign_in(page, base_url)

    _ask(page, "where is my order")
    answer = _bot(page).last
    expect(answer).to_contain_text(expected["order_id"])
    expect(answer).to_contain_text(expected["status_text"])

    _ask(page, "hi")
    messages_before = page.locator("#log .msg").count()

    page.reload()
    expect(page.locator("#who")).to_have_text("Signed in as Priya Sharma")
    expect(page.locator("#log .msg")).to_have_count(messages_before)
    expect(_user(page).first).to_have_text("where is my order")
    expect(page.locator("#log")).to_contain_text(expected["order_id"])

    # The conversation continues in the same thread (the help reply may offer quick replies).
    _ask(page, "help")
    expect(_user(page).last).to_have_text("help")
    assert page.locator("#log .msg").count() >= messages_before + 2
    expect(_user(page).first).to_have_text("where is my order")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_chat.png"))


def test_quick_reply_shows_its_title_and_gets_an_answer(page, base_url):
    _sign_in(page, base_url)
    quick_replies = page.get_by_role("group", name="Quick replies").get_by_role("button")
    for prompt in ("hi", "help"):
        _ask(page, prompt)
        if quick_replies.count():
            break
    else:
        pytest.skip("the bot offers no quick-reply buttons after 'hi' or 'help' yet")

    # The offered buttons survive a reload.
    titles = quick_replies.all_inner_texts()
    page.reload()
    expect(quick_replies).to_have_text(titles)

    replies_before = _bot(page).count()
    quick_replies.first.click()
    expect(_user(page).last).to_have_text(titles[0])
    expect(_bot(page)).not_to_have_count(replies_before)
    assert not _user(page).last.inner_text().startswith("/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_chat_quick_reply.png"))


def test_sign_out_ends_the_conversation_on_the_server(page, base_url, stack_db):
    expected = orders.latest_order(stack_db, "CUST00001")
    _sign_in(page, base_url)
    _ask(page, "where is my order")
    expect(_bot(page).last).to_contain_text(expected["order_id"])
    token = page.evaluate("localStorage.getItem('pharmacy-care-chat:token')")

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#who")).to_have_text("Guest")
    expect(page.locator("#log .msg")).to_have_count(0)

    # Someone who kept the old token (another tab, a copied value) gets nothing back.
    page.evaluate(f"localStorage.setItem('pharmacy-care-chat:token', '{token}')")
    page.reload()
    # The server refused the old token: the page was handed a new anonymous session.
    # (Whether the "signed out" note survives depends on reconnects under load; the
    # server's verdict itself is tested in tests/security/test_web_chat_attacks.py.)
    page.wait_for_function(
        "old => { const t = localStorage.getItem('pharmacy-care-chat:token');"
        " return t && t !== old; }", arg=token, timeout=45000)
    expect(page.locator("#who")).to_have_text("Guest")
    expect(page.locator("#log")).not_to_contain_text(expected["order_id"])
