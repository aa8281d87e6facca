"""Outbound notifications: order events in, a MongoDB outbox, and the senders that drain it.

- :mod:`bot.notify.events` — order events (HTTP or the ``order_events`` collection) move an
  order forward and create its notification in one transaction.
- :mod:`bot.notify.outbox` — the ``notifications`` collection: one document per
  (order, kind), its states, retries and delivery history.
- :mod:`bot.notify.wording` — the transactional texts and their DLT template ids.
"""
