"""The basket confirmation, in the reply language, from :func:`bot.reorder.quote_basket`.

One line per medicine with unit price, line price and availability (in stock / substitute
offered / needs a prescription / out of stock), then the total of what will be sent, the
delivery day and the question. Wording is in :mod:`bot.dialogue_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.clock import to_ist
from bot.dialogue_facts import day_text
from bot.dialogue_text import ENGLISH, say
from bot.reorder import NEEDS_PRESCRIPTION, OUT_OF_STOCK, SUBSTITUTE


def _status(line: Mapping[str, Any], language: str) -> str:
    availability = line.get("availability")
    if availability == NEEDS_PRESCRIPTION:
        return say("basket_needs_rx", language)
    if availability == OUT_OF_STOCK:
        return say("basket_out_of_stock", language)
    if availability == SUBSTITUTE:
        return say("basket_substitute", language, original=line.get("substitute_for", ""))
    return say("basket_in_stock", language)


def basket_lines_text(quote: Mapping[str, Any], language: str = ENGLISH) -> list[str]:
    """'1. Dolo 650 x2: ₹33.60 each, ₹67.20 (in stock)' for every line."""
    return [say("basket_line", language, n=n, brand=line["brand"], quantity=line["quantity"],
                unit=float(line["unit_price_inr"]), line=float(line["line_total_inr"]),
                status=_status(line, language))
            for n, line in enumerate(quote["lines"], start=1)]


def basket_quote_text(quote: Mapping[str, Any], now: datetime,
                      language: str = ENGLISH, notes: Sequence[str] = ()) -> str:
    """The whole confirmation: header, lines, total and day, prescription hint, ``notes``
    (e.g. a medicine already on its way), question."""
    parts = [say("basket_header", language), *basket_lines_text(quote, language)]
    promised = to_ist(quote["promised_date"]).date()
    pincode = (quote.get("delivery_address") or {}).get("pincode", "")
    parts.append(say("basket_total", language, total=float(quote["total_inr"]),
                     pincode=pincode, day=day_text(promised, to_ist(now).date(), language)))
    needs_rx = [line["brand"] for line in quote["lines"]
                if line.get("availability") == NEEDS_PRESCRIPTION]
    if needs_rx:
        parts.append(say("basket_rx_hint", language, names=", ".join(needs_rx)))
    parts.extend(notes)
    parts.append(say("basket_question", language))
    return "\n".join(parts)
