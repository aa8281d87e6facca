"""A Rasa process killed with SIGKILL under load: every turn is answered, no event twice.

Starts a second Rasa process beside the test stack's (same model, tracker store and lock
store), sends concurrent conversations through the gateway's client to both, kills the
second one mid-run and checks that every turn got the assistant's answer (retried on the
surviving process) and that each turn's user message is stored exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from bot.runtime import procs, training
from channels.assistant import FALLBACK_MESSAGES, AssistantClient
from components.stores import stored_events
from tests.runtime.processes import rasa_has_model

ROOT = Path(__file__).resolve().parents[2]
TURNS = ["hello", "what can you do", "thank you", "hi again", "help", "thanks"]

pytestmark = pytest.mark.skipif(os.environ.get("ASSISTANT_STACK_UP") != "1",
                                reason="needs `make test`")


@pytest.fixture()
def second_rasa(tmp_path: Path):
    port = procs.free_port()
    log = (tmp_path / "rasa-2.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.rasa_server", "--port", str(port),
         "--model", str(training.MODEL_PATH),
         "--endpoints", str(procs.RUN_DIR / "test" / "endpoints.yml"),
         "--credentials", "credentials.yml"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900  # a model load on a busy machine
    while not rasa_has_model(url):
        assert proc.poll() is None, (tmp_path / "rasa-2.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "second Rasa process did not load its model"
        time.sleep(2)
    yield proc, url
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def test_sigkill_of_one_rasa_process_loses_and_doubles_nothing(second_rasa, stack_db):
    proc, second_url = second_rasa
    first_url = os.environ["RASA_URL"]

    async def run() -> tuple[dict[str, list[str]], list[list[dict]]]:
        async with httpx.AsyncClient() as http:
            client = AssistantClient([second_url, first_url], http,
                                     token=os.environ["RASA_CHANNEL_TOKEN"], timeout=120)
            senders = [f"failover-{uuid.uuid4().hex}" for _ in range(10)]
            on_second = [s for s in senders if client.route(s)[0] == second_url]
            assert len(on_second) >= 2, "both processes must get conversations"
            sent: dict[str, list[str]] = {s: [] for s in senders}
            answers: list[list[dict]] = []

            async def converse(sender: str) -> None:
                for text in TURNS:
                    turn_id = uuid.uuid4().hex
                    sent[sender].append(turn_id)
                    answers.append(await client.send(sender, text, {"turn_id": turn_id}))

            async def kill_soon() -> None:
                await asyncio.sleep(1.5)  # turns are in flight on both processes
                os.killpg(proc.pid, signal.SIGKILL)

            await asyncio.gather(kill_soon(), *(converse(s) for s in senders))
            return sent, answers

    sent, answers = asyncio.run(run())
    assert proc.wait(timeout=10) == -signal.SIGKILL
    total = sum(len(ids) for ids in sent.values())
    assert len(answers) == total == 60
    assert all(a and a != FALLBACK_MESSAGES for a in answers), "a turn was not answered"
    for sender, turn_ids in sent.items():
        stored = [e.get("metadata", {}).get("turn_id") for e in stored_events(stack_db, sender)
                  if e.get("event") == "user"]
        assert stored == turn_ids, f"{sender}: stored {stored}, sent {turn_ids}"
