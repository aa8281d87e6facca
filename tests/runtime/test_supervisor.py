"""`make run`'s supervisor: a service that exits is started again with backoff, logged; one
that keeps failing makes it give up (bot/runtime/supervisor.py). Real child processes, a
hand-moved clock."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.runtime import procs
from bot.runtime.supervisor import RestartPolicy, Supervisor, describe_exit

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"]
FAILER = [sys.executable, "-c", "raise SystemExit(3)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def started(tmp_path: Path):
    services: list[procs.Managed] = []
    yield services, tmp_path
    for proc in services:
        proc.stop(timeout=2)


def _wait_exit(proc: procs.Managed) -> None:
    proc.popen.wait(timeout=10)


def _wait_log(proc: procs.Managed, ups: int) -> int:
    deadline = time.monotonic() + 30
    while proc.log_path.read_text().count("up") < ups and time.monotonic() < deadline:
        time.sleep(0.1)
    return proc.log_path.read_text().count("up")


def test_a_killed_service_is_started_again_after_the_first_delay(started) -> None:
    services, run_dir = started
    services.append(procs.start("rasa-2", SLEEPER, run_dir=run_dir))
    clock, lines = Clock(), []
    supervisor = Supervisor(services, RestartPolicy(first_delay=2), log=lines.append, clock=clock)
    assert supervisor.check() is None
    first_pid = services[0].pid
    assert _wait_log(services[0], 1) == 1

    os.kill(first_pid, signal.SIGKILL)
    _wait_exit(services[0])
    assert supervisor.check() is None
    assert f"rasa-2 (pid {first_pid}) exited (signal SIGKILL); restarting in 2 s" in lines[0]
    clock.now += 1
    supervisor.check()
    assert not services[0].alive()  # not due yet
    clock.now += 1
    supervisor.check()
    assert services[0].alive() and services[0].pid != first_pid
    assert lines[-1] == f"rasa-2 restarted, pid {services[0].pid}"
    assert (run_dir / "rasa-2.pid").read_text() == str(services[0].pid)
    assert _wait_log(services[0], 2) == 2  # one log file, both runs


def test_a_service_that_keeps_failing_backs_off_then_is_given_up(started) -> None:
    services, run_dir = started
    services.append(procs.start("actions", FAILER, run_dir=run_dir))
    clock, lines = Clock(), []
    policy = RestartPolicy(first_delay=1, max_delay=4, limit=3, stable_after=60)
    supervisor = Supervisor(services, policy, log=lines.append, clock=clock)
    delays = []
    for _ in range(3):
        _wait_exit(services[0])
        assert supervisor.check() is None
        delays.append(lines[-1].split("restarting in ")[1].split(" s")[0])
        clock.now += policy.max_delay
        supervisor.check()  # restarted; it fails again at once
    assert delays == ["1", "2", "4"]
    assert "exit code 3" in lines[0]
    _wait_exit(services[0])
    reason = supervisor.check()
    assert reason and "actions exited (exit code 3) 4 times in a row" in reason


def test_a_service_that_ran_long_enough_starts_its_count_again(started) -> None:
    services, run_dir = started
    services.append(procs.start("rasa", SLEEPER, run_dir=run_dir))
    clock, lines = Clock(), []
    policy = RestartPolicy(first_delay=1, limit=1, stable_after=30)
    supervisor = Supervisor(services, policy, log=lines.append, clock=clock)
    supervisor.check()
    for _ in range(3):  # each time it ran 30 s: never "in a row"
        clock.now += 30
        supervisor.check()
        os.kill(services[0].pid, signal.SIGKILL)
        _wait_exit(services[0])
        assert supervisor.check() is None
        assert "restart 1 of at most 1" in lines[-1]
        clock.now += 1
        supervisor.check()
        assert services[0].alive()


def test_a_child_started_while_stop_signals_are_held_still_stops_on_sigterm(tmp_path) -> None:
    with procs.stop_signals_held():
        proc = procs.start("notify-worker", SLEEPER, run_dir=tmp_path)
    began = time.monotonic()
    proc.stop(timeout=20)
    assert proc.popen.returncode == -signal.SIGTERM
    assert time.monotonic() - began < 10


def test_a_stopped_service_is_not_started_again(started) -> None:
    services, run_dir = started
    services.append(procs.start("gateway", SLEEPER, run_dir=run_dir))
    clock, lines = Clock(), []
    supervisor = Supervisor(services, log=lines.append, clock=clock)
    services[0].stop(timeout=2)
    clock.now += 100
    assert supervisor.check() is None
    assert not services[0].alive() and lines == []


def test_exit_descriptions() -> None:
    assert describe_exit(-signal.SIGKILL) == "signal SIGKILL"
    assert describe_exit(1) == "exit code 1"
