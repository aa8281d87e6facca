"""Order events: move an order forward and create its notification in one transaction.

Events arrive two ways, both documented in docs/DATA_MODEL.md: ``POST /api/v1/order-events``
(:func:`apply_event`), or the order system inserting the same document into the
``order_events`` collection, which :func:`apply_pending` picks up. Either way the
``order_events`` document (``_id`` = ``event_id``) is the idempotency record: it is written
in the same MongoDB transaction as the order's new status and its outbox notification,
so an event is applied exactly once, and a repeat changes nothing.

Orders only move forward (``placed`` < ``confirmed`` < ``packed`` < ``shipped`` <
``out_for_delivery`` < ``delivered``; ``cancelled`` only before ``shipped``; ``returned``
only once shipped); a late or out-of-order event is recorded as ``stale`` and sends
nothing. Only ``confirmed``, ``shipped`` and ``out_for_delivery`` send a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot.clock import IST, ist_midnight, now_utc
from bot.db import store_call
from bot.errors import InvalidInput
from bot.notify import consent, outbox, refills, wording
from bot.notify.store import ORDER_EVENTS, ensure_indexes
from bot.schema import CUSTOMERS, ORDERS

FORWARD = ("placed", "confirmed", "packed", "shipped", "out_for_delivery", "delivered")
STATUSES = (*FORWARD, "cancelled", "returned")
NOTIFY_KINDS = ("confirmed", "shipped", "out_for_delivery")
TERMINAL = ("cancelled", "returned")

APPLIED, DUPLICATE, STALE, UNKNOWN_ORDER = "applied", "duplicate", "stale", "unknown_order"

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_TEXT_MAX = 64


@dataclass(frozen=True)
class OrderEvent:
    """A validated order event."""

    event_id: str
    order_id: str
    status: str
    occurred_at: datetime
    courier: str | None = None
    awb: str | None = None
    eta: date | None = None

    def document(self) -> dict[str, Any]:
        """The ``order_events`` fields the order system sends."""
        return {
            "_id": self.event_id, "order_id": self.order_id, "status": self.status,
            "occurred_at": self.occurred_at, "courier": self.courier, "awb": self.awb,
            "eta": ist_midnight(self.eta) if self.eta else None,
        }


@dataclass(frozen=True)
class EventResult:
    """What applying an event did: ``outcome`` and the notification it created, if any."""

    outcome: str
    event_id: str
    order_status: str | None = None
    notification_id: str | None = None


def _text(payload: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > _TEXT_MAX:
        raise InvalidInput(f"{name} must be a non-empty string of at most {_TEXT_MAX} "
                           "characters", field=name)
    return value.strip()


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            moment = None  # type: ignore[assignment]
    else:
        moment = None  # type: ignore[assignment]
    if moment is None:
        raise InvalidInput("occurred_at must be an ISO 8601 date-time", field="occurred_at")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidInput("eta must be an ISO date, e.g. 2026-12-08", field="eta") from None


def parse_event(payload: Any) -> OrderEvent:
    """Validate an event (the HTTP body or an ``order_events`` document); InvalidInput if bad."""
    if not isinstance(payload, dict):
        raise InvalidInput("an event is a JSON object")
    event_id = payload.get("event_id", payload.get("_id"))
    if not isinstance(event_id, str) or not _ID_RE.match(event_id):
        raise InvalidInput("event_id must be 1-128 letters, digits or . _ : -", field="event_id")
    order_id = _text(payload, "order_id", required=True)
    status = payload.get("status")
    if status not in STATUSES:
        raise InvalidInput("status must be one of " + ", ".join(STATUSES), field="status")
    return OrderEvent(
        event_id=event_id, order_id=str(order_id), status=status,
        occurred_at=_moment(payload.get("occurred_at")),
        courier=_text(payload, "courier"), awb=_text(payload, "awb"),
        eta=_day(payload.get("eta")),
    )


def moves_forward(current: str, new: str) -> bool:
    """True if an order in ``current`` may move to ``new`` (never backwards, never twice)."""
    if current in TERMINAL or current == new:
        return False
    if new == "cancelled":
        return current in ("placed", "confirmed", "packed")
    if new == "returned":
        return current in ("shipped", "out_for_delivery", "delivered")
    if current not in FORWARD:
        return False
    return FORWARD.index(new) > FORWARD.index(current)


def _order_update(event: OrderEvent, order: dict[str, Any], now: datetime) -> dict[str, Any]:
    update: dict[str, Any] = {"status": event.status, "updated_at": now}
    if event.status == "delivered":
        update["delivered_at"] = event.occurred_at
    if event.courier or event.awb:
        courier = dict(order.get("courier") or {})
        courier.update({k: v for k, v in (("name", event.courier), ("awb", event.awb)) if v})
        update["courier"] = courier
    if event.eta:
        update["promised_date"] = ist_midnight(event.eta)
    return {"$set": update,
            "$push": {"status_history": {"status": event.status, "at": event.occurred_at,
                                         "event_id": event.event_id}}}


def _notification(db: Database, session: ClientSession, event: OrderEvent,
                  order: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    if event.status not in NOTIFY_KINDS or outbox.exists(db, order["_id"], event.status,
                                                         session):
        return None
    customer = db[CUSTOMERS].find_one({"_id": order["customer_id"]},
                                      {"language": 1, "notify_channel": 1}, session=session)
    if customer is None:
        return None
    courier = event.courier or (order.get("courier") or {}).get("name")
    awb = event.awb or (order.get("courier") or {}).get("awb")
    eta = event.eta
    if eta is None and order.get("promised_date") is not None:
        eta = order["promised_date"].astimezone(IST).date()
    rendered = wording.render(event.status, customer.get("language"), order_id=order["_id"],
                              courier=courier, awb=awb, eta=eta)
    channel = outbox.preferred_channel(customer)
    return outbox.new_notification(
        order_id=order["_id"], kind=event.status, customer_id=order["customer_id"],
        channel=channel, text=rendered.text, language=rendered.language,
        template_id=rendered.template_id, urgent=True, now=now, event_id=event.event_id,
        event_at=event.occurred_at,
        params={"courier": courier, "awb": awb, "eta": eta.isoformat() if eta else None},
        opted_out=consent.is_opted_out(db, order["customer_id"], channel, session),
    )


def _apply_in(db: Database, session: ClientSession, event: OrderEvent, source: str,
              now: datetime) -> EventResult:
    events = db[ORDER_EVENTS]
    recorded = events.find_one({"_id": event.event_id}, session=session)
    if recorded is not None and recorded.get("applied_at") is not None:
        return EventResult(DUPLICATE, event.event_id, recorded.get("order_status"),
                           recorded.get("notification_id"))
    order = db[ORDERS].find_one({"_id": event.order_id}, session=session)
    if order is None and recorded is None:
        # Not recorded: the order system may send it again once the order exists.
        return EventResult(UNKNOWN_ORDER, event.event_id)
    outcome, notification = UNKNOWN_ORDER, None
    status = order["status"] if order else None
    if order is not None:
        outcome = STALE
        if moves_forward(order["status"], event.status):
            db[ORDERS].update_one({"_id": order["_id"], "status": order["status"]},
                                  _order_update(event, order, now), session=session)
            outcome, status = APPLIED, event.status
            notification = _notification(db, session, event, order, now)
            if event.status == "delivered":
                refills.schedule_for_order(db, order, event.occurred_at, session, now)
            if notification is not None:
                db[outbox.NOTIFICATIONS].insert_one(notification, session=session)
    nid = notification["_id"] if notification else None
    applied = {"applied_at": now, "outcome": outcome, "order_status": status,
               "notification_id": nid, "source": recorded.get("source", source)
               if recorded else source}
    if recorded is None:
        events.insert_one({**event.document(), "received_at": now, **applied},
                          session=session)
    else:
        events.update_one({"_id": event.event_id, "applied_at": None}, {"$set": applied},
                          session=session)
    return EventResult(outcome, event.event_id, status, nid)


def apply_event(db: Database, event: OrderEvent, *, source: str = "api",
                now: datetime | None = None) -> EventResult:
    """Apply ``event`` once (transaction); a repeat returns ``duplicate`` and writes nothing.

    Raises :class:`bot.errors.StoreUnavailable` when MongoDB is down.
    """
    moment = now or now_utc()
    ensure_indexes(db)
    with store_call(), db.client.start_session() as session:
        try:
            return session.with_transaction(
                lambda s: _apply_in(db, s, event, source, moment)
            )
        except DuplicateKeyError:
            # A concurrent request recorded the same event_id first: it is a repeat.
            recorded = db[ORDER_EVENTS].find_one({"_id": event.event_id}) or {}
            return EventResult(DUPLICATE, event.event_id, recorded.get("order_status"),
                               recorded.get("notification_id"))


def apply_pending(db: Database, limit: int = 100,
                  now: datetime | None = None) -> list[EventResult]:
    """Apply events the order system inserted into ``order_events`` (oldest first).

    A document that is not a valid event is marked ``invalid`` (with the reason) so it is
    not read again.
    """
    moment = now or now_utc()
    with store_call():
        docs = list(db[ORDER_EVENTS].find({"applied_at": None})
                    .sort([("occurred_at", 1)]).limit(limit))
    results = []
    for doc in docs:
        try:
            event = parse_event(doc)
        except InvalidInput as exc:
            with store_call():
                db[ORDER_EVENTS].update_one(
                    {"_id": doc["_id"], "applied_at": None},
                    {"$set": {"applied_at": moment, "outcome": "invalid",
                              "error": exc.message[:200]}})
            continue
        results.append(apply_event(db, event, source="collection", now=moment))
    return results
