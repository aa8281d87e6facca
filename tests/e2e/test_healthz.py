"""The gateway's health endpoint reports every component."""

from __future__ import annotations

import httpx


def test_healthz_reports_all_components_up(stack_settings):
    response = httpx.get(f"http://127.0.0.1:{stack_settings.gateway_port}/healthz", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["components"] == {
        "mongodb": True, "redis": True, "rasa": True, "action_server": True,
    }
