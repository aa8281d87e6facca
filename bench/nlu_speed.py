"""Full training time and message parse latency, before vs after an NLU pipeline change.

Usage:
  $(make -s print-python) bench/nlu_speed.py --train [--out /tmp/nlu-speed] [--config FILE]
      full ``rasa train`` (NLU + dialogue, --domain domain, Rasa cache off: a clean clone's
      cold training) with the current config.yml and data; prints wall-clock and CPU seconds
      (user+sys of the training process and its children).
  $(make -s print-python) bench/nlu_speed.py --parse BASELINE.tar.gz CANDIDATE.tar.gz [--rounds 3]
      loads both models in this process and parses the same messages (the English, Hinglish
      and Devanagari held-out sets) through each, interleaved message by message so machine
      load hits both alike; prints median / p95 per model and the p95 ratio. Each parse is
      ``Agent.parse_message``, the call Rasa's ``POST /model/parse`` makes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key, value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                   "TOKENIZERS_PARALLELISM": "false", "RASA_TELEMETRY_ENABLED": "false",
                   "TF_CPP_MIN_LOG_LEVEL": "3", "LOG_LEVEL": "ERROR"}.items():
    os.environ.setdefault(key, value)

from bench.stats import percentile  # noqa: E402

SETS = ["test_nlu_heldout.yml", "test_nlu_heldout_hinglish.yml",
        "test_nlu_heldout_devanagari.yml"]


def train(out: Path, config: Path) -> None:
    rasa = Path(sys.executable).parent / "rasa"
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(rasa), "train", "--domain", "domain", "--config", str(config), "--data", "data",
           "--out", str(out), "--fixed-model-name", "speed", "--force"]
    env = {**os.environ, "RASA_MAX_CACHE_SIZE": "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    load = os.getloadavg()[0]
    print(f"full rasa train: wall {wall:.0f} s ({wall / 60:.1f} min), CPU {cpu:.0f} s "
          f"(≥ {cpu / 2 / 60:.1f} min on 2 idle cores), load average at the end {load:.1f}; "
          f"model {out / 'speed.tar.gz'}")


def texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    found: list[str] = []
    for name in SETS:
        path = ROOT / "tests" / "nlu" / name
        if path.exists():
            found += [m.get("text") for m in load_data(str(path)).training_examples]
    return found


def parse(baseline: str, candidate: str, rounds: int) -> None:
    from rasa.core.agent import Agent

    agents = {"baseline": Agent.load(baseline), "candidate": Agent.load(candidate)}
    messages = texts()
    timings: dict[str, list[float]] = {name: [] for name in agents}

    async def run() -> None:
        for agent in agents.values():  # warm-up
            for text in messages[:20]:
                await agent.parse_message(text)
        for _ in range(rounds):
            for text in messages:
                for name, agent in agents.items():
                    start = time.perf_counter()
                    await agent.parse_message(text)
                    timings[name].append(1000 * (time.perf_counter() - start))

    asyncio.run(run())
    for name, values in timings.items():
        print(f"{name:9} n={len(values)}  median {statistics.median(values):.1f} ms  "
              f"p95 {percentile(values, 95):.1f} ms")
    ratio = percentile(timings["candidate"], 95) / percentile(timings["baseline"], 95)
    print(f"p95 ratio candidate/baseline: {ratio:.2f} (target ≤ 1.5); "
          f"load average {os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("/tmp/nlu-speed"))
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--parse", nargs=2, metavar=("BASELINE", "CANDIDATE"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.train and not args.parse:
        parser.error("give --train and/or --parse BASELINE CANDIDATE")
    if args.train:
        train(args.out, args.config.resolve())
    if args.parse:
        parse(*args.parse, rounds=args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
