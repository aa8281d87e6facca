"""Command line: ``python -m bot seed | init-db | status | staff add``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from urllib.parse import urlparse

from bot import desk, staff_cli
from bot import seed as seed_module
from bot.cache import get_cache
from bot.config import SettingsError, load_store_settings
from bot.db import get_db, ping
from bot.errors import StoreUnavailable
from bot.schema import ensure_indexes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    seed_p = sub.add_parser("seed", help="load demo data (replaces every collection's contents)")
    seed_p.add_argument("--anchor", help="anchor date YYYY-MM-DD (default: today in IST)")
    seed_p.add_argument("--if-needed", action="store_true",
                        help="only seed when the database has no data from the current catalogue")
    seed_p.add_argument("--force", action="store_true", help="allow a non-local MongoDB")
    sub.add_parser("init-db", help="create indexes")
    sub.add_parser("status", help="print whether MongoDB and Redis answer")
    staff_cli.add_arguments(sub.add_parser("staff", help="care-desk staff accounts"))
    args = parser.parse_args(argv)
    try:
        settings = load_store_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    try:
        if args.command == "status":
            print(json.dumps({"mongodb": ping(settings), "redis": get_cache(settings).ping()}))
            return 0
        db = get_db(settings)
        if args.command == "staff":
            return staff_cli.run(db, args)
        if args.command == "init-db":
            ensure_indexes(db)
            desk.ensure_indexes(db)  # care desk: staff, sessions, audit, ticket messages
            print("indexes ready")
            return 0
        host = urlparse(settings.mongodb_uri).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1") and not args.force:
            print(f"refusing to seed the non-local MongoDB at {host}: it replaces every "
                  "collection's contents; pass --force if you mean it", file=sys.stderr)
            return 2
        if args.if_needed and seed_module.is_seeded(db):
            print("demo data already loaded")
            return 0
        anchor = date.fromisoformat(args.anchor) if args.anchor else None
        counts = seed_module.seed(db, get_cache(settings), anchor)
        print("seeded " + ", ".join(f"{name}={n}" for name, n in counts.items()))
        return 0
    except StoreUnavailable as exc:
        print(f"error: {exc.message} ({settings.mongodb_uri})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
