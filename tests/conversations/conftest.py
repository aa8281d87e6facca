"""Conversation scenarios against the running stack (skipped when it is not up).

Fixtures: ``conversation(customer=..., channel="web"|"sms", language=...)`` opens a chat
through the gateway's real channels (tests/conversations/harness.py); ``new_customer`` and
``new_order`` make a fresh world in the stack's MongoDB; ``stack_db`` is that database.
Scenarios carry ``@pytest.mark.conversation("<category>")``; ``make conversation-report``
prints the pass rate per category (tests/conversations/harness_report.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conversations.harness import Conversation
from tests.conversations.harness_customers import Customer, make_customer, make_order
from tests.conversations.harness_report import (  # noqa: F401 - pytest hooks
    pytest_configure,
    pytest_runtest_logreport,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
from tests.stack_fixtures import stack_channels, stack_db, stack_settings  # noqa: F401


@pytest.fixture()
def new_customer(stack_db) -> Callable[..., Customer]:  # noqa: F811
    """``new_customer(name=..., language="English"|"Hindi", pincode=None,
    lab_collection=True)``: a customer of this scenario only."""
    def make(**kwargs: Any) -> Customer:
        return make_customer(stack_db, **kwargs)

    return make


@pytest.fixture()
def new_order(stack_db) -> Callable[..., str]:  # noqa: F811
    """``new_order(customer, [("Forxiga 10", 2)], status="shipped", days_ago=2,
    promised_in_days=1)``: the order number of a new order."""
    def make(customer: Customer, items: list[tuple[str, int]], **kwargs: Any) -> str:
        return make_order(stack_db, customer, items, **kwargs)

    return make


@pytest.fixture()
def conversation(stack_settings, stack_channels, stack_db  # noqa: F811
                 ) -> Iterator[Callable[..., Conversation]]:
    """``conversation(customer=None, channel="web", language="en")``.

    ``customer``: a :class:`Customer` from ``new_customer``, a seeded customer id such as
    ``"CUST00004"``, ``"new"`` for a fresh customer, or None for an anonymous visitor.
    """
    opened: list[Conversation] = []

    def start(customer: Customer | str | None = None, channel: str = "web",
              language: str = "en") -> Conversation:
        if customer == "new":
            customer = make_customer(stack_db, language=language)
        customer_id = str(customer) if customer is not None else None
        chat = Conversation(settings=stack_settings, channels=stack_channels, db=stack_db,
                            customer_id=customer_id, channel=channel, language=language)
        opened.append(chat)
        return chat

    yield start
    for chat in opened:
        chat.close()
