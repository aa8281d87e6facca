"""Keep `make run`'s services running: a service that exits is started again, with backoff.

A Rasa process killed by the OOM killer or an action server that crashed is started again
after 1 s, then 2, 4, ... up to 30 s if it keeps dying; each exit and restart is logged with
the last lines of the service's log. Meanwhile the gateway sends that Rasa process's
conversations to the others (channels/assistant.py). A service that runs for
``stable_after`` seconds counts as healthy again; one that exits ``limit`` + 1 times in a
row without getting there makes the supervisor give up, and `make run` stops everything.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.runtime.procs import Managed


@dataclass(frozen=True)
class RestartPolicy:
    """How often and how soon a service that exited is started again."""

    first_delay: float = 1.0  # seconds before the first restart
    max_delay: float = 30.0  # the delay doubles per exit in a row up to this
    limit: int = 5  # restarts in a row before giving up
    stable_after: float = 120.0  # running this long resets the count (a Rasa load is ~1 min)

    def delay(self, exits_in_a_row: int) -> float:
        """Seconds to wait before restarting after the ``exits_in_a_row``-th exit."""
        return min(self.first_delay * 2 ** max(0, exits_in_a_row - 1), self.max_delay)


@dataclass
class _Watch:
    started_at: float
    exits_in_a_row: int = 0
    restart_at: float | None = None  # set while a restart is pending


def describe_exit(returncode: int | None) -> str:
    """``exit code 1`` or ``signal SIGKILL``."""
    if returncode is None:
        return "no exit status"
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Supervisor:
    """Call :meth:`check` every second or so from the thread that owns the services."""

    services: list[Managed]
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    log: Callable[[str], None] = _to_stderr
    clock: Callable[[], float] = time.monotonic
    _watch: dict[int, _Watch] = field(default_factory=dict)

    def _state(self, proc: Managed, now: float) -> _Watch:
        return self._watch.setdefault(id(proc), _Watch(started_at=now))

    def check(self) -> str | None:
        """Restart what exited and is due; the reason to give up, or None."""
        now = self.clock()
        for proc in list(self.services):
            watch = self._state(proc, now)
            if proc.stopped:
                continue
            if proc.alive():
                if watch.exits_in_a_row and now - watch.started_at >= self.policy.stable_after:
                    watch.exits_in_a_row = 0
                continue
            if watch.restart_at is None:
                if now - watch.started_at >= self.policy.stable_after:
                    watch.exits_in_a_row = 0
                watch.exits_in_a_row += 1
                exited = describe_exit(proc.popen.returncode)
                if watch.exits_in_a_row > self.policy.limit:
                    return (f"{proc.name} exited ({exited}) {watch.exits_in_a_row} times in a "
                            f"row, each within {self.policy.stable_after:.0f} s of starting; "
                            f"giving up. Last log lines:\n{proc.tail()}")
                delay = self.policy.delay(watch.exits_in_a_row)
                watch.restart_at = now + delay
                self.log(f"{proc.name} (pid {proc.pid}) exited ({exited}); restarting in "
                         f"{delay:.0f} s (restart {watch.exits_in_a_row} of at most "
                         f"{self.policy.limit} in a row). Last log lines:\n{proc.tail(10)}")
            elif now >= watch.restart_at:
                proc.respawn()
                watch.restart_at = None
                watch.started_at = now
                self.log(f"{proc.name} restarted, pid {proc.pid}")
        return None
