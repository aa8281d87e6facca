"""CPU time and memory of the stack's processes, from ``/proc``, for ``bench/load.py``.

A service is found by its pidfile (``<run dir>/<name>.pid``, written by
``bot.runtime.procs.start``); every service runs in its own process group, so its CPU time is
``utime + stime`` summed over the processes of that group (``/proc/<pid>/stat``) and its RSS
the sum of their resident pages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class ProcStat:
    """The fields of one ``/proc/<pid>/stat`` line the bench uses."""

    pid: int
    comm: str
    ppid: int
    pgrp: int
    utime: int  # clock ticks
    stime: int
    rss_pages: int


def parse_stat(line: str) -> ProcStat:
    """Parse a ``/proc/<pid>/stat`` line (``comm`` may hold spaces and parentheses)."""
    head, _, tail = line.rpartition(")")
    pid_text, _, comm = head.partition(" (")
    rest = tail.split()  # rest[0] is field 3 (state); field n is rest[n - 3]
    return ProcStat(pid=int(pid_text), comm=comm, ppid=int(rest[1]), pgrp=int(rest[2]),
                    utime=int(rest[11]), stime=int(rest[12]), rss_pages=int(rest[21]))


@dataclass(frozen=True)
class Usage:
    """A process group's CPU time so far and its resident memory now."""

    cpu_ticks: int
    rss_bytes: int
    processes: int

    @property
    def cpu_ms(self) -> float:
        return self.cpu_ticks * 1000.0 / CLOCK_TICKS


def read_stats(proc_root: Path = Path("/proc")) -> list[ProcStat]:
    """Every process's stat line that can still be read (processes come and go)."""
    stats = []
    for entry in proc_root.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stats.append(parse_stat((entry / "stat").read_text()))
        except (OSError, ValueError, IndexError):
            continue
    return stats


def group_usage(leader: int, stats: list[ProcStat]) -> Usage:
    """CPU ticks and RSS of the process group led by ``leader`` (its pgid)."""
    members = [s for s in stats if s.pgrp == leader or s.pid == leader]
    return Usage(cpu_ticks=sum(s.utime + s.stime for s in members),
                 rss_bytes=sum(s.rss_pages for s in members) * PAGE_BYTES,
                 processes=len(members))


def pids_from_run_dir(run_dir: Path) -> dict[str, int]:
    """Service name → pid, from the pidfiles of a stack's run directory."""
    pids = {}
    for pidfile in sorted(run_dir.glob("*.pid")):
        try:
            pids[pidfile.stem] = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            continue
    return pids


def sample(pids: dict[str, int], proc_root: Path = Path("/proc")) -> dict[str, Usage]:
    """Usage of each named process group now."""
    stats = read_stats(proc_root)
    return {name: group_usage(pid, stats) for name, pid in pids.items()}


def cpu_ms_per_turn(before: dict[str, Usage], after: dict[str, Usage],
                    turns: int) -> dict[str, float]:
    """CPU milliseconds each process group spent per turn between two samples."""
    return {name: (after[name].cpu_ms - before[name].cpu_ms) / max(turns, 1)
            for name in after if name in before}
