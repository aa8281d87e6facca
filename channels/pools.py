"""Bounded thread pools for the gateway's blocking calls.

Store calls (MongoDB, Redis fallbacks) go through ``asyncio.to_thread``, i.e. the event
loop's default executor, which :func:`install` replaces with a bounded pool. Slow calls
to outside services (SNS certificate fetch, SNS publish, WhatsApp Graph send) run in a
separate small pool through :func:`run_slow`, so a slow provider can't take the threads
the store calls need; when too many slow calls are already waiting, :class:`PoolBusy`
is raised at once instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

STORE_WORKERS = 16
SLOW_WORKERS = 4
SLOW_MAX_PENDING = 32


class PoolBusy(RuntimeError):
    """Too many slow outside calls are queued already; try again later."""


class SlowPool:
    """A small thread pool with a cap on queued plus running calls."""

    def __init__(self, workers: int = SLOW_WORKERS, max_pending: int = SLOW_MAX_PENDING) -> None:
        self.workers = workers
        self.max_pending = max(workers, max_pending)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slow-io")
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return self._pending

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``func(*args, **kwargs)`` in the pool; PoolBusy if the pool is full."""
        with self._lock:
            if self._pending >= self.max_pending:
                raise PoolBusy(f"{self._pending} slow calls pending")
            self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._executor, functools.partial(func, *args, **kwargs)
            )
        finally:
            with self._lock:
                self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


_slow: SlowPool | None = None
_slow_lock = threading.Lock()


def slow_pool() -> SlowPool:
    """The process's slow-call pool (made on first use if :func:`install` was not called)."""
    global _slow
    with _slow_lock:
        if _slow is None:
            _slow = SlowPool()
        return _slow


async def run_slow(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking call to an outside service in the slow pool (see :class:`SlowPool`)."""
    return await slow_pool().run(func, *args, **kwargs)


def install(
    loop: asyncio.AbstractEventLoop,
    store_workers: int = STORE_WORKERS,
    slow_workers: int = SLOW_WORKERS,
    slow_max_pending: int = SLOW_MAX_PENDING,
) -> ThreadPoolExecutor:
    """Give ``loop`` a bounded default executor and start a fresh slow pool."""
    global _slow
    executor = ThreadPoolExecutor(max_workers=store_workers, thread_name_prefix="store")
    loop.set_default_executor(executor)
    with _slow_lock:
        if _slow is not None:
            _slow.shutdown()
        _slow = SlowPool(slow_workers, slow_max_pending)
    log.info("thread pools: %d for stores, %d for outside calls", store_workers, slow_workers)
    return executor


def shutdown() -> None:
    """Stop the slow pool (the default executor is shut down with its loop)."""
    global _slow
    with _slow_lock:
        if _slow is not None:
            _slow.shutdown()
            _slow = None
