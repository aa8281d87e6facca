"""``python -m bot.notify worker``: run a notification worker until SIGTERM / Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from bot.config import SettingsError
from bot.notify.settings import NotifySettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.notify")
    parser.add_argument("command", choices=["worker"])
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = NotifySettings.load()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from bot.notify.worker import NotifyWorker

    worker = NotifyWorker(settings)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    worker.start()
    stopped.wait()
    worker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
