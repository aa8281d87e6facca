"""Several action servers: ports ACTION_PORT, ACTION_PORT+1, ...; each Rasa process is given
one of them in its own endpoints file (n mod M), and each answers only with the token."""

from __future__ import annotations

import functools

import yaml

from bot.bearer import bearer_header
from bot.runtime import procs
from bot.runtime.stack import PY, Stack, http_ok


def _stack(tmp_path, **env: str) -> Stack:
    return Stack.from_environment(env, run_dir=tmp_path)


def test_rasa_processes_share_out_the_action_servers(tmp_path):
    stack = _stack(tmp_path, ACTION_PORT="6100", ACTION_PROCESSES="2", RASA_PORT="7100",
                   RASA_PROCESSES="3")
    assert stack.action_ports == ["6100", "6101"]
    urls = []
    for n in range(3):
        path = stack.rasa_endpoints(n)
        assert path.stat().st_mode & 0o777 == 0o600  # it holds the action server token
        config = yaml.safe_load(path.read_text().split("\n", 1)[1])
        urls.append(config["action_endpoint"]["url"])
        assert config["action_endpoint"]["headers"]["Authorization"] == (
            "Bearer " + stack.env["ACTION_SERVER_TOKEN"])
    assert urls == ["http://127.0.0.1:6100/webhook", "http://127.0.0.1:6101/webhook",
                    "http://127.0.0.1:6100/webhook"]
    assert len({stack.rasa_endpoints(n) for n in range(3)}) == 3  # a file per process


def test_one_action_server_by_default_on_two_cores(tmp_path, monkeypatch):
    monkeypatch.delenv("ACTION_PROCESSES", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert len(_stack(tmp_path, ACTION_PORT="6200").action_ports) == 1
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert len(_stack(tmp_path, ACTION_PORT="6200").action_ports) == 2


def test_each_action_server_answers_on_its_own_port(tmp_path):
    first = procs.free_port()
    while procs.port_open("127.0.0.1", first + 1):
        first = procs.free_port()
    stack = _stack(tmp_path, ACTION_PORT=str(first), ACTION_PROCESSES="2")
    try:
        started = [stack._start(f"actions-{n}", [PY, "-m", "bot.runtime.action_server"],
                                env={"ACTION_PORT": port})
                   for n, port in enumerate(stack.action_ports)]
        for proc, port in zip(started, stack.action_ports, strict=True):
            procs.wait_until(functools.partial(
                http_ok, f"http://127.0.0.1:{port}/health",
                bearer_header(stack.env["ACTION_SERVER_TOKEN"])), 120, "action server", proc)
            assert not http_ok(f"http://127.0.0.1:{port}/health")  # no token, no answer
    finally:
        stack.down()
