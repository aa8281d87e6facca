"""Resident memory of every stack process, idle and after a warm-up mix of turns.

Usage: PYTHONPATH=. .venv/bin/python -m bench.rss [--turns 120] [--level 4]
       [--redis-url redis://127.0.0.1:6379/15]

Starts its own stack on free ports (``bench.stack_env.start_stack``: SecantusDB, seed, model,
action server, the Rasa processes, gateway, notification worker; pidfiles and logs under
``.run/bench-rss/``; training first if the model is stale), stops it at the end. Reads
``VmRSS`` and ``VmHWM`` (peak RSS) from ``/proc/<pid>/status`` of every process of every
service's process group (a service's children, e.g. Dramatiq's worker processes, included):
once when the stack answers, once after ``--turns`` turns through the gateway (web chat over
WebSocket, Twilio SMS, Lex voice; verified and anonymous customers; ``bench/load_mix.py``'s
scenarios plus medicine names for the matcher) at ``--level`` concurrent conversations.
Prints each process's figures, the after/idle ratio, the warm-up turns' median and p95
latency, and the issue's targets next to them (Rasa ≤ 1.2 GB, action server ≤ 400 MB;
never a pass/fail). Also prints which native libraries (torch, TensorFlow, ...) each service's
main process has mapped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_clients import Target  # noqa: E402
from bench.load_mix import SCENARIOS, Mix, Scenario  # noqa: E402
from bench.load_procs import pids_from_run_dir, read_stats  # noqa: E402
from bench.load_runner import Identities, run_level  # noqa: E402
from bench.stack_env import start_stack  # noqa: E402
from bench.stats import percentile  # noqa: E402
from bot.runtime import procs  # noqa: E402

RUN_DIR = procs.RUN_DIR / "bench-rss"
PUBLIC_BASE_URL = "https://bench-rss.pharmacy.invalid"
MB = 1024 * 1024
TARGETS_MB = {"rasa": 1200, "actions": 400}
HEAVY = ("torch", "tensorflow", "sklearn", "scipy", "tokenizers", "safetensors")
MEDICINE_SCENARIOS = (
    Scenario("medicine_by_name", ("I want to order dolo 650", "stop"), 2),
    Scenario("medicine_misspelt", ("do you have thyronorm50", "stop"), 1),
)


@dataclass(frozen=True)
class Memory:
    service: str
    pid: int
    command: str
    rss: int    # bytes
    hwm: int    # bytes


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [w.decode(errors="replace") for w in raw if w]
    if len(words) > 2 and words[1] == "-m":      # python -m module ...
        return " ".join(words[2:4])
    return " ".join(Path(w).name if i == 0 else w for i, w in enumerate(words[:3]))


def memory(pids: dict[str, int]) -> list[Memory]:
    """Every process of each service's process group, with its VmRSS and VmHWM."""
    stats = read_stats()
    rows = []
    for service, leader in sorted(pids.items()):
        members = sorted(s.pid for s in stats if s.pgrp == leader or s.pid == leader)
        for pid in members:
            rows.append(Memory(service, pid, _command(pid), _status_kb(pid, "VmRSS") * 1024,
                               _status_kb(pid, "VmHWM") * 1024))
    return rows


def heavy_modules(pid: int) -> list[str]:
    """Which of ``HEAVY`` a process has mapped (their shared objects in ``/proc/<pid>/maps``)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return []
    return [name for name in HEAVY if f"/site-packages/{name}/" in maps]


def _target(service: str) -> int | None:
    base = service.split("-")[0]
    return TARGETS_MB.get(base)


def report(idle: list[Memory], warm: list[Memory]) -> None:
    before = {m.pid: m for m in idle}
    print(f"\n{'service':<14} {'pid':>7} {'command':<34} {'idle RSS':>9} {'RSS':>8} "
          f"{'peak':>8} {'RSS/idle':>8}  target")
    for m in warm:
        idle_rss = before[m.pid].rss if m.pid in before else 0
        ratio = f"{m.rss / idle_rss:7.2f}x" if idle_rss else "      -"
        limit = _target(m.service)
        target = ""
        if limit is not None:
            verdict = "within" if max(m.rss, m.hwm) <= limit * MB else "OVER"
            target = f"≤ {limit} MB: {verdict}"
        print(f"{m.service:<14} {m.pid:>7} {m.command[:34]:<34} {idle_rss / MB:7.0f}MB "
              f"{m.rss / MB:6.0f}MB {m.hwm / MB:6.0f}MB {ratio}  {target}")
    total = sum(m.rss for m in warm)
    print(f"{'total':<14} {'':>7} {'':<34} {sum(m.rss for m in idle) / MB:7.0f}MB "
          f"{total / MB:6.0f}MB")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=120, help="warm-up turns (default 120)")
    parser.add_argument("--level", type=int, default=4,
                        help="concurrent conversations during the warm-up (default 4)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL",
                                                              "redis://127.0.0.1:6379/15"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"bench/rss.py at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, "
          f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f}", flush=True)
    for pidfile in RUN_DIR.glob("*.pid"):  # left by a crashed run: not ours to touch
        pidfile.unlink()
    voice_token, twilio_token = secrets.token_urlsafe(32), secrets.token_hex(16)
    extra = {"REDIS_URL": args.redis_url, "MONGODB_DB": "pharmacy_rss",
             "TRUST_PROXY_HEADERS": "1", "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
             "TWILIO_AUTH_TOKEN": twilio_token}
    from bench.load import seeded_customers, wait_for_training
    from bot.config import ROOT
    from bot.runtime import training

    wait_for_training(training.is_stale, str(ROOT / "models"), "models/pharmacy.tar.gz")
    stack = None
    try:
        stack = start_stack(voice_token, "rss", extra, run_dir=RUN_DIR)
        env = stack.env
        pids = pids_from_run_dir(RUN_DIR)
        time.sleep(5)  # let start-up work (the matcher's warm-up thread) finish
        idle = memory(pids)
        phones, demo = seeded_customers(env)
        target = Target("ours", f"http://127.0.0.1:{env['GATEWAY_PORT']}", voice_token,
                        twilio_token, PUBLIC_BASE_URL)
        mix = Mix(args.seed, scenarios=SCENARIOS + MEDICINE_SCENARIOS)
        print(f"stack up ({env['RASA_PROCESSES']} Rasa processes); {args.turns} warm-up turns "
              f"at {args.level} concurrent ...", flush=True)
        result = asyncio.run(run_level(target, args.level, args.turns, mix,
                                       Identities(phones, demo, seed=args.seed)))
        warm = memory(pids)
        latencies = [o.latency_ms for o in result.outcomes]
        errors = sum(1 for o in result.outcomes if o.error)
        if latencies:
            print(f"warm-up: {len(latencies)} turns in {result.elapsed_s:.1f} s, "
                  f"median {percentile(latencies, 50):.0f} ms, p95 "
                  f"{percentile(latencies, 95):.0f} ms, errors {errors}, "
                  f"setup errors {result.setup_errors}")
        report(idle, warm)
        for service, pid in sorted(pids.items()):
            loaded = heavy_modules(pid)
            print(f"  {service}: {', '.join(loaded) if loaded else 'none of'} "
                  f"{'' if loaded else ' '.join(HEAVY)} loaded")
        print(f"load average at the end {os.getloadavg()}")
    finally:
        if stack is not None:
            stack.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
