"""Outbound notifications: order events in, a MongoDB outbox, and the senders that drain it.

- :mod:`bot.notify.events` — order events (HTTP or the ``order_events`` collection) move an
  order forward and create its notification in one transaction.
- :mod:`bot.notify.outbox` — the ``notifications`` collection: one document per
  (order, kind), its states, retries and delivery history.
- :mod:`bot.notify.wording` — the transactional texts and their DLT template ids.
- :mod:`bot.notify.replies` — conversational replies (SNS, WhatsApp Cloud) as outbox
  documents of kind ``reply``, so a failed send is retried like any notification.
"""
