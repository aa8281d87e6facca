"""Where a turn's CPU goes: stock Rasa vs the speed-ups, per process, with py-spy profiles.

Usage: $(make -s print-python) bench/profile_turn.py [--model PATH] [--rounds 6]
       [--conversations 5] [--profile-turns 60] [--out DIR] [--variants stock,fast]

Starts its own stores (SecantusDB and an embedded Redis on free ports, a fresh seeded
database), the action server, and one Rasa server per variant: ``stock`` runs with
``RASA_SPEEDUPS=0`` (Rasa 3.6 as shipped, plus our tracker store), ``fast`` with
``components/rasa_speedups.py`` installed. Both load the same model and share the stores and
the action server. It plays the gateway (``POST /webhooks/gateway/webhook`` with the channel
token, as ``channels/assistant.py`` does): fresh conversations of a verified customer, each
"hello" → "where is my order" → "thank you".

Measurement: ``--rounds`` rounds; in each, every variant gets a block of ``--conversations``
conversations, one turn at a time, the order of the variants alternating between rounds. CPU
per turn of each process (utime + stime of its whole process group, from ``/proc``) is the
delta over a variant's blocks divided by its turns, so the shared processes (action server,
SecantusDB, Redis) are charged to the variant whose turns they served. Prints median and p95
latency per turn, CPU ms per turn per process, and the ratio stock / fast.

Profiles: afterwards, for each variant, ``py-spy record`` samples the Rasa server, the action
server and SecantusDB (all Python) during ``--profile-turns`` more turns (profiling slows the
sampled processes a little, so no latency is taken from this phase). Prints the top self-time
functions per process and the share of the Rasa server's samples in each part of a turn, and
writes the raw stacks (``py-spy --format raw``, flamegraph-ready) to ``--out``.

Also prints what a turn does, read back from the stored events: actions run per turn, which
policy predicted them, whether both variants ran the same actions in every conversation, and
the MongoDB operations per turn (SecantusDB's ``serverStatus`` opcounters).
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.stats import percentile  # noqa: E402
from bot.bearer import bearer_header  # noqa: E402
from bot.config import ROOT  # noqa: E402
from bot.runtime import procs, training  # noqa: E402
from bot.runtime.endpoints import render_endpoints  # noqa: E402
from bot.runtime.stack import Stack, http_ok, rasa_has_model  # noqa: E402

PY = sys.executable
CUSTOMERS = ("CUST00001", "CUST00002", "CUST00004")
SCRIPT = ("hello", "where is my order", "thank you")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROFILED = ("rasa", "actions", "mongodb")
# Leaf functions of threads that wait (py-spy counts a thread blocked in them as active):
# pymongo's monitors, the event loop's poll, SecantusDB's per-connection readers.
IDLE_LEAVES = frozenset({"select", "_run", "serve", "_recv_exactly", "_readable", "accept",
                         "sleep", "wait", "poll", "_wait_for_tstate_lock"})
# Parts of a Rasa turn, by a function on the sampled stack (first match from the top wins).
PARTS = (
    ("lock store (Redis)", ("lock_store.py",)),
    ("tracker store read/write", ("tracker_store.py", "components/stores.py")),
    ("NLU: MiniLM featurizer", ("sentence_featurizer.py", "components/minilm.py")),
    ("NLU: other components", ("rasa/nlu/",)),
    ("policies (predict next action)", ("rasa/core/policies/",)),
    ("action server call", ("rasa/core/actions/action.py",)),
    ("graph runner overhead", ("rasa/engine/",)),
    ("Sanic / HTTP / asyncio", ("sanic/", "asyncio/", "uvloop", "httptools", "aiohttp/")),
)


# The lock store's entry points (Rasa's, and ours in components/lock_store.py): a stack
# through one of them is lock work.
LOCK_FUNCTIONS = frozenset({"lock", "issue_ticket", "cleanup"})
LOCK_FILES = ("rasa/core/lock_store.py", "components/lock_store.py")


def _is_lock_frame(frame: str) -> bool:
    name, _, where = frame.partition(" (")
    return name in LOCK_FUNCTIONS and where.rstrip(")").endswith(LOCK_FILES)


@dataclass
class Variant:
    name: str
    port: int
    proc: procs.Managed | None = None
    latencies: list[float] = field(default_factory=list)
    cpu_ticks: collections.Counter = field(default_factory=collections.Counter)
    mongo_ops: collections.Counter = field(default_factory=collections.Counter)
    turns: int = 0
    senders: list[str] = field(default_factory=list)


# -- processes and CPU ------------------------------------------------------------------
def group_ticks(groups: dict[str, int]) -> dict[str, int]:
    """utime + stime (clock ticks) of every process in each named process group."""
    by_group = {pgid: name for name, pgid in groups.items()}
    totals = dict.fromkeys(groups, 0)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        name = by_group.get(int(fields[2]))  # pgrp
        if name is not None:
            totals[name] += int(fields[11]) + int(fields[12])  # utime + stime
    return totals


def mongo_ops(client: object) -> collections.Counter:
    """MongoDB operations served so far, by kind (``serverStatus`` opcounters)."""
    status = client.admin.command("serverStatus")  # type: ignore[attr-defined]
    return collections.Counter({k: int(v) for k, v in status.get("opcounters", {}).items()})


def start_rasa(stack: Stack, name: str, port: int, model: Path, endpoints: Path,
               speedups: bool) -> procs.Managed:
    env = {**stack.env, "RASA_SPEEDUPS": "1" if speedups else "0"}
    proc = procs.start(f"rasa-{name}", [PY, "-m", "bot.runtime.rasa_server", "--port", str(port),
                                        "--model", str(model), "--endpoints", str(endpoints),
                                        "--credentials", "credentials.yml"],
                       env=env, run_dir=stack.run_dir)
    stack.started.append(proc)
    return proc


def start(args: argparse.Namespace, data_dir: Path) -> tuple[Stack, list[Variant], Path]:
    overrides = {
        "MONGODB_URI": f"mongodb://127.0.0.1:{procs.free_port()}",
        "MONGODB_DB": "pharmacy_profile",
        "REDIS_URL": f"redis://127.0.0.1:{procs.free_port()}/{args.redis_db}",
        "RASA_PORT": str(procs.free_port()),
        "ACTION_PORT": str(procs.free_port()),
        "GATEWAY_PORT": str(procs.free_port()),
        "RASA_PROCESSES": "1",
    }
    stack = Stack.from_environment(overrides, run_dir=procs.RUN_DIR / "profile")
    print("starting stores, seeding ...", flush=True)
    stack.start_stores(data_dir)
    stack.seed(always=True)
    model = Path(args.model) if args.model else training.MODEL_PATH
    if not args.model:
        stack.train()
    actions = procs.start("actions", [PY, "-m", "bot.runtime.action_server"], env=stack.env,
                          run_dir=stack.run_dir)
    stack.started.append(actions)
    endpoints = render_endpoints(stack.env, stack.run_dir / "endpoints.yml")
    variants = [Variant(name, procs.free_port()) for name in args.variants.split(",")]
    for variant in variants:
        variant.proc = start_rasa(stack, variant.name, variant.port, model, endpoints,
                                  speedups=variant.name != "stock")
    print(f"starting the action server and {len(variants)} Rasa servers ({model}) ...",
          flush=True)
    procs.wait_until(lambda: http_ok(f"http://127.0.0.1:{stack.env['ACTION_PORT']}/health",
                                      bearer_header(stack.env["ACTION_SERVER_TOKEN"])),
                     180, "action server", actions)
    for variant in variants:
        procs.wait_until(lambda v=variant: rasa_has_model(f"http://127.0.0.1:{v.port}",
                                                           stack.env["RASA_AUTH_TOKEN"]),
                         600, f"Rasa server {variant.name}", variant.proc)
    return stack, variants, model


# -- turns ------------------------------------------------------------------------------
def conversation(client: httpx.Client, stack: Stack, variant: Variant,
                 index: int) -> list[float]:
    sender = f"profile-{variant.name}-{uuid.uuid4().hex[:12]}"
    variant.senders.append(sender)
    customer = CUSTOMERS[index % len(CUSTOMERS)]
    times = []
    for text in SCRIPT:
        t0 = time.perf_counter()
        reply = client.post(
            f"http://127.0.0.1:{variant.port}/webhooks/gateway/webhook",
            headers=bearer_header(stack.env["RASA_CHANNEL_TOKEN"]),
            json={"sender": sender, "message": text,
                  "metadata": {"channel": "web", "customer_id": customer}})
        times.append((time.perf_counter() - t0) * 1000)
        reply.raise_for_status()
        if not reply.json():
            raise RuntimeError(f"no reply from {variant.name} to {text!r}")
    return times


def measure(client: httpx.Client, stack: Stack, variants: list[Variant], rounds: int,
            conversations: int) -> None:
    import pymongo

    groups = {p.name: os.getpgid(p.pid) for p in stack.started}
    mongo = pymongo.MongoClient(stack.env["MONGODB_URI"])
    try:
        for round_no in range(rounds):
            order = variants if round_no % 2 == 0 else variants[::-1]
            for variant in order:
                ops_before, before = mongo_ops(mongo), group_ticks(groups)
                for index in range(conversations):
                    variant.latencies += conversation(client, stack, variant, index)
                after, ops_after = group_ticks(groups), mongo_ops(mongo)
                ops_after["command"] -= 1  # the serverStatus that read them
                variant.mongo_ops.update(ops_after - ops_before)
                variant.turns += conversations * len(SCRIPT)
                for name in groups:
                    variant.cpu_ticks[_role(name)] += after[name] - before[name]
            print(f"  round {round_no + 1}/{rounds} done", flush=True)
    finally:
        mongo.close()


def _role(service: str) -> str:
    return "rasa" if service.startswith("rasa-") else service


# -- what a turn did --------------------------------------------------------------------
def turn_shape(stack: Stack, senders: Iterable[str]) -> dict[str, Any]:
    """Actions per user turn, the policies that predicted them, and each conversation's actions."""
    import pymongo

    from components.stores import stored_events

    client = pymongo.MongoClient(stack.env["MONGODB_URI"])
    db = client[stack.env["MONGODB_DB"]]
    turns = actions = 0
    policies: collections.Counter = collections.Counter()
    sequences = []
    try:
        for sender in senders:
            started, names = False, []
            for event in stored_events(db, sender):
                if event.get("event") == "user":
                    turns += 1
                    started = True
                    names.append("|")
                elif event.get("event") == "action" and started:
                    actions += 1
                    policies[event.get("policy") or "none"] += 1
                    names.append(event.get("name"))
            sequences.append(tuple(names))
    finally:
        client.close()
    return {"actions": actions / max(turns, 1), "turns": turns,
            "policies": {k: v / max(turns, 1) for k, v in policies.most_common()},
            "sequences": sequences}


# -- profiles ---------------------------------------------------------------------------
def profile(client: httpx.Client, stack: Stack, variant: Variant, turns: int,
            out: Path) -> dict[str, Path]:
    pids = {"rasa": variant.proc.pid if variant.proc else 0}
    pids.update({p.name: p.pid for p in stack.started if p.name in ("actions", "mongodb")})
    spies, files = [], {}
    for role in PROFILED:
        if not pids.get(role):
            continue
        path = out / f"{variant.name}-{role}.txt"
        files[role] = path
        spies.append(subprocess.Popen(
            [str(Path(PY).parent / "py-spy"), "record", "--pid", str(pids[role]), "--format",
             "raw", "--nolineno", "--rate", "200", "--subprocesses", "--output", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.5)
    done = 0
    while done < turns:
        conversation(client, stack, variant, done)
        done += len(SCRIPT)
    for spy in spies:
        spy.send_signal(signal.SIGINT)
    for spy in spies:
        try:
            spy.wait(timeout=60)
        except subprocess.TimeoutExpired:
            spy.kill()
    return files


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    if not path.exists():
        return stacks
    for line in path.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if not frames or not count.isdigit():
            continue
        stack = frames.split(";")[1:]  # without the process frame
        if stack and stack[-1].partition(" (")[0] not in IDLE_LEAVES:
            stacks.append((stack, int(count)))
    return stacks  # samples of working threads only


def _short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", "/work/main/", str(ROOT) + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


def top_self(stacks: list[tuple[list[str], int]], n: int) -> list[tuple[str, float]]:
    total = sum(count for _, count in stacks) or 1
    counter: collections.Counter = collections.Counter()
    for frames, count in stacks:
        counter[_short(frames[-1])] += count
    return [(name, 100 * count / total) for name, count in counter.most_common(n)]


def parts(stacks: list[tuple[list[str], int]]) -> list[tuple[str, float]]:
    total = sum(count for _, count in stacks) or 1
    counter: collections.Counter = collections.Counter()
    for frames, count in stacks:
        part = "other"
        if any(_is_lock_frame(f) for f in frames):
            counter["lock store (Redis)"] += count
            continue
        for frame in reversed(frames):  # innermost first: the most specific part wins
            found = next((name for name, keys in PARTS if any(k in frame for k in keys)), None)
            if found is not None:
                part = found
                break
        counter[part] += count
    return [(name, 100 * count / total) for name, count in counter.most_common()]


# -- report -----------------------------------------------------------------------------
def report(variants: list[Variant], shapes: dict[str, dict[str, Any]],
           profiles: dict[str, dict[str, Path]], top: int) -> None:
    print(f"\n{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}; "
          f"turns per variant: {variants[0].turns}")
    print(f"{'variant':<8}{'median ms':>11}{'p95 ms':>9}   CPU ms per turn")
    roles = sorted({r for v in variants for r in v.cpu_ticks})
    for v in variants:
        cpu = {r: 1000 * v.cpu_ticks[r] / CLOCK_TICKS / max(v.turns, 1) for r in roles}
        cpu_text = "  ".join(f"{r} {cpu[r]:.1f}" for r in roles)
        print(f"{v.name:<8}{statistics.median(v.latencies):11.1f}"
              f"{percentile(v.latencies, 95):9.1f}   {cpu_text}  total {sum(cpu.values()):.1f}")
    if len(variants) == 2:
        a, b = variants
        ratio_cpu = sum(a.cpu_ticks.values()) / max(sum(b.cpu_ticks.values()), 1)
        print(f"ratio {a.name}/{b.name}: median {statistics.median(a.latencies) / statistics.median(b.latencies):.2f}, "  # noqa: E501
              f"p95 {percentile(a.latencies, 95) / percentile(b.latencies, 95):.2f}, "
              f"CPU {ratio_cpu:.2f}, Rasa CPU "
              f"{a.cpu_ticks['rasa'] / max(b.cpu_ticks['rasa'], 1):.2f}")
    for v in variants:
        ops = "  ".join(f"{k} {n / max(v.turns, 1):.1f}" for k, n in sorted(v.mongo_ops.items()))
        print(f"{v.name}: MongoDB operations per turn (all processes): {ops}")
    for name, shape in shapes.items():
        policies = ", ".join(f"{k} {v:.2f}" for k, v in shape["policies"].items())
        print(f"{name}: {shape['actions']:.2f} actions per user turn ({shape['turns']} turns), "
              f"predicted by (per turn): {policies}")
    if len(shapes) == 2:
        first, second = (shape["sequences"] for shape in shapes.values())
        print(f"same actions in every conversation in both variants: {first == second} "
              f"({len(first)} conversations)")
    for name, files in profiles.items():
        for role, path in files.items():
            stacks = read_stacks(path)
            samples = sum(c for _, c in stacks)
            print(f"\n== {name} / {role}: top self time ({samples} samples, {path})")
            for func, pct in top_self(stacks, top):
                print(f"  {pct:5.1f}%  {func}")
            if role == "rasa":
                print(f"-- {name} / rasa: share of samples by part of the turn")
                for part, pct in parts(stacks):
                    print(f"  {pct:5.1f}%  {part}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model to load (default: models/, trained if stale)")
    parser.add_argument("--variants", default="stock,fast")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--conversations", type=int, default=5, help="per block")
    parser.add_argument("--warmup", type=int, default=3, help="conversations per variant")
    parser.add_argument("--profile-turns", type=int, default=60, help="0: no profiles")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("REDIS_DB", 14)))
    parser.add_argument("--out", default=str(ROOT / "results" / "profile_turn"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    stack = None
    try:
        stack, variants, _ = start(args, data_dir)
        with httpx.Client(timeout=60) as client:
            for variant in variants:
                for index in range(args.warmup):
                    conversation(client, stack, variant, index)
                variant.senders.clear()
            print("measuring ...", flush=True)
            measure(client, stack, variants, args.rounds, args.conversations)
            shapes = {v.name: turn_shape(stack, v.senders) for v in variants}
            profiles = {}
            if args.profile_turns > 0:
                print("profiling ...", flush=True)
                for variant in variants:
                    profiles[variant.name] = profile(client, stack, variant, args.profile_turns,
                                                     out)
        report(variants, shapes, profiles, args.top)
        return 0
    finally:
        if stack is not None:
            stack.down()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
