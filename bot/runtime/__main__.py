"""``python -m bot.runtime run | test | stop | train`` (what the Makefile calls)."""

from __future__ import annotations

import argparse
import fcntl
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from bot import desk_demo
from bot.config import ROOT
from bot.runtime import procs, training
from bot.runtime.stack import Stack
from bot.runtime.supervisor import Supervisor

# `make test` runs its own stack beside a `make run` one; TEST_* variables move its ports.
TEST_OVERRIDES = {
    "MONGODB_URI": os.environ.get("TEST_MONGODB_URI", "mongodb://127.0.0.1:27117"),
    "MONGODB_DB": "pharmacy_test",
    "RASA_PORT": os.environ.get("TEST_RASA_PORT", "5105"),
    # One Rasa process: tests/runtime/test_rasa_failover.py starts a second one itself.
    "RASA_PROCESSES": os.environ.get("TEST_RASA_PROCESSES", "1"),
    "ACTION_PORT": os.environ.get("TEST_ACTION_PORT", "5155"),
    "ACTION_PROCESSES": os.environ.get("TEST_ACTION_PROCESSES", "1"),
    "GATEWAY_PORT": os.environ.get("TEST_GATEWAY_PORT", "8100"),
    # Channel webhooks (tests/e2e/test_channels_*.py sign their requests with these, read
    # from the environment): random per run, like the secrets in .run/test/secrets.env.
    "TWILIO_AUTH_TOKEN": secrets.token_hex(16),  # Twilio's format: 32 hex digits
    "WHATSAPP_VERIFY_TOKEN": secrets.token_urlsafe(32),
    "WHATSAPP_APP_SECRET": secrets.token_hex(16),
    "WHATSAPP_ACCESS_TOKEN": secrets.token_urlsafe(48),
    "WHATSAPP_API_BASE_URL": f"http://127.0.0.1:{procs.free_port()}/v21.0",  # the test's stub
    "VOICE_WEBHOOK_TOKEN": secrets.token_urlsafe(32),
    "ORDER_EVENTS_TOKEN": "e2e-order-events-token-0123456789abcdef",  # tests/e2e/test_notify*
    # The URL Twilio signs (tests/e2e/test_channels_twilio.py): without it Twilio is refused.
    "PUBLIC_BASE_URL": f"http://127.0.0.1:{os.environ.get('TEST_GATEWAY_PORT', '8100')}",
    "SNS_ALLOWED_TOPIC_ARNS": "arn:aws:sns:ap-south-1:123456789012:pharmacy-inbound-sms",
    "SNS_EXTRA_CERT_HOSTS": "localhost",  # the test serves its signing cert on https://localhost
    "SSL_CERT_DIR": str(procs.RUN_DIR / "test" / "e2e-ca"),  # that test puts its CA here
    "AWS_ENDPOINT_URL_SNS": f"http://127.0.0.1:{procs.free_port()}",  # the test's moto server
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "ap-south-1",
    "SMS_SENDER_ID": "PHARMA",
    "SMS_DLT_ENTITY_ID": "1101234567890123456",
    "SMS_DLT_TEMPLATE_ID": "1107161234567890123",
}


class _Stop(Exception):
    pass


def _ignore_stop_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _raise_stop(signum: int, frame: object) -> None:
    # The first signal stops the run; repeats (make forwards SIGTERM, a second Ctrl-C) are
    # ignored from here on so they can't interrupt the stopping.
    _ignore_stop_signals()
    raise _Stop()


def _stop_without_interruption(stack: Stack) -> None:
    """Stop what the stack started; further SIGTERM/SIGINT can't abort the stopping.

    GNU make forwards SIGTERM to its child, so a ``kill -TERM`` to the ``make run`` process
    group (or a second Ctrl-C) arrives again while we are stopping: raising then would leave
    the servers running.
    """
    _ignore_stop_signals()
    stack.down()


def run() -> int:
    stack = Stack.from_environment()
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        stack.up(ROOT / ".data")
        print(stack.describe(), flush=True)
        desk_line = desk_demo.announce(stack.env, stack.run_dir)  # demo mode only
        if desk_line:
            print(desk_line, flush=True)
        # A service that exits is started again with backoff (bot/runtime/supervisor.py);
        # only one that keeps failing stops the run.
        supervisor = Supervisor(stack.started)
        while True:
            reason = supervisor.check()
            if reason:
                print(f"error: {reason}", file=sys.stderr)
                return 1
            time.sleep(1)
    except (KeyboardInterrupt, _Stop):
        print("\nstopping ...", flush=True)
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        _stop_without_interruption(stack)


def _exclusive(run_dir: Path) -> IO[str] | None:
    """Hold a lock for this test run; None if another test run in this tree holds it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    handle = open(run_dir / "lock", "a+")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def test(pytest_args: list[str]) -> int:
    run_dir = procs.RUN_DIR / "test"
    lock = _exclusive(run_dir)
    if lock is None:
        print("error: another `make test` is running in this checkout; wait for it to finish "
              "(or move this run with TEST_* ports and a separate clone)", file=sys.stderr)
        return 1
    procs.stop_from_pidfiles(run_dir)  # a previous test run that was killed
    data_dir = run_dir / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    # Each run's service logs start empty (the log tests read them whole); the previous
    # run's stay beside them for a look.
    shutil.rmtree(run_dir / "logs.previous", ignore_errors=True)
    if (run_dir / "logs").exists():
        (run_dir / "logs").rename(run_dir / "logs.previous")
    stack = Stack.from_environment(TEST_OVERRIDES, run_dir=run_dir)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        stack.up(data_dir, reseed=True)
        env = {**os.environ, **stack.env, "ASSISTANT_STACK_UP": "1"}
        code = subprocess.run(
            [sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=env
        ).returncode
        if code == 5:
            print("error: pytest collected no tests", file=sys.stderr)
            return 1
        return code
    except (KeyboardInterrupt, _Stop):
        return 130
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        _stop_without_interruption(stack)
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.runtime")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start everything in the foreground")
    test_p = sub.add_parser("test", help="start a test stack, run pytest, stop it")
    test_p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    sub.add_parser("stop", help="stop services left by an earlier run (by pidfile)")
    sub.add_parser("train", help="train the model if it is missing or stale")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.command == "run":
        return run()
    if args.command == "test":
        pytest_args = [a for a in args.pytest_args if a != "--"]
        return test(pytest_args or ["tests"])
    if args.command == "stop":
        stopped = procs.stop_from_pidfiles() + procs.stop_from_pidfiles(procs.RUN_DIR / "test")
        print("stopped: " + (", ".join(stopped) or "nothing"))
        return 0
    if args.command == "train":
        training.train_if_stale()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
