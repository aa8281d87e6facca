"""A provider stand-in for the notification tests: scripted failures, recorded sends."""

from __future__ import annotations

import threading
from typing import Any

from bot.notify.providers import (
    AmbiguousSendError,
    PermanentSendError,
    TransientSendError,
)


class FakeProvider:
    """Records every accepted send; ``script`` is a list of failures to raise first."""

    def __init__(self, name: str = "sns", script: list[str] | None = None) -> None:
        self.name = name
        self.script = list(script or [])
        self.sent: list[tuple[str, str, str]] = []  # (phone, notification id, message id)
        self.calls = 0
        self.windows: list[bool] = []
        self._lock = threading.Lock()

    def send(self, phone: str, notification: dict[str, Any], in_window: bool = False) -> str:
        with self._lock:
            self.calls += 1
            self.windows.append(in_window)
            failure = self.script.pop(0) if self.script else None
            if failure == "transient":
                raise TransientSendError("fake:throttled")
            if failure == "permanent":
                raise PermanentSendError("fake:invalid_number")
            message_id = f"msg-{len(self.sent) + 1}"
            self.sent.append((phone, notification["_id"], message_id))
            if failure == "ambiguous":  # accepted, then the answer timed out
                raise AmbiguousSendError("fake:ReadTimeoutError")
            return message_id
