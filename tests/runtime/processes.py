"""Helpers of the runtime tests that start processes of their own: polling and readiness."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import httpx


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.5) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds have passed; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def rasa_has_model(url: str) -> bool:
    """The Rasa server at ``url`` answers and has loaded a model."""
    try:
        status = httpx.get(f"{url}/status", params={"token": os.environ["RASA_AUTH_TOKEN"]},
                           timeout=2)
        return status.status_code == 200 and bool(status.json().get("model_id"))
    except httpx.HTTPError:
        return False
