"""A stop signal while `make run` waits for a store it started stops that store too.

`python -m bot.runtime run` starts SecantusDB / Redis when nothing answers at MONGODB_URI /
REDIS_URL and waits for them; SIGTERM during that wait must not leave the store running
(it has its own process group, so only the stop path can end it). The stores here are
stand-ins that listen on their port only after a few seconds: the signal deterministically
arrives while the run waits for one, and a store the run forgot would be listening when
the test looks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.runtime import procs
from tests.runtime.processes import wait_for

ROOT = Path(__file__).resolve().parents[2]
SLOW_START = 4.0  # seconds before the slow stand-in listens


def _stand_in(tmp_path: Path, name: str, delay: float) -> str:
    """An executable that takes a store's command line and listens on its --port."""
    script = tmp_path / f"fake-{name}"
    script.write_text(f"""#!{sys.executable}
import socket, sys, time
port = int(sys.argv[sys.argv.index("--port") + 1])
time.sleep({delay})
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()
while True:
    server.accept()[0].close()
""")
    script.chmod(0o755)
    return str(script)


def _pidfile_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@pytest.mark.parametrize("slow", ["mongodb", "redis"])
def test_sigterm_while_a_store_starts_stops_the_store(tmp_path: Path, slow: str) -> None:
    run_dir = tmp_path / "run"
    ports = {"mongodb": procs.free_port(), "redis": procs.free_port()}
    # Redis is started after MongoDB: for a slow Redis, MongoDB's stand-in answers at once.
    delays = {"mongodb": SLOW_START if slow == "mongodb" else 0.0, "redis": SLOW_START}
    env = {**os.environ, "ASSISTANT_RUN_DIR": str(run_dir),
           "MONGODB_URI": f"mongodb://127.0.0.1:{ports['mongodb']}",
           "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
           "SECANTUSD": _stand_in(tmp_path, "mongodb", delays["mongodb"]),
           "REDIS_SERVER": _stand_in(tmp_path, "redis", delays["redis"])}
    env.pop("MAKEFLAGS", None)
    log_path = tmp_path / "run.log"
    store_pids: dict[str, int] = {}
    with log_path.open("w") as log:
        runner = subprocess.Popen([sys.executable, "-m", "bot.runtime", "run"], cwd=ROOT,
                                  env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        assert wait_for(lambda: _pidfile_pid(run_dir / f"{slow}.pid") is not None
                        or runner.poll() is not None, 60, step=0.05), "no store was started"
        started = time.monotonic()
        assert runner.poll() is None, log_path.read_text()[-3000:]
        store_pids = {path.stem: pid for path in run_dir.glob("*.pid")
                      if (pid := _pidfile_pid(path)) is not None}
        assert set(store_pids) == ({"mongodb", "redis"} if slow == "redis" else {"mongodb"})
        assert not procs.port_open("127.0.0.1", ports[slow]), "the store answered already"

        runner.send_signal(signal.SIGTERM)  # the run is waiting for the slow store
        runner.wait(timeout=60)
        time.sleep(max(0.0, started + SLOW_START + 1 - time.monotonic()))

        survivors = {name: pid for name, pid in store_pids.items() if procs._pid_alive(pid)}
        assert not survivors, f"stores left running: {survivors}"
        busy = [port for port in ports.values() if procs.port_open("127.0.0.1", port)]
        assert not busy, f"still listening: {busy}"
        assert not list(run_dir.glob("*.pid"))
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
        for pid in store_pids.values():
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
