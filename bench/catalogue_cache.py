"""Catalogue lookup latency with and without the Redis cache, measured in one run.

Usage: $(make -s print-python) bench/catalogue_cache.py [--lookups 2000]

Starts SecantusDB (and an embedded Redis) on free ports unless MONGODB_URI /
REDIS_URL answer, seeds a scratch database, then times the same random
sequence of lookups (medicine by SKU, by brand, substitutes, centre by pincode)
through the cache and straight from MongoDB. Prints median, p95 and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import percentile  # noqa: E402
from bot.cache import Cache  # noqa: E402
from bot.catalogue import Catalogue  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.db import get_client  # noqa: E402
from bot.runtime import procs, stores  # noqa: E402
from bot.seed import seed  # noqa: E402


class NoCache(Cache):
    """The same code path with Redis switched off: every lookup goes to MongoDB."""

    def __init__(self) -> None:
        super().__init__("redis://127.0.0.1:1/0", "nocache:", 60)
        self._down_until = float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    started: list[procs.Managed] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    mongo_uri = os.environ.get("MONGODB_URI") or f"mongodb://127.0.0.1:{procs.free_port()}"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        for proc in (
            stores.ensure_mongo(mongo_uri, tmp / "mongo", run_dir=tmp),
            stores.ensure_redis(redis_url, run_dir=tmp),
        ):
            if proc:
                started.append(proc)
        settings = load_settings().replace(mongodb_uri=mongo_uri, redis_url=redis_url)
        db_name = f"bench_{uuid.uuid4().hex[:8]}"
        db = get_client(settings)[db_name]
        cache = Cache(redis_url, f"bench:{db_name}:", 3600)
        print(f"seeding {db_name} ...", flush=True)
        seed(db, cache)
        meds = list(db.medicines.find({}, {"_id": 1, "brand": 1}))
        pins = [p for c in db.fulfilment_centres.find() for p in c["pincodes"]]
        rng = random.Random(7)
        ops = []
        for _ in range(args.lookups):
            kind = rng.choice(["sku", "brand", "subs", "pin"])
            ops.append((kind, rng.choice(pins) if kind == "pin" else rng.choice(meds)))

        def run(catalogue: Catalogue) -> list[float]:
            timings = []
            for kind, arg in ops:
                t0 = time.perf_counter()
                if kind == "sku":
                    catalogue.medicine(arg["_id"])
                elif kind == "brand":
                    catalogue.medicine_by_brand(arg["brand"])
                elif kind == "subs":
                    catalogue.substitutes(arg["_id"])
                else:
                    catalogue.centre_for_pincode(arg)
                timings.append((time.perf_counter() - t0) * 1000)
            return timings

        cached = Catalogue(db, cache)
        run(cached)  # warm the cache: steady state is what production sees
        with_cache = run(cached)
        without = run(Catalogue(db, NoCache()))
        med_c, med_n = statistics.median(with_cache), statistics.median(without)
        p95_c, p95_n = percentile(with_cache, 95), percentile(without, 95)
        print(
            f"catalogue lookups: {args.lookups} (medicine by SKU, by brand, substitutes, "
            "centre by pincode; same sequence both ways)"
        )
        print(f"{'':22}{'median ms':>10}{'p95 ms':>10}")
        print(f"{'MongoDB only':22}{med_n:>10.3f}{p95_n:>10.3f}")
        print(f"{'through Redis cache':22}{med_c:>10.3f}{p95_c:>10.3f}")
        print(f"ratio (MongoDB / cache): median {med_n / med_c:.1f}x, p95 {p95_n / p95_c:.1f}x")
        get_client(settings).drop_database(db_name)
        return 0
    finally:
        for proc in reversed(started):
            proc.stop()


if __name__ == "__main__":
    sys.exit(main())
