"""After the end-to-end conversations: no phone number or customer name in any service log.

Named to run after the other end-to-end tests, which talk to the stack as the seeded
demo customers over every channel.
"""

from __future__ import annotations

import re

from bot.runtime import procs
from bot.seed import DEMO_CUSTOMERS


def test_service_logs_hold_no_phone_numbers_or_names(stack_settings, stack_db):
    logs = sorted((procs.RUN_DIR / "test" / "logs").glob("*.log"))
    assert logs, "the test stack writes its logs under .run/test/logs"
    text = "\n".join(path.read_text(errors="replace") for path in logs)
    assert "/webhooks/" in text or "POST" in text  # the logs did record the traffic
    for _, first, last, phone, _, _ in DEMO_CUSTOMERS:
        national = phone[3:]
        assert phone not in text
        assert not re.search(rf"(?<!\d){national}(?!\d)", text), f"{phone[:3]}…{phone[-4:]} in logs"
        assert f"{first} {last}" not in text
