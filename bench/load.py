"""Mixed-channel closed-loop load through the gateway: ours vs stock Rasa 3.6, same run.

Usage: $(make -s print-python) bench/load.py [--levels 1,5,20,50] [--turns 200] [--think-ms 0]
       [--channels web=0.5,sms=0.3,voice=0.2] [--verified-share 0.7] [--no-stock]
       [--stock-epochs N] [--history-turns 5 | --no-history]

Starts its own stack on free ports (``bench.stack_env.start_stack``: SecantusDB, seed, model,
action server, the Rasa processes, gateway, notification worker; pidfiles and logs under
``.run/bench-load/``), then a stock Rasa 3.6 (``bench/load_stock.py``: default pipeline and
policies trained once into ``models/stock-*.tar.gz``, Rasa's MongoTrackerStore, no project
speed-ups, the gateway channel kept) behind a second gateway process sharing the same action
server and MongoDB. For each level (concurrent customers) it runs the same closed-loop load on
both (``bench/load_runner.py``): web chat over WebSocket, Twilio SMS signed with Twilio's
validator, Lex V2 voice with its bearer token; verified (seeded customers, demo sign-in on the
web) and anonymous customers; "where is my order", reorder, doctor and lab booking starts,
greetings and thanks (``bench/load_mix.py``).

Per level and target it prints latency p50/p95/p99 over every turn (failed ones included,
timed until their reply), answered turns per second, errors by kind, CPU milliseconds per turn
of each stack process (``/proc/<pid>/stat`` utime+stime of its process group, between the
level's start and end) and each process's RSS after the level; then ours/stock ratios. Then
the history sweep (``bench/load_history.py``): one SMS turn in conversations of 10, 100, 1,000
and 5,000 events, both targets, with the ratio to 10 events. The bench itself runs on the
same machine; its own CPU is shown as ``bench``. Results also go to ``results/load-*.json``.
Never a pass/fail test: the issue's targets are printed next to the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_procs, load_stock  # noqa: E402
from bench.load_clients import Outcome, Target  # noqa: E402
from bench.load_history import ratios, sweep  # noqa: E402
from bench.load_mix import Mix, parse_weights  # noqa: E402
from bench.load_runner import Identities, LevelResult, run_level  # noqa: E402
from bench.stack_env import start_stack  # noqa: E402
from bench.stats import summarise  # noqa: E402
from bench.tracker_history import SIZES  # noqa: E402
from bot.config import ROOT  # noqa: E402
from bot.runtime import procs, training  # noqa: E402
from bot.runtime.stack import gateway_argv, http_ok, rasa_has_model  # noqa: E402

RUN_DIR = procs.RUN_DIR / "bench-load"
PUBLIC_BASE_URL = "https://bench-load.pharmacy.invalid"
TARGET_P95_MS, TARGET_TURNS_PER_S, TARGET_STOCK_RATIO, TARGET_LEVEL = 300.0, 40.0, 4.0, 20
STOCK_PROCESSES = ("gateway-stock", "rasa-stock", "actions", "mongodb", "bench")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,5,20,50",
                        help="concurrent conversations per level (default 1,5,20,50)")
    parser.add_argument("--turns", type=int, default=200,
                        help="turns sent per level and target (default 200)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="unmeasured turns per target before the first level (default 20)")
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="mean think time between a customer's turns (exponential; 0: none)")
    parser.add_argument("--channels", default="web=0.5,sms=0.3,voice=0.2",
                        help="channel weights (default web=0.5,sms=0.3,voice=0.2)")
    parser.add_argument("--verified-share", type=float, default=0.7,
                        help="share of conversations by verified customers (default 0.7)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-stock", action="store_true", help="skip stock Rasa")
    parser.add_argument("--stock-epochs", type=int, default=None,
                        help="train stock's default pipeline and policies with this many epochs "
                             "instead of Rasa's 100 (same graph, so the same cost per turn; "
                             "default: Rasa's own defaults)")
    parser.add_argument("--retrain-stock", action="store_true",
                        help="train the stock model even when the cached one is current")
    parser.add_argument("--no-history", action="store_true", help="skip the history sweep")
    parser.add_argument("--history-turns", type=int, default=5,
                        help="timed turns per conversation size and target (default 5)")
    parser.add_argument("--history-sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL",
                                                              "redis://127.0.0.1:6379/12"))
    parser.add_argument("--json", type=Path, default=None,
                        help="results file (default results/load-<UTC time>.json)")
    args = parser.parse_args(argv)
    args.level_list = [int(x) for x in args.levels.split(",") if x.strip()]
    args.size_tuple = tuple(int(x) for x in args.history_sizes.split(",") if x.strip())
    args.channel_weights = parse_weights(args.channels)
    return args


# -- reporting ------------------------------------------------------------------------------
def level_report(result: LevelResult, cpu: dict[str, float],
                 rss: dict[str, int]) -> dict[str, Any]:
    """The figures of one level on one target (what is printed and stored)."""
    turns = result.outcomes
    errors: dict[str, int] = {}
    for outcome in turns:
        if outcome.error:
            errors[outcome.error] = errors.get(outcome.error, 0) + 1
    if result.setup_errors:
        errors["web_open"] = result.setup_errors
    answered = sum(1 for o in turns if o.error is None)
    by_channel = {channel: summarise([o.latency_ms for o in turns if o.channel == channel])
                  for channel in sorted({o.channel for o in turns})}
    return {
        "target": result.target, "level": result.level, "turns": len(turns),
        "answered": answered, "elapsed_s": result.elapsed_s,
        "turns_per_s": answered / result.elapsed_s if result.elapsed_s else 0.0,
        "latency_ms": summarise([o.latency_ms for o in turns]), "by_channel": by_channel,
        "errors": errors, "cpu_ms_per_turn": cpu, "rss_mb": {k: v / 2**20 for k, v in rss.items()},
        "loadavg": os.getloadavg(),
    }


def print_level(report: dict[str, Any]) -> None:
    lat = report["latency_ms"]
    errors = ", ".join(f"{k} {v}" for k, v in sorted(report["errors"].items())) or "none"
    print(f"\n[{report['target']}] {report['level']} concurrent: {report['turns']} turns in "
          f"{report['elapsed_s']:.1f} s, {report['turns_per_s']:.2f} answered turns/s; "
          f"latency p50 {lat['p50']:.0f} / p95 {lat['p95']:.0f} / p99 {lat['p99']:.0f} ms; "
          f"errors: {errors}; load average {report['loadavg'][0]:.2f}")
    print("   by channel: " + "; ".join(
        f"{ch} n={s['n']} p50 {s['p50']:.0f} p95 {s['p95']:.0f}"
        for ch, s in report["by_channel"].items()))
    print("   CPU ms/turn: " + ", ".join(
        f"{name} {ms:.1f}" for name, ms in sorted(report["cpu_ms_per_turn"].items())))
    print("   RSS MB:      " + ", ".join(
        f"{name} {mb:.0f}" for name, mb in sorted(report["rss_mb"].items())))


def print_ratios(reports: list[dict[str, Any]]) -> None:
    by_key = {(r["target"], r["level"]): r for r in reports}
    levels = sorted({r["level"] for r in reports})
    print("\nours vs stock Rasa 3.6 (same run):")
    print(f"{'level':>5} {'ours t/s':>9} {'stock t/s':>9} {'ratio':>6} "
          f"{'ours p95':>9} {'stock p95':>9} {'stock/ours p95':>15}")
    for level in levels:
        ours, stock = by_key.get(("ours", level)), by_key.get(("stock", level))
        if not ours or not stock:
            continue
        ratio = ours["turns_per_s"] / stock["turns_per_s"] if stock["turns_per_s"] else float("inf")
        p95_ratio = stock["latency_ms"]["p95"] / max(ours["latency_ms"]["p95"], 1e-9)
        print(f"{level:5} {ours['turns_per_s']:9.2f} {stock['turns_per_s']:9.2f} {ratio:5.2f}x "
              f"{ours['latency_ms']['p95']:8.0f}ms {stock['latency_ms']['p95']:8.0f}ms "
              f"{p95_ratio:14.2f}x")


def print_targets(reports: list[dict[str, Any]]) -> None:
    by_key = {(r["target"], r["level"]): r for r in reports}
    ours, stock = by_key.get(("ours", TARGET_LEVEL)), by_key.get(("stock", TARGET_LEVEL))
    if not ours:
        return
    p95, rate = ours["latency_ms"]["p95"], ours["turns_per_s"]
    line = (f"\nissue #12 targets at {TARGET_LEVEL} concurrent: p95 {p95:.0f} ms "
            f"(target <= {TARGET_P95_MS:.0f}: {'met' if p95 <= TARGET_P95_MS else 'not met'}), "
            f"{rate:.1f} turns/s (target >= {TARGET_TURNS_PER_S:.0f}: "
            f"{'met' if rate >= TARGET_TURNS_PER_S else 'not met'})")
    if stock and stock["turns_per_s"]:
        ratio = rate / stock["turns_per_s"]
        line += (f", {ratio:.2f}x stock (target >= {TARGET_STOCK_RATIO:.0f}x: "
                 f"{'met' if ratio >= TARGET_STOCK_RATIO else 'not met'})")
    print(line)


def print_history(target: str, results: dict[int, list[Outcome]]) -> dict[str, Any]:
    scale = ratios(results)
    print(f"\nhistory sweep [{target}]: one SMS 'where is my order' per conversation")
    out = {}
    for size, outcomes in results.items():
        s = summarise([o.latency_ms for o in outcomes])
        failed = sum(1 for o in outcomes if o.error)
        print(f"  {size:5} events: n={s['n']} median {s['p50']:7.0f} ms  p95 {s['p95']:7.0f} ms"
              f"  {scale.get(size, 0):5.2f}x vs {min(results)} events  errors {failed}")
        out[str(size)] = {**s, "ratio": scale.get(size), "errors": failed}
    return out


# -- stack ----------------------------------------------------------------------------------
def training_elsewhere(marker: str) -> bool:
    """True while a ``rasa train`` with ``marker`` among its arguments is running."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"train" in args and marker.encode() in args:
            return True
    return False


def wait_for_training(stale: Any, marker: str, what: str, poll_s: float = 15.0) -> None:
    """Don't train a model another process is training (``stale()``: it is still missing)."""
    while stale() and training_elsewhere(marker):
        print(f"waiting for another process training {what} ...", flush=True)
        time.sleep(poll_s)


def patient_waits(minimum_s: float = 900.0) -> None:
    """Give every service start at least ``minimum_s``: on 2 cores shared with other jobs two
    Rasa processes loading a model at once took over the stack's 300 s."""
    wait_until = procs.wait_until

    def waiting(check: Any, timeout: float, *args: Any, **kwargs: Any) -> None:
        wait_until(check, max(timeout, minimum_s), *args, **kwargs)

    procs.wait_until = waiting  # type: ignore[assignment]


def start_stock(stack_env: dict[str, str], model: Path) -> tuple[list[procs.Managed], Target]:
    """Stock Rasa plus a gateway in front of it (same action server, MongoDB and secrets)."""
    rasa, rasa_url = load_stock.start_stock_rasa(stack_env, model, RUN_DIR)
    port = str(procs.free_port())
    env = {**stack_env, "RASA_URL": rasa_url, "RASA_URLS": rasa_url, "GATEWAY_PORT": port}
    gateway = procs.start("gateway-stock", gateway_argv(port), env=env, run_dir=RUN_DIR)
    started = [gateway, rasa]
    try:
        procs.wait_until(lambda: rasa_has_model(rasa_url, stack_env["RASA_AUTH_TOKEN"]),
                         600, "stock Rasa server", rasa)
        procs.wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/healthz"), 60,
                         "stock gateway", gateway)
    except Exception:
        for proc in started:
            proc.stop()
        raise
    return started, Target("stock", f"http://127.0.0.1:{port}", stack_env["VOICE_WEBHOOK_TOKEN"],
                           stack_env["TWILIO_AUTH_TOKEN"], PUBLIC_BASE_URL)


def seeded_customers(env: dict[str, str]) -> tuple[list[str], list[str]]:
    """(phone numbers of every seeded customer, ids of the demo customers), by customer id."""
    from pymongo import MongoClient

    from bot.schema import CUSTOMERS

    client: MongoClient = MongoClient(env["MONGODB_URI"])
    try:
        docs = list(client[env["MONGODB_DB"]][CUSTOMERS].find({}, {"phone": 1, "demo": 1}))
    finally:
        client.close()
    docs.sort(key=lambda d: d["_id"])
    return [d["phone"] for d in docs], [d["_id"] for d in docs if d.get("demo")]


def tracker_store(target: str, env: dict[str, str]) -> Any:
    """The tracker store the target's Rasa uses, for prefilling history conversations."""
    from rasa.core.tracker_store import MongoTrackerStore
    from rasa.shared.core.domain import Domain

    if target == "stock":
        return MongoTrackerStore(Domain.empty(), host=env["MONGODB_URI"], db=env["MONGODB_DB"],
                                 collection=load_stock.STOCK_COLLECTION)
    from components.stores import ExpiringMongoTrackerStore

    return ExpiringMongoTrackerStore(Domain.empty(), host=env["MONGODB_URI"],
                                     db=env["MONGODB_DB"], collection="conversations")


# -- the run --------------------------------------------------------------------------------
async def run_levels(args: argparse.Namespace, targets: list[Target], phones: list[str],
                     demo: list[str]) -> list[dict[str, Any]]:
    pids = {**load_procs.pids_from_run_dir(RUN_DIR), "bench": os.getpid()}
    names = {"ours": [n for n in pids if "stock" not in n],
             "stock": [n for n in STOCK_PROCESSES if n in pids]}
    for target in targets:  # warm-up: every Rasa process loads its lazies, caches fill
        await run_level(target, 2, args.warmup, Mix(args.seed + 1, args.channel_weights),
                        Identities(phones, demo, seed=args.seed + 1))
    reports = []
    for index, level in enumerate(args.level_list):
        order = targets if index % 2 == 0 else list(reversed(targets))
        for target in order:  # the same customers and conversations for both targets
            mix = Mix(args.seed + level, args.channel_weights, args.verified_share)
            ids = Identities(phones, demo, seed=args.seed + level)
            watched = {n: pids[n] for n in names[target.name]}
            before = load_procs.sample(watched)
            result = await run_level(target, level, args.turns, mix, ids, args.think_ms)
            after = load_procs.sample(watched)
            cpu = load_procs.cpu_ms_per_turn(before, after, len(result.outcomes))
            report = level_report(result, cpu, {n: u.rss_bytes for n, u in after.items()})
            print_level(report)
            reports.append(report)
    return reports


async def run_history(args: argparse.Namespace, targets: list[Target], env: dict[str, str],
                      phones: list[str], warmup_phone: str) -> dict[str, Any]:
    out = {}
    for target in targets:
        results = await sweep(target, lambda name=target.name: tracker_store(name, env),
                              env["CONVERSATION_ID_SECRET"], phones, args.history_turns,
                              args.size_tuple, warmup_phone=warmup_phone)
        out[target.name] = print_history(target.name, results)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(f"bench/load.py {' '.join(sys.argv[1:])} at {started_at}, {os.cpu_count()} CPU(s), "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    if not args.no_stock and not load_stock.speedups_free():
        print("error: the gateway channel now imports project speed-ups or stores; the "
              "stock baseline would not be stock", file=sys.stderr)
        return 2
    patient_waits()
    wait_for_training(training.is_stale, str(ROOT / "models"), "models/pharmacy.tar.gz")
    for pidfile in RUN_DIR.glob("*.pid"):  # left by an earlier run that crashed: not ours now
        print(f"note: removing stale pidfile {pidfile} (its process is not touched)")
        pidfile.unlink()
    voice_token, twilio_token = secrets.token_urlsafe(32), secrets.token_hex(16)
    extra = {"REDIS_URL": args.redis_url, "MONGODB_DB": "pharmacy_load",
             "TRUST_PROXY_HEADERS": "1", "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
             "TWILIO_AUTH_TOKEN": twilio_token}
    stack, stock_procs = None, []
    try:
        stack = start_stack(voice_token, "load", extra, run_dir=RUN_DIR)
        env = stack.env
        targets = [Target("ours", f"http://127.0.0.1:{env['GATEWAY_PORT']}", voice_token,
                          twilio_token, PUBLIC_BASE_URL)]
        if not args.no_stock:
            stock_model = load_stock.stock_model_path(epochs=args.stock_epochs)
            config_name = stock_model.name.removesuffix(".tar.gz") + "-config.yml"
            wait_for_training(lambda: not stock_model.exists(),
                              str(load_stock.MODELS_DIR / config_name), stock_model.name)
            model = load_stock.train_stock_model(force=args.retrain_stock,
                                                 epochs=args.stock_epochs)
            print("starting stock Rasa and its gateway ...", flush=True)
            stock_procs, stock_target = start_stock(env, model)
            targets.append(stock_target)
        phones, demo = seeded_customers(env)
        reserved = len(args.size_tuple) * args.history_turns if not args.no_history else 0
        load_phones, history_phones = phones[:len(phones) - reserved], phones[-reserved:]
        print(f"stack up: {len(phones)} seeded customers ({len(demo)} demo), "
              f"Rasa processes {env['RASA_PROCESSES']}; load average {os.getloadavg()[0]:.2f}",
              flush=True)
        reports = asyncio.run(run_levels(args, targets, load_phones, demo))
        if len(targets) > 1:
            print_ratios(reports)
        print_targets(reports)
        path = args.json or ROOT / "results" / f"load-{started_at.replace(':', '')}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"started_at": started_at, "argv": sys.argv[1:], "cpus": os.cpu_count(),
                  "levels": reports, "history": {}}
        path.write_text(json.dumps(record, indent=1))
        if not args.no_history:
            record["history"] = asyncio.run(run_history(args, targets, env, history_phones,
                                                        load_phones[0]))
            path.write_text(json.dumps(record, indent=1))
        print(f"\nresults: {path}; load average at the end {os.getloadavg()}")
    finally:
        for proc in stock_procs:
            proc.stop()
        if stack is not None:
            stack.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
