"""Voice (Lex V2 code hook) latency through the running gateway, with an order lookup per turn.

Usage: $(make -s print-python) bench/voice_latency.py [--turns 200] [--url URL] [--start]

Each turn is a signed ``POST /webhooks/voice/lex`` ("where is my order") from one of the
seeded demo callers, so it goes gateway -> Rasa -> action server -> MongoDB and back as
SSML. In the same run, interleaved, it times a ``GET /healthz`` round trip as the
baseline and, when the Rasa URL is known (``RASA_URL``, or the stack it started), the
same question sent straight to Rasa's gateway channel (with ``RASA_CHANNEL_TOKEN``), so the
gateway's own share shows.
Prints median and p95 of each; the target is p95 < 300 ms for voice turns.

Which gateway: the one at ``--url`` (default ``http://127.0.0.1:$GATEWAY_PORT``) when it
answers ``/healthz`` and ``VOICE_WEBHOOK_TOKEN`` is set both here and for that gateway
(e.g. ``VOICE_WEBHOOK_TOKEN=... make run``). Otherwise, or with ``--start``, the bench
starts its own stack on free ports (stores, seed, model, action server, Rasa, gateway;
training first if the model is stale) and stops it at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.stack_env import healthy, start_stack  # noqa: E402
from bench.stats import percentile  # noqa: E402
from bot.seed import DEMO_CUSTOMERS  # noqa: E402

TARGET_P95_MS = 300.0
WARMUP_TURNS = 10


def lex_event(text: str, caller: str) -> dict:
    """A Lex V2 Lambda input event as the Amazon Connect + Lex code hook sends it."""
    return {
        "messageVersion": "1.0",
        "invocationSource": "FulfillmentCodeHook",
        "inputMode": "Speech",
        "responseContentType": "audio/pcm",
        "sessionId": str(uuid.uuid4()),
        "inputTranscript": text,
        "bot": {"id": "BENCHBOT01", "name": "PharmacyCareVoice", "localeId": "en_IN",
                "version": "1", "aliasId": "TSTALIASID", "aliasName": "live"},
        "interpretations": [{"intent": {"name": "FallbackIntent", "slots": {},
                                        "state": "ReadyForFulfillment",
                                        "confirmationState": "None"}}],
        "sessionState": {
            "sessionAttributes": {"caller_number": caller},
            "intent": {"name": "FallbackIntent", "slots": {}, "state": "ReadyForFulfillment",
                       "confirmationState": "None"},
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=200)
    default_url = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
    parser.add_argument("--url", default=default_url)
    parser.add_argument("--start", action="store_true", help="always start a stack of our own")
    args = parser.parse_args()

    token = os.environ.get("VOICE_WEBHOOK_TOKEN", "")
    stack = None
    url = args.url.rstrip("/")
    rasa_url = os.environ.get("RASA_URL")
    channel_token = os.environ.get("RASA_CHANNEL_TOKEN", "")
    if args.start or not token or not healthy(url):
        token = token if args.start and token else secrets.token_urlsafe(32)
        stack = start_stack(token, "voice")
        url = f"http://127.0.0.1:{stack.env['GATEWAY_PORT']}"
        rasa_url = stack.env["RASA_URL"]
        channel_token = stack.env["RASA_CHANNEL_TOKEN"]
    if not channel_token:
        rasa_url = None  # Rasa's gateway channel needs its token
    try:
        return run(url, token, args.turns, started=stack is not None, rasa_url=rasa_url,
                   channel_token=channel_token)
    finally:
        if stack is not None:
            stack.down()


def _speaks_order(response: httpx.Response) -> bool:
    if response.status_code != 200:
        return False
    ssml = "".join(m.get("content", "") for m in response.json().get("messages", []))
    return "M L, " in ssml  # an order id spelled out (channels.render.voice.spell_id)


def run(url: str, token: str, turns: int, started: bool, rasa_url: str | None = None,
        channel_token: str = "") -> int:
    callers = [c[3] for c in DEMO_CUSTOMERS]
    headers = {"Authorization": f"Bearer {token}"}
    voice, health, direct, failures = [], [], [], 0
    with httpx.Client(timeout=30) as client:
        for i in range(WARMUP_TURNS + turns):
            caller = callers[i % len(callers)]
            t0 = time.perf_counter()
            reply = client.get(url + "/healthz")
            t1 = time.perf_counter()
            response = client.post(url + "/webhooks/voice/lex", headers=headers,
                                   json=lex_event("where is my order", caller))
            t2 = time.perf_counter()
            if response.status_code == 403:
                print("error: the gateway refused the token; start it with the same "
                      "VOICE_WEBHOOK_TOKEN or pass --start", file=sys.stderr)
                return 2
            if rasa_url:
                t3 = time.perf_counter()
                client.post(f"{rasa_url}/webhooks/gateway/webhook", headers={
                    "Authorization": f"Bearer {channel_token}"}, json={
                    "sender": f"bench-direct-{i % len(callers)}", "message": "where is my order",
                    "metadata": {"channel": "voice", "customer_id": DEMO_CUSTOMERS[
                        i % len(callers)][0]}})
                direct.append((time.perf_counter() - t3) * 1000)
            ok = reply.status_code == 200 and _speaks_order(response)
            if i < WARMUP_TURNS:
                direct[-1:] = []
                continue
            failures += not ok
            health.append((t1 - t0) * 1000)
            voice.append((t2 - t1) * 1000)

    def line(name: str, values: list[float]) -> str:
        return (f"{name:<26} n={len(values):<4} median {statistics.median(values):7.1f} ms   "
                f"p95 {percentile(values, 95):7.1f} ms   max {max(values):7.1f} ms")

    print(f"\ngateway {url} ({'started by the bench' if started else 'already running'}), "
          f"{os.cpu_count()} CPU(s)")
    print(line("GET /healthz (baseline)", health))
    print(line("Lex voice turn + order", voice))
    if direct:
        print(line("same turn, Rasa channel direct", direct))
    p95 = percentile(voice, 95)
    verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {verdict}; turns without the order in the "
          f"reply: {failures}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
