"""Action-server calls over a kept-alive session answer exactly as Rasa's own request does."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from components import action_endpoint, rasa_speedups

rasa_speedups.install()

DOMAIN = {"slots": {"order_id": {"type": "text"}}, "responses": {"utter_hi": [{"text": "Hi"}]}}


def test_encoded_payload_decodes_to_the_payload() -> None:
    for payload in ({"next_action": "action_order_status", "tracker": {"events": [1, "x"]},
                     "domain": DOMAIN, "version": "3.6.21"},
                    {"domain": DOMAIN}, {"no": "domain"}, [1, 2], {"domain": None}):
        assert json.loads(action_endpoint.encode(payload)) == payload


def test_a_domain_is_encoded_once_per_domain_object(monkeypatch) -> None:
    encoded: list[Any] = []
    real = json.dumps
    monkeypatch.setattr(action_endpoint.json, "dumps",
                        lambda value, *a, **k: encoded.append(value) or real(value, *a, **k))
    domain = dict(DOMAIN)
    for n in range(3):
        assert json.loads(action_endpoint.encode({"n": n, "domain": domain}))["n"] == n
    assert sum(1 for value in encoded if value is domain) == 1
    changed = {**DOMAIN, "slots": {}}
    assert json.loads(action_endpoint.encode({"domain": changed}))["domain"] == changed


async def _serve(handler: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/webhook"


def _calls(request_fn: Any, n: int = 3, status: int = 200,
           body: str = '{"events": []}') -> tuple[list[Any], list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append({"peer": request.transport.get_extra_info("peername"),
                     "json": await request.json(), "query": dict(request.query),
                     "auth": request.headers.get("Authorization"),
                     "type": request.headers.get("Content-Type")})
        return web.Response(status=status, text=body,
                            content_type="application/json" if body.startswith("{")
                            else "text/plain")

    async def run() -> list[Any]:
        runner, url = await _serve(handler)
        endpoint = EndpointConfig(url, headers={"Authorization": "Bearer s3cret"},
                                  token="t0ken")
        try:
            results = []
            for call in range(n):
                try:
                    results.append(await request_fn(
                        endpoint, json={"n": call, "domain": DOMAIN}, method="post",
                        timeout=30))
                except ClientResponseError as exc:
                    results.append(("error", exc.status))
            return results
        finally:
            for _loop, session in endpoint.__dict__.get("_pharmacy_sessions", {}).values():
                await session.close()
            await runner.cleanup()

    return asyncio.run(run()), seen


def test_requests_reuse_one_connection_where_rasa_opened_one_each() -> None:
    ours, ours_seen = _calls(action_endpoint.request)
    stock, stock_seen = _calls(action_endpoint.original_request())
    assert ours == stock == [{"events": []}] * 3
    assert len({s["peer"] for s in ours_seen}) == 1
    assert len({s["peer"] for s in stock_seen}) == 3
    strip = [{k: v for k, v in s.items() if k != "peer"} for s in ours_seen]
    assert strip == [{k: v for k, v in s.items() if k != "peer"} for s in stock_seen]
    assert strip[0] == {"json": {"n": 0, "domain": DOMAIN}, "query": {"token": "t0ken"},
                        "auth": "Bearer s3cret", "type": "application/json"}


@pytest.mark.parametrize(("status", "body"), [(500, '{"error": "boom"}'), (200, "plain text"),
                                              (404, "missing")])
def test_errors_and_non_json_answers_are_rasas(status: int, body: str) -> None:
    ours, _ = _calls(action_endpoint.request, n=1, status=status, body=body)
    stock, _ = _calls(action_endpoint.original_request(), n=1, status=status, body=body)
    assert ours == stock


def test_installed_for_rasa() -> None:
    assert EndpointConfig.request is action_endpoint.request
