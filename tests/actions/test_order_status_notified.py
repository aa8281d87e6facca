"""A reply to an order notification is answered about the notified order."""

from __future__ import annotations

from actions.order_status import ActionOrderStatus
from tests.actions.conftest import ent, run, said


def test_reply_to_a_notification_is_about_that_order(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is it", intent="check_order_status",
                              customer_id="CUST1",
                              metadata={"notified_order_id": "ML10000001"})
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert "ML10000001" in said(dispatcher) and "delivered" in said(dispatcher)


def test_a_named_order_still_wins(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is ML10000002", intent="check_order_status",
                              entities=[ent("order_id", "ML10000002")], customer_id="CUST1",
                              metadata={"notified_order_id": "ML10000001"})
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert "ML10000002" in said(dispatcher)


def test_someone_elses_notified_order_is_not_revealed(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is it", intent="check_order_status",
                              customer_id="CUST1",
                              metadata={"notified_order_id": "ML20000001"})
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert "couldn't find" in said(dispatcher) and "Telma" not in said(dispatcher)
