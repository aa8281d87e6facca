"""Chaos benchmark of the notification outbox: nothing lost, nothing sent twice.

``python -m bench.notify_chaos [--count 10000] [--workers 2] [--threads 8]``

Starts a private SecantusDB and a private Redis (never the shared ones), an SNS stand-in
that speaks the SNS Query API over HTTP (the workers reach it through the real boto3 /
botocore client and ``channels.outbound.sns_sms``), and ``--workers`` worker processes
(``NotifyWorker``: Dramatiq on the private Redis plus the leased sweeper). It creates
``--count`` notifications and queues them. The stand-in fails 20 % of publishes
transiently (HTTP 500 InternalError / 400 Throttling), 1 % permanently (400
InvalidParameter) and, for 2 %, accepts the message and then answers after the client's
read timeout. Mid-run one worker is SIGKILLed and restarted, and Redis is SIGKILLed
(no persistence: every queued message is gone) and restarted.

Prints: delivered exactly once, dead (by reason), duplicates (two accepted publishes the
sender both knew about: must be 0), duplicates caused by sends the provider accepted but
never acknowledged (timeouts after accepting, a worker killed mid-send: counted
separately), lost (not finished, or finished without reaching the provider: must be 0),
throughput and the p95 time from the event to the provider's acceptance.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from bench.stats import percentile

READ_TIMEOUT = 1.0  # the workers' boto3 read timeout; a "late" answer comes after it
XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"


# -- the SNS stand-in -------------------------------------------------------------------
class StandIn:
    """Decides each publish's fate and records every accepted one."""

    def __init__(self, seed: int, transient: float, permanent: float, late: float) -> None:
        self.rng = random.Random(seed)
        self.transient, self.permanent, self.late = transient, permanent, late
        self.lock = threading.Lock()
        self.accepted: list[dict[str, Any]] = []  # {message_id, text, at, late}
        self.calls = Counter()

    def decide(self) -> str:
        with self.lock:
            roll = self.rng.random()
        if roll < self.permanent:
            return "permanent"
        if roll < self.permanent + self.transient:
            return "transient"
        if roll < self.permanent + self.transient + self.late:
            return "late"
        return "ok"

    def accept(self, text: str, late: bool) -> str:
        message_id = str(uuid.uuid4())
        with self.lock:
            self.accepted.append({"message_id": message_id, "text": text,
                                  "at": time.time(), "late": late})
        return message_id


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: str) -> None:
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timed out) first
                pass

        def _error(self, status: int, kind: str, code: str) -> None:
            self._send(status, f'<ErrorResponse xmlns="{XMLNS}"><Error><Type>{kind}</Type>'
                               f"<Code>{code}</Code><Message>{code}</Message></Error>"
                               f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
            if form.get("Action") != ["Publish"]:
                self._error(400, "Sender", "InvalidAction")
                return
            fate = stand_in.decide()
            stand_in.calls[fate] += 1
            if fate == "permanent":
                self._error(400, "Sender", "InvalidParameter")
                return
            if fate == "transient":
                if random.random() < 0.5:
                    self._error(500, "Receiver", "InternalError")
                else:
                    self._error(400, "Sender", "Throttling")
                return
            message_id = stand_in.accept(form.get("Message", [""])[0], fate == "late")
            if fate == "late":
                time.sleep(READ_TIMEOUT * 1.5)
            self._send(200, f'<PublishResponse xmlns="{XMLNS}"><PublishResult><MessageId>'
                            f"{message_id}</MessageId></PublishResult><ResponseMetadata>"
                            f"<RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                            "</PublishResponse>")

    return Handler


# -- a worker process -------------------------------------------------------------------
def run_worker() -> int:
    """One worker process: real SnsProvider on a boto3 client pointed at the stand-in."""
    import logging

    import boto3
    from botocore.config import Config

    from bot.notify.providers import SnsProvider
    from bot.notify.settings import NotifySettings
    from bot.notify.worker import NotifyWorker

    logging.basicConfig(level=logging.WARNING)
    client = boto3.client(
        "sns", region_name="ap-south-1", endpoint_url=os.environ["CHAOS_SNS_URL"],
        aws_access_key_id="chaos", aws_secret_access_key="chaos",
        config=Config(connect_timeout=1.0, read_timeout=READ_TIMEOUT,
                      retries={"max_attempts": 1}, max_pool_connections=32))
    worker = NotifyWorker(NotifySettings.load(), providers={
        "sms": SnsProvider(client, sender_id="PHARMA", entity_id="1101")})
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    worker.start()
    stopped.wait()
    worker.stop()
    return 0


# -- the run ----------------------------------------------------------------------------
def _start_redis(port: int, run_dir: Path) -> Any:
    from bot.runtime import procs, stores

    proc = procs.start("chaos-redis", [stores.redis_server_binary(), "--bind", "127.0.0.1",
                                       "--port", str(port), "--save", "", "--appendonly", "no",
                                       "--dir", str(run_dir)], run_dir=run_dir)
    procs.wait_until(lambda: procs.port_open("127.0.0.1", port), 30, "chaos Redis", proc)
    return proc


def _kill(proc: Any) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.popen.wait(timeout=10)
    proc.stopped = True


def _seed(db: Any, count: int) -> list[str]:
    from bot.notify import outbox
    from bot.notify.store import NOTIFICATIONS, ensure_indexes

    ensure_indexes(db)
    customers = max(1, count // 10)
    db.customers.insert_many([{"_id": f"CH{i:06d}", "phone": f"+9197{i:08d}",
                               "language": "English"} for i in range(customers)])
    ids = []
    for start in range(0, count, 1000):
        batch = []
        for i in range(start, min(count, start + 1000)):
            doc = outbox.new_notification(
                order_id=f"MLC{i:07d}", kind="shipped", customer_id=f"CH{i % customers:06d}",
                channel="sms", text=f"Order MLC{i:07d} has shipped with Delhivery.",
                language="en", template_id="1107172000000000201", urgent=True)
            doc["event_at"] = doc["created_at"]
            batch.append(doc)
            ids.append(doc["_id"])
        db[NOTIFICATIONS].insert_many(batch)
    return ids


def report(db: Any, stand_in: StandIn, ids: list[str], elapsed: float) -> dict[str, Any]:
    """The figures of a finished (or timed-out) run."""
    from bot.notify.store import NOTIFICATIONS

    docs = {d["_id"]: d for d in db[NOTIFICATIONS].find(
        {}, {"state": 1, "reason": 1, "provider_message_id": 1, "duplicate_ids": 1,
             "event_at": 1, "ambiguous_attempts": 1, "order_id": 1})}
    by_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for accepted in stand_in.accepted:
        by_order[accepted["text"].split()[1]].append(accepted)
    once = dead = lost = true_dups = unacked_dups = 0
    reasons: Counter[str] = Counter()
    lags = []
    for nid in ids:
        doc = docs.get(nid) or {}
        accepts = sorted(by_order.get(doc.get("order_id", ""), []), key=lambda a: a["at"])
        known = {doc.get("provider_message_id"), *(doc.get("duplicate_ids") or [])} - {None}
        state = doc.get("state")
        if state == "dead":
            dead += 1
            reasons[str(doc.get("reason"))] += 1
        elif state not in ("sent", "delivered", "undelivered") or not accepts:
            lost += 1
            continue
        if accepts and doc.get("event_at"):
            lags.append(accepts[0]["at"] - doc["event_at"].timestamp())
        acknowledged = [a for a in accepts if a["message_id"] in known]
        if len(acknowledged) > 1:
            true_dups += 1
        elif len(accepts) > 1:
            unacked_dups += 1
        elif len(accepts) == 1 and state != "dead":
            once += 1
    finished = sum(1 for nid in ids if (docs.get(nid) or {}).get("state") in
                   ("sent", "delivered", "undelivered", "dead"))
    return {
        "notifications": len(ids),
        "delivered_exactly_once": once,
        "dead": dead,
        "dead_reasons": dict(reasons.most_common()),
        "duplicates": true_dups,
        "duplicates_from_accepted_but_unacknowledged_sends": unacked_dups,
        "lost": lost,
        "provider_calls": dict(stand_in.calls),
        "elapsed_s": round(elapsed, 1),
        "throughput_per_s": round(finished / elapsed, 1) if elapsed else None,
        "p95_event_to_provider_s": round(percentile(lags, 95), 3) if lags else None,
        "p50_event_to_provider_s": round(percentile(lags, 50), 3) if lags else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notify_chaos")
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "worker"])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    if args.mode == "worker":
        return run_worker()

    from pymongo import MongoClient

    from bot.notify.queue import NotifyQueue, make_broker
    from bot.notify.store import NOTIFICATIONS
    from bot.runtime import procs, stores

    run_dir = Path(tempfile.mkdtemp(prefix="notify-chaos-"))
    mongo_uri = f"mongodb://127.0.0.1:{procs.free_port()}"
    redis_port = procs.free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    stand_in = StandIn(args.seed, transient=0.20, permanent=0.01, late=0.02)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "MONGODB_URI": mongo_uri, "MONGODB_DB": "chaos", "REDIS_URL": redis_url,
        "REDIS_PREFIX": "chaos:", "CHAOS_SNS_URL": f"http://127.0.0.1:{server.server_port}",
        "NOTIFY_WORKER_THREADS": str(args.threads), "NOTIFY_MAX_ATTEMPTS": "12",
        "NOTIFY_RETRY_BASE_SECONDS": "0.2", "NOTIFY_RETRY_CAP_SECONDS": "3",
        "NOTIFY_LEASE_SECONDS": "10", "NOTIFY_SWEEP_SECONDS": "1",
        "NOTIFY_SWEEP_GRACE_SECONDS": "5", "PYTHONPATH": str(Path(__file__).parent.parent),
    }
    mongo = stores.ensure_mongo(mongo_uri, run_dir / "mongo", run_dir=run_dir)
    redis = _start_redis(redis_port, run_dir)
    workers: list[Any] = []
    client = MongoClient(mongo_uri, tz_aware=True)
    db = client["chaos"]
    try:
        ids = _seed(db, args.count)
        queue = NotifyQueue(make_broker(redis_url, "chaos:"))

        def start_worker(n: int) -> Any:
            return procs.start(f"chaos-worker-{n}", [sys.executable, "-m", "bench.notify_chaos",
                                                     "worker"], env=env, run_dir=run_dir)

        workers = [start_worker(n) for n in range(args.workers)]
        started = time.time()
        for nid in ids:
            queue.enqueue(nid)
        killed_worker = restarted_redis = False
        deadline = started + args.timeout
        while time.time() < deadline:
            done = db[NOTIFICATIONS].count_documents(
                {"state": {"$in": ["sent", "delivered", "undelivered", "dead"]}})
            print(f"\r{done}/{len(ids)} finished", end="", file=sys.stderr, flush=True)
            if done >= len(ids):
                break
            if not killed_worker and done >= 0.3 * len(ids):
                killed_worker = True
                _kill(workers[0])
                print("\n  SIGKILL worker 0", file=sys.stderr)
                time.sleep(2)
                workers[0] = start_worker(0)
            if not restarted_redis and done >= 0.6 * len(ids):
                restarted_redis = True
                _kill(redis)
                print("\n  SIGKILL Redis (queue lost)", file=sys.stderr)
                time.sleep(1)
                redis = _start_redis(redis_port, run_dir)
            time.sleep(2)
        elapsed = time.time() - started
        print(file=sys.stderr)
        time.sleep(READ_TIMEOUT * 2)  # late answers still in flight
        figures = report(db, stand_in, ids, elapsed)
        figures["worker_killed"], figures["redis_restarted"] = killed_worker, restarted_redis
        # Stopped by --timeout: the unfinished ones count as "lost" but were never given
        # the time to finish; only a run that finished proves the "lost" figure.
        figures["timed_out"] = figures["lost"] > 0 and time.time() >= deadline
    finally:
        for worker in workers:
            worker.stop(timeout=10)
        redis.stop()
        if mongo:
            mongo.stop()
        client.close()
        server.shutdown()
        shutil.rmtree(run_dir, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    return 0 if figures["lost"] == 0 and figures["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
