"""channels.pools: bounded store executor, small capped pool for slow outside calls."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from channels import pools
from tests.channels.test_routes_common import running_gateway


def test_slow_calls_run_in_their_own_bounded_pool():
    async def main():
        pool = pools.SlowPool(workers=2, max_pending=2)
        names = await asyncio.gather(*[pool.run(lambda: threading.current_thread().name)
                                       for _ in range(2)])
        pool.shutdown()
        return names

    assert all(name.startswith("slow-io") for name in asyncio.run(main()))


def test_full_slow_pool_refuses_at_once():
    release = threading.Event()

    async def main():
        pool = pools.SlowPool(workers=1, max_pending=2)
        blocked = [asyncio.ensure_future(pool.run(release.wait, 5)) for _ in range(2)]
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(pools.PoolBusy):
            await pool.run(time.sleep, 0)
        refused_in = time.monotonic() - started
        release.set()
        await asyncio.gather(*blocked)
        assert pool.pending == 0
        await pool.run(time.sleep, 0)  # room again
        pool.shutdown()
        return refused_in

    assert asyncio.run(main()) < 0.5


def test_slow_calls_cannot_starve_store_calls():
    release = threading.Event()

    async def main():
        loop = asyncio.get_running_loop()
        pools.install(loop, store_workers=2, slow_workers=2, slow_max_pending=4)
        try:
            stuck = [asyncio.ensure_future(pools.run_slow(release.wait, 5)) for _ in range(4)]
            await asyncio.sleep(0.05)
            started = time.monotonic()
            name = await asyncio.wait_for(
                asyncio.to_thread(lambda: threading.current_thread().name), 2)
            waited = time.monotonic() - started
            release.set()
            await asyncio.gather(*stuck)
            return name, waited
        finally:
            pools.shutdown()

    name, waited = asyncio.run(main())
    assert name.startswith("store") and waited < 1


def test_gateway_installs_the_pools_and_the_access_log_filter(settings, scratch_db,
                                                                scratch_cache):
    import logging

    from channels.access_log import AccessLogFilter

    with running_gateway(settings, scratch_db, scratch_cache):
        assert pools._slow is not None
    assert any(isinstance(f, AccessLogFilter) for f in logging.getLogger("uvicorn.access").filters)
