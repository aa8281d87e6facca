"""Start and stop child processes by PID, with a pidfile and a log file each.

Each service runs in its own process group so stopping it also stops anything
it forked (Rasa's workers, SecantusDB's helpers). Pidfiles under ``.run/`` let
``make stop`` and a later run clean up after a crash.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import ROOT

# Pidfiles, logs and generated secrets; ASSISTANT_RUN_DIR moves them (a second stack in one tree).
RUN_DIR = Path(os.environ.get("ASSISTANT_RUN_DIR") or ROOT / ".run")


@dataclass
class Managed:
    """A child process this run started (and therefore must stop)."""

    name: str
    popen: subprocess.Popen
    log_path: Path
    pidfile: Path
    stopped: bool = field(default=False)
    argv: list[str] = field(default_factory=list)  # how to start it again (respawn)
    env: dict[str, str] | None = None
    cwd: Path = ROOT

    @property
    def pid(self) -> int:
        return self.popen.pid

    def respawn(self) -> None:
        """Start the same command again (after it exited), logging to the same file."""
        if self.alive():
            raise RuntimeError(f"{self.name} is still running")
        with stop_signals_held():
            self.popen = _spawn(self.argv, self.env, self.cwd, self.log_path)
            self.pidfile.write_text(str(self.popen.pid))

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the process group, SIGKILL after ``timeout`` seconds."""
        if self.stopped:
            return
        self.stopped = True
        _stop_group(self.popen.pid, timeout, self.popen)
        self.pidfile.unlink(missing_ok=True)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _stop_group(pid: int, timeout: float, popen: subprocess.Popen | None = None) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen is not None:
            if popen.poll() is not None:
                break
        elif not _pid_alive(pid):
            break
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if popen is not None:
        try:
            popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start(
    name: str,
    argv: Sequence[str],
    env: dict[str, str] | None = None,
    run_dir: Path = RUN_DIR,
    cwd: Path = ROOT,
) -> Managed:
    """Start ``argv`` in a new process group, logging to ``run_dir/logs/name.log``."""
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    log_path = run_dir / "logs" / f"{name}.log"
    popen = _spawn(list(argv), env, cwd, log_path)
    pidfile = run_dir / f"{name}.pid"
    pidfile.write_text(str(popen.pid))
    return Managed(name, popen, log_path, pidfile, argv=list(argv), env=env, cwd=cwd)


def _spawn(argv: list[str], env: dict[str, str] | None, cwd: Path,
           log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=str(cwd),
            start_new_session=True,
            preexec_fn=_unblock_stop_signals,  # a child inherits the mask of stop_signals_held
        )


def _unblock_stop_signals() -> None:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """SIGTERM and SIGINT wait until the block ends (a child started inside it is recorded
    before a stop signal's handler can run, so stopping finds it)."""
    held = {signal.SIGTERM, signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stop_from_pidfiles(run_dir: Path = RUN_DIR, timeout: float = 15.0) -> list[str]:
    """Stop every service a previous run left behind (by its pidfile)."""
    stopped = []
    for pidfile in sorted(run_dir.glob("*.pid")):
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            pidfile.unlink(missing_ok=True)
            continue
        if _pid_alive(pid):
            _stop_group(pid, timeout)
            stopped.append(pidfile.stem)
        pidfile.unlink(missing_ok=True)
    return stopped


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    check: Callable[[], bool],
    timeout: float,
    what: str,
    proc: Managed | None = None,
    interval: float = 0.25,
) -> None:
    """Poll ``check`` until true; raise with the service log tail on timeout or early exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{what} exited early; last log lines:\n{proc.tail()}")
        time.sleep(interval)
    tail = f"; last log lines:\n{proc.tail()}" if proc else ""
    raise RuntimeError(f"{what} did not become ready within {timeout:.0f}s{tail}")
