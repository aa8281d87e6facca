"""``python -m bot.notify worker | stats | load-sns-logs FILE``.

- ``worker``: run a notification worker (Dramatiq threads + the leased sweeper) until
  SIGTERM / Ctrl-C;
- ``stats``: print notifications by state and the delivery rate;
- ``load-sns-logs FILE``: apply an export of SNS SMS delivery-status logs (CloudWatch
  Logs lines) to the outbox.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading

from bot.config import SettingsError
from bot.logging_setup import setup as setup_logging
from bot.notify.settings import NotifySettings


def _worker(settings: NotifySettings) -> int:
    from bot.notify.worker import NotifyWorker

    worker = NotifyWorker(settings)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    worker.start()
    stopped.wait()
    worker.stop()
    return 0


def _stats(settings: NotifySettings) -> int:
    from bot.db import get_db
    from bot.notify.metrics import delivery_rate
    from bot.notify.store import NOTIFICATIONS

    db = get_db(settings)
    states = {d["_id"]: d["n"] for d in db[NOTIFICATIONS].aggregate(
        [{"$group": {"_id": "$state", "n": {"$sum": 1}}}])}
    print(json.dumps({"states": states, "delivery": delivery_rate(db)}, indent=2))
    return 0


def _load(settings: NotifySettings, path: str) -> int:
    from bot.db import get_db
    from bot.notify.receipts import load_sns_logs

    with open(path, encoding="utf-8", errors="replace") as handle:
        print(json.dumps(load_sns_logs(get_db(settings), handle)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.notify")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("worker", help="run a notification worker")
    sub.add_parser("stats", help="notifications by state and the delivery rate")
    load = sub.add_parser("load-sns-logs", help="apply SNS delivery-status log lines")
    load.add_argument("file")
    args = parser.parse_args(argv)
    if args.command == "worker":
        setup_logging("notify-worker")  # JSON lines, phone numbers masked
    else:
        logging.basicConfig(level=logging.WARNING)
    try:
        settings = NotifySettings.load()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "worker":
        return _worker(settings)
    if args.command == "stats":
        return _stats(settings)
    return _load(settings, args.file)


if __name__ == "__main__":
    sys.exit(main())
