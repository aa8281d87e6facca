"""The shared logging setup: JSON lines, phone numbers masked in message, arguments and
tracebacks; the gateway's uvicorn config file is the same setup."""

from __future__ import annotations

import json
import logging
import logging.config
from pathlib import Path

import pytest

from bot import logging_setup
from bot.logging_setup import JsonFormatter, mask_phones

PHONES = ["+919876543210", "919876543210", "9876543210", "+91 98765 43210", "98765-43210",
          "09876543210"]


@pytest.mark.parametrize("phone", PHONES)
def test_indian_mobiles_are_masked_in_every_spelling(phone):
    masked = mask_phones(f"reply to {phone} failed")
    assert "98765" not in masked and masked == "reply to +91******3210 failed"


def test_other_numbers_stay():
    text = "order ML26110001 at 1764136800, template 1107172000000000201, 3 parts, +91******3210"
    assert mask_phones(text) == text
    assert "4155550100" not in mask_phones("from +14155550100")


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("channels.routes", logging.WARNING, __file__, 1, msg, args,
                             exc_info)


def test_a_line_is_one_json_object_with_the_number_masked():
    try:
        raise ValueError("bad number +919876543210")
    except ValueError:
        import sys

        record = _record("whatsapp reply to %s failed", "919876543210", exc_info=sys.exc_info())
    line = JsonFormatter("gateway").format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["service"] == "gateway" and entry["level"] == "WARNING"
    assert entry["logger"] == "channels.routes"
    assert entry["msg"] == "whatsapp reply to +91******3210 failed"
    assert "ValueError" in entry["exc"] and "9876543210" not in line


def test_setup_sends_every_logger_through_the_json_handler(capsys):
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    own = logging.getLogger("test.own_handler")
    own_handler = logging.StreamHandler()
    own.addHandler(own_handler)
    try:
        logging_setup.setup("notify-worker")
        logging.getLogger("bot.notify.worker").info("sent to %s", "+919876543210")
        own_handler.stream = logging.getLogger().handlers[0].stream
        own.propagate = False
        own.warning("number 9876543210")
        lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x]
    finally:
        logging.captureWarnings(False)
        own.removeHandler(own_handler)
        root = logging.getLogger()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert [e["msg"] for e in lines] == ["sent to +91******3210", "number +91******3210"]
    assert {e["service"] for e in lines} == {"notify-worker"}


def test_gateway_log_config_file_is_the_shared_setup():
    path = Path(logging_setup.__file__).with_name("logging_gateway.json")
    assert json.loads(path.read_text()) == logging_setup.dict_config("gateway")
    formatter = logging.config.DictConfigurator(json.loads(path.read_text())).configure_formatter(
        json.loads(path.read_text())["formatters"]["json"])
    assert isinstance(formatter, JsonFormatter) and formatter.service == "gateway"


def test_credentials_in_logged_urls_are_never_written():
    import logging as std_logging

    formatter = logging_setup.JsonFormatter("gateway")
    record = std_logging.LogRecord(
        "httpx", std_logging.WARNING, __file__, 1,
        'HTTP Request: GET http://127.0.0.1:5005/status?token=%s "HTTP/1.1 200 OK"',
        ("s3cr3t-api-token-0123456789",), None)
    line = formatter.format(record)
    assert "s3cr3t" not in line and "token=***" in line
    # httpx logs every request URL at INFO: only its warnings reach the log.
    assert logging_setup.dict_config("gateway")["loggers"]["httpx"]["level"] == "WARNING"
