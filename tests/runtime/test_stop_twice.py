"""`make run` stops everything it started even when SIGTERM arrives twice.

GNU make forwards SIGTERM to its child, so ``kill -TERM -<pgid>`` of a ``make run`` process
group delivers the signal to the supervisor twice (and a second Ctrl-C does the same). This
starts a second, complete `make run` beside the test stack (its own ports and run directory,
the test stack's MongoDB and Redis), signals its process group twice while it is stopping, and
checks that every port it opened is free and every process it started is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot.runtime import procs
from tests.runtime.processes import wait_for

ROOT = Path(__file__).resolve().parents[2]


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _pids(run_dir: Path) -> list[int]:
    return [int(p.read_text().split()[0]) for p in run_dir.glob("*.pid") if p.read_text().strip()]


@pytest.mark.skipif(os.environ.get("ASSISTANT_STACK_UP") != "1", reason="needs `make test`")
def test_sigterm_twice_to_the_make_run_group_frees_every_port(tmp_path: Path) -> None:
    ports = {name: procs.free_port() for name in ("RASA_PORT", "ACTION_PORT", "GATEWAY_PORT")}
    run_dir = tmp_path / "run"
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "ASSISTANT_RUN_DIR": str(run_dir)}
    env.pop("MAKEFLAGS", None)
    log = (tmp_path / "make-run.log").open("w")
    make = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_for(lambda: _healthy(ports["GATEWAY_PORT"]) or make.poll() is not None, 900), \
            "make run did not come up"
        assert make.poll() is None, (tmp_path / "make-run.log").read_text()[-3000:]
        started = _pids(run_dir)
        assert len(started) >= 3, started  # action server, Rasa server, gateway

        os.killpg(make.pid, signal.SIGTERM)
        time.sleep(0.5)  # the supervisor is stopping its children now
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=120)

        busy = {name: port for name, port in ports.items() if procs.port_open("127.0.0.1", port)}
        assert not busy, f"still listening after two SIGTERMs: {busy}"
        survivors = [pid for pid in started if procs._pid_alive(pid)]
        assert not survivors, f"processes left running: {survivors}"
        assert "stopping" in (tmp_path / "make-run.log").read_text()
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        procs.stop_from_pidfiles(run_dir)
        log.close()
