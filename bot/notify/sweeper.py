"""The sweeper: one leased loop that keeps the outbox moving whatever happened to Redis.

Every few seconds the holder of the ``notify-sweeper`` lease (in MongoDB ``leases``; any
worker process may hold it, one at a time) applies events the order system inserted into
``order_events``, fires due refill reminders into the outbox, and re-enqueues every
notification that is overdue (its queue message was lost) or whose sending lease expired
(its worker died).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot.clock import now_utc
from bot.db import store_call
from bot.notify import events, outbox, refills
from bot.notify.store import LEASES, ensure_indexes

log = logging.getLogger(__name__)

SWEEPER_LEASE = "notify-sweeper"


def acquire(db: Database, name: str, owner: str, seconds: float,
            now: datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``seconds``; False while someone else holds it."""
    moment = now or now_utc()
    try:
        with store_call():
            doc = db[LEASES].find_one_and_update(
                {"_id": name, "$or": [{"until": {"$lt": moment}}, {"owner": owner}]},
                {"$set": {"owner": owner, "until": moment + timedelta(seconds=seconds)}},
                upsert=True,
            )
    except DuplicateKeyError:  # the lease exists and is held by someone else
        return False
    return doc is None or doc.get("owner") == owner or doc.get("until") < moment


def sweep(db: Database, enqueue: Callable[[str], None], grace_seconds: float,
          now: datetime | None = None, backlog: Callable[[], int] | None = None) -> int:
    """Apply pending collection events, fire due reminders and re-enqueue stuck
    notifications; how many were re-enqueued.

    Overdue ``pending`` ones are re-enqueued only while the queue has no backlog
    (``backlog()`` == 0): behind a backlog "overdue" means "still queued", not "lost";
    once the queue drains (or Redis restarted empty) every lost one is found.
    """
    moment = now or now_utc()
    ensure_indexes(db)
    applied = events.apply_pending(db, now=moment)
    for result in applied:
        if result.notification_id:
            _enqueue(enqueue, result.notification_id)
    for nid in refills.fire_due(db, moment):
        _enqueue(enqueue, nid)
    with store_call():
        stuck = outbox.due(db, moment, grace_seconds,
                           include_pending=backlog is None or _backlog(backlog) == 0)
        # Not picked again for another grace period while this queue message waits.
        db[outbox.NOTIFICATIONS].update_many(
            {"_id": {"$in": stuck}, "state": outbox.PENDING},
            {"$set": {"next_attempt_at": moment}})
    for nid in stuck:
        _enqueue(enqueue, nid)
    if stuck:
        log.info("sweeper re-enqueued %d notification(s)", len(stuck))
    return len(stuck)


def _enqueue(enqueue: Callable[[str], None], nid: str) -> None:
    try:
        enqueue(nid)
    except Exception as exc:  # noqa: BLE001 - Redis down: the next sweep tries again
        log.warning("could not enqueue %s: %s", nid, type(exc).__name__)


def _backlog(backlog: Callable[[], int]) -> int:
    try:
        return backlog()
    except Exception:  # noqa: BLE001 - Redis down: its queue is gone, treat as empty
        return 0
