"""`make run` starts a Rasa process killed with SIGKILL again, and the gateway routes around it.

Starts a second, complete `python -m bot.runtime run` beside the test stack (two Rasa
processes, its own ports and run directory, the test stack's MongoDB and Redis), SIGKILLs
its second Rasa process, sends a turn of a conversation that lives on that process (answered
by the other one meanwhile), waits for the supervisor to start it again and for the new
process to answer a turn itself, and stops the run.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from bot.runtime import procs
from channels.assistant import FALLBACK_MESSAGES, AssistantClient
from tests.runtime.processes import rasa_has_model, wait_for

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.environ.get("ASSISTANT_STACK_UP") != "1",
                                reason="needs `make test`")


def _turn(urls: list[str], sender: str) -> list[dict]:
    async def send() -> list[dict]:
        async with httpx.AsyncClient() as http:
            client = AssistantClient(urls, http, token=os.environ["RASA_CHANNEL_TOKEN"],
                                     timeout=60)
            return await client.send(sender, "hello", {})
    return asyncio.run(send())


@pytest.fixture()
def make_run(tmp_path: Path):
    rasa_port, action_port, gateway_port = procs.free_port(), procs.free_port(), procs.free_port()
    while procs.port_open("127.0.0.1", rasa_port + 1):
        rasa_port = procs.free_port()
    run_dir = tmp_path / "run"
    env = {**os.environ, "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port),
           "GATEWAY_PORT": str(gateway_port), "RASA_PROCESSES": "2",
           "ASSISTANT_RUN_DIR": str(run_dir)}
    log_path = tmp_path / "run.log"
    log = log_path.open("w")
    run = subprocess.Popen([sys.executable, "-m", "bot.runtime", "run"], cwd=ROOT, env=env,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    urls = [f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{rasa_port + 1}"]
    try:
        yield run, run_dir, urls, log_path
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGTERM)
            try:
                run.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
        procs.stop_from_pidfiles(run_dir)
        log.close()
        for port in (rasa_port, rasa_port + 1, action_port, gateway_port):
            assert not procs.port_open("127.0.0.1", port), f"port {port} still open"


def test_a_killed_rasa_process_is_started_again_and_answers(make_run) -> None:
    run, run_dir, urls, log_path = make_run
    assert wait_for(lambda: all(rasa_has_model(u) for u in urls) or run.poll() is not None, 900), \
        "make run did not come up"
    assert run.poll() is None, log_path.read_text()[-3000:]
    killed = int((run_dir / "rasa-2.pid").read_text())

    os.killpg(killed, signal.SIGKILL)
    assert wait_for(lambda: not procs._pid_alive(killed), 10)
    # Its conversations are answered by the other process while it is down.
    sender = next(s for s in (f"restart-{uuid.uuid4().hex}" for _ in range(100))
                  if AssistantClient(urls, None).route(s)[0] == urls[1])  # type: ignore[arg-type]
    answer = _turn(urls, sender)
    assert answer and answer != FALLBACK_MESSAGES

    assert wait_for(lambda: rasa_has_model(urls[1]) or run.poll() is not None, 900), \
        f"the killed Rasa process did not come back:\n{log_path.read_text()[-3000:]}"
    assert run.poll() is None
    restarted = int((run_dir / "rasa-2.pid").read_text())
    assert restarted != killed
    text = log_path.read_text()
    assert f"rasa-2 (pid {killed}) exited (signal SIGKILL); restarting in 1 s" in text
    assert f"rasa-2 restarted, pid {restarted}" in text
    answer = _turn(urls[1:], f"restart-{uuid.uuid4().hex}")  # the new process itself
    assert answer and answer != FALLBACK_MESSAGES
