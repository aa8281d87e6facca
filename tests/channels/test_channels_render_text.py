"""Tests for channels.render.text and the SNS certificate fetch helper."""

import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.render.text import clean_text, collect_buttons, strip_emoji, strip_markdown
from channels.security.sns import default_fetch


def test_strip_emoji_handles_sequences_and_keeps_indic_joiners():
    assert strip_emoji("Hi 👨‍👩‍👧 🇮🇳 1️⃣ ✅ done").split() == ["Hi", "1", "done"]
    hindi = "क्‍ष और ज़रूरी"  # contains a ZERO WIDTH JOINER used by Devanagari
    assert strip_emoji(hindi) == hindi


def test_strip_markdown():
    text = "**bold** __also__ *it* _em_ ~~old~~ `code`"
    assert strip_markdown(text) == "bold also it em old code"
    assert strip_markdown("snake_case_name and 2*3*4") == "snake_case_name and 2*3*4"
    assert strip_markdown("[Track](https://t.example/1)") == "Track (https://t.example/1)"
    assert strip_markdown("[Track](https://t.example/1)", keep_urls=False) == "Track"
    assert strip_markdown("## Title\n* one\n> quote") == "Title\n- one\nquote"


def test_clean_text_tidies_spacing():
    assert clean_text("Hello 😀 !\n\n\n  world  ") == "Hello!\nworld"
    assert clean_text(None) == ""


def test_collect_buttons():
    buttons = collect_buttons([
        {"text": "a", "buttons": [{"title": "**Yes** ✅", "payload": "/affirm"}]},
        {"buttons": [{"title": "", "payload": "/deny"}, {"title": "x"}, "junk"]},
        "junk",
    ])
    assert [(b.title, b.payload) for b in buttons] == [("Yes", "/affirm"), ("/deny", "/deny")]


@pytest.fixture()
def server():
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/redirect.pem":
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:1/evil.pem")
                self.end_headers()
                return
            body = b"-----BEGIN CERTIFICATE-----\n" if self.path == "/ok.pem" else b"x" * 70000
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_default_fetch_reads_refuses_redirects_and_caps_size(server):
    assert default_fetch(server + "/ok.pem").startswith(b"-----BEGIN")
    with pytest.raises(urllib.error.HTTPError):
        default_fetch(server + "/redirect.pem")
    with pytest.raises(ValueError):
        default_fetch(server + "/big.pem")
