"""A throw-away assistant stack for the benchmarks: fresh ports, its own database, seeded."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from bot.runtime import procs
from bot.runtime.stack import Stack


def healthy(url: str) -> bool:
    """True when the gateway at ``url`` answers its health check."""
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def start_stack(token: str, name: str, extra: dict[str, str] | None = None,
                run_dir: Path | None = None) -> Stack:
    """Start and seed a stack on free ports with ``token`` as the voice webhook token.

    ``name`` labels its data directory (``bench-<name>-*`` in the temp directory); ``extra``
    adds or overrides environment variables of every process; ``run_dir`` (default
    ``.run/bench``) holds its pidfiles, logs and secrets.
    """
    overrides = {
        "MONGODB_URI": f"mongodb://127.0.0.1:{procs.free_port()}",
        "MONGODB_DB": "pharmacy_bench",
        "RASA_PORT": str(procs.free_port()),
        "ACTION_PORT": str(procs.free_port()),
        "GATEWAY_PORT": str(procs.free_port()),
        "VOICE_WEBHOOK_TOKEN": token,
        **(extra or {}),
    }
    stack = Stack.from_environment(overrides, run_dir=run_dir or procs.RUN_DIR / "bench")
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    print("starting a stack for the bench (this can take a few minutes) ...", flush=True)
    try:
        stack.up(data_dir, reseed=True)
    except BaseException:
        stack.down()  # whatever started before the failure (a slow Rasa, a busy port)
        raise
    return stack
