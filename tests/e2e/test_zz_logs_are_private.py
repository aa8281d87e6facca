"""After the end-to-end conversations: no phone number or customer name in any service log,
and every Python service (gateway, notification worker, action server, Rasa) writes
structured JSON lines through bot/logging_setup.py.

Named to run after the other end-to-end tests, which talk to the stack as the seeded
demo customers over every channel.
"""

from __future__ import annotations

import json
import re

from bot.runtime import procs
from bot.seed import DEMO_CUSTOMERS

_WARNING = re.compile(r"^\s|Warning: ")  # warnings.formatwarning: "file:n: XWarning: …"
SERVICES = {"gateway": "gateway", "notify-worker": "notify-worker", "actions": "actions",
            "rasa": "rasa"}


def _logs() -> dict[str, str]:
    logs = sorted((procs.RUN_DIR / "test" / "logs").glob("*.log"))
    assert logs, "the test stack writes its logs under .run/test/logs"
    return {path.stem: path.read_text(errors="replace") for path in logs}


def test_service_logs_hold_no_phone_numbers_or_names(stack_settings, stack_db):
    text = "\n".join(_logs().values())
    assert "/webhooks/" in text or "POST" in text  # the logs did record the traffic
    for _, first, last, phone, _, _ in DEMO_CUSTOMERS:
        national = phone[3:]
        assert phone not in text
        assert not re.search(rf"(?<!\d){national}(?!\d)", text), f"{phone[:3]}…{phone[-4:]} in logs"
        assert f"{first} {last}" not in text


def _json_lines(text: str) -> tuple[list[dict], list[str]]:
    entries, other = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            other.append(line)
            continue
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            other.append(line)
    return entries, other


def test_python_services_log_json_lines(stack_settings):
    logs = _logs()
    for name, service in SERVICES.items():
        assert name in logs, f"no {name}.log"
        # Log files are appended to run after run: read this run's part, from the first
        # line the running process (its pidfile) wrote.
        pid = int((procs.RUN_DIR / "test" / f"{name}.pid").read_text().strip())
        lines = logs[name].splitlines()
        starts = [i for i, line in enumerate(lines)
                  if line.startswith("{") and f'"pid": {pid},' in line]
        assert starts, f"{name}.log has no JSON line from the running process {pid}"
        entries, other = _json_lines("\n".join(lines[starts[0]:]))
        assert all({"ts", "level", "service", "pid", "logger", "msg"} <= set(e)
                   for e in entries)
        assert {e["service"] for e in entries} == {service}
        if name != "rasa":  # Rasa and TensorFlow print lines of their own
            # Only Python warnings raised while importing, before the setup ran, may be text.
            stray = [line for line in other if not _WARNING.search(line)]
            assert stray == [], (name, stray[:5])
    gateway_pid = int((procs.RUN_DIR / "test" / "gateway.pid").read_text().strip())
    gateway, _ = _json_lines(logs["gateway"])
    assert any(e["logger"] == "uvicorn.access" and e.get("pid") == gateway_pid
               for e in gateway)  # this run's requests are logged too
