"""The Dramatiq queue the outbox is drained through (Redis, the project's existing one).

Only notification ids travel through Redis; the outbox in MongoDB stays the source of
truth, so a lost queue (Redis restarted, a message dropped) is repaired by the sweeper.
The gateway enqueues with :class:`NotifyQueue` and needs no actor code; the worker
(:mod:`bot.notify.worker`) declares the actor of the same name on the same queue.
"""

from __future__ import annotations

from typing import Any

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

QUEUE = "notifications"
ACTOR = "send_notification"
HEARTBEAT_MS = 15_000  # a dead worker's unacked messages go back to the queue after this


def make_broker(redis_url: str, prefix: str, heartbeat_ms: int = HEARTBEAT_MS) -> RedisBroker:
    """A RedisBroker whose keys live under ``{prefix}dramatiq``."""
    return RedisBroker(url=redis_url, namespace=f"{prefix}dramatiq",
                       heartbeat_timeout=heartbeat_ms, socket_timeout=5,
                       socket_connect_timeout=2)


class NotifyQueue:
    """Puts notification ids on the ``notifications`` queue (optionally delayed)."""

    def __init__(self, broker: RedisBroker) -> None:
        self.broker = broker
        broker.declare_queue(QUEUE)

    def enqueue(self, nid: str, delay_seconds: float = 0.0) -> None:
        """Queue one send attempt of ``nid``; raises if Redis is unreachable."""
        message: Message[Any] = Message(queue_name=QUEUE, actor_name=ACTOR, args=(nid,),
                                        kwargs={}, options={})
        delay = int(delay_seconds * 1000) if delay_seconds > 0 else None
        self.broker.enqueue(message, delay=delay)

    def backlog(self) -> int:
        """Messages waiting in the queue (not yet taken by a worker)."""
        return int(self.broker.client.llen(f"{self.broker.namespace}:{QUEUE}"))
