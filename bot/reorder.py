"""Reorder: repeat a past order or order named medicines, with stock reserved atomically.

Flow: :func:`quote_reorder` resolves items, checks prescriptions, the serving
centre and stock, and prices the order (nothing written). :func:`place_reorder`
re-checks and reserves stock item by item with conditional ``$inc`` updates;
if any item cannot be reserved, everything reserved so far is released, so a
failed reorder leaves no trace.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot import dialogue_facts, validation
from bot.catalogue import Catalogue, stock_at
from bot.clock import ist_midnight, now_utc, to_ist
from bot.db import store_call
from bot.errors import InvalidInput, NotFound, NotServiceable, OutOfStock, PrescriptionRequired
from bot.schema import CUSTOMERS, INVENTORY, ORDERS, PRESCRIPTIONS

MAX_ITEMS = 10
# Next-day delivery from metro centres; two days elsewhere.
NEXT_DAY_CITIES = {"Mumbai", "Delhi", "Bengaluru", "Chennai", "Hyderabad", "Kolkata", "Pune"}
_rng = random.SystemRandom()


@dataclass(frozen=True)
class ItemRequest:
    """One line the customer asked for: a medicine (SKU or name) and a pack count."""

    medicine: str
    quantity: int


def _customer(db: Database, customer_id: str) -> dict:
    with store_call():
        customer = db[CUSTOMERS].find_one({"_id": customer_id}, {"addresses": 1, "language": 1})
    if customer is None:
        raise NotFound("customer not found")
    return customer


def _delivery_address(customer: dict, pincode: Any) -> dict:
    addresses = customer.get("addresses") or []
    if pincode is None:
        if not addresses:
            raise InvalidInput("which pincode should we deliver to?", field="pincode")
        return dict(addresses[0])
    pin = validation.pincode(pincode)
    for address in addresses:
        if address.get("pincode") == pin:
            return dict(address)
    return {"label": "new", "pincode": pin}


def _resolve(catalogue: Catalogue, name: str) -> dict:
    med = None
    if validation.ID_RE.match(name) and name.upper().startswith("MED"):
        med = catalogue.medicine(name.upper())
    if med is None:
        med = catalogue.medicine_by_brand(name)
    if med is None:
        raise NotFound(f"I couldn't find '{name}' in our catalogue", medicine=name)
    return med


def _covered_by_prescription(
    db: Database, customer_id: str, meds: list[dict], now: datetime
) -> set[str]:
    with store_call():
        rxs = list(
            db[PRESCRIPTIONS].find(
                {"customer_id": customer_id, "verified": True, "valid_until": {"$gte": now}},
                {"skus": 1, "salt_keys": 1},
            )
        )
    skus = {s for rx in rxs for s in rx.get("skus", [])}
    salts = {s for rx in rxs for s in rx.get("salt_keys", [])}
    return {m["_id"] for m in meds if m["_id"] in skus or m["salt_key"] in salts}


def items_from_order(db: Database, customer_id: Any, order_id: Any) -> list[ItemRequest]:
    """The lines of one of the customer's past orders, ready to reorder."""
    cid = validation.identifier(customer_id, "customer")
    oid = validation.order_id(order_id)
    with store_call():
        order = db[ORDERS].find_one({"_id": oid, "customer_id": cid}, {"items": 1})
    if order is None:
        raise NotFound("no such order on your account", order_id=oid)
    return [ItemRequest(i["sku"], int(i["quantity"])) for i in order["items"]]


def quote_reorder(
    db: Database,
    catalogue: Catalogue,
    customer_id: Any,
    items: list[ItemRequest],
    pincode: Any = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Price and check a reorder without writing anything.

    Raises NotFound (unknown medicine), PrescriptionRequired, NotServiceable or
    OutOfStock (with ``details['substitutes']`` in stock at the same centre).
    """
    cid = validation.identifier(customer_id, "customer")
    now = now or now_utc()
    if not isinstance(items, list) or not items:
        raise InvalidInput("which medicines should I send?", field="items")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"at most {MAX_ITEMS} medicines per order", field="items")
    customer = _customer(db, cid)
    address = _delivery_address(customer, pincode)
    centre = catalogue.centre_for_pincode(address["pincode"])
    if centre is None:
        raise NotServiceable(
            f"we don't deliver to {address['pincode']} yet", pincode=address["pincode"]
        )
    lines: list[dict] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, ItemRequest):
            raise InvalidInput("bad item", field="items")
        qty = validation.quantity(item.quantity)
        med = _resolve(catalogue, validation.require_str(item.medicine, "medicine"))
        if med["_id"] in seen:
            raise InvalidInput(f"{med['brand']} is listed twice", field="items")
        seen.add(med["_id"])
        lines.append({"med": med, "quantity": qty})

    rx_meds = [line["med"] for line in lines if line["med"]["rx_required"]]
    if rx_meds:
        covered = _covered_by_prescription(db, cid, rx_meds, now)
        missing = [m for m in rx_meds if m["_id"] not in covered]
        if missing:
            brands = [m["brand"] for m in missing]
            raise PrescriptionRequired(
                dialogue_facts.rx_needed_text(brands),
                medicines=[m["_id"] for m in missing], brands=brands,
            )

    for line in lines:
        med = line["med"]
        if stock_at(db, centre["_id"], med["_id"]) < line["quantity"]:
            subs = [
                {"sku": s["_id"], "brand": s["brand"], "mrp_inr": s["mrp_inr"]}
                for s in catalogue.substitutes(med["_id"])
                if stock_at(db, centre["_id"], s["_id"]) >= line["quantity"]
            ][:3]
            hint = ""
            if subs:
                hint = (
                    " Same salt and strength in stock: "
                    + ", ".join(f"{s['brand']} (₹{s['mrp_inr']:.2f})" for s in subs)
                    + "."
                )
            raise OutOfStock(
                f"{med['brand']} is out of stock near you.{hint}",
                sku=med["_id"],
                substitutes=subs,
            )

    delivery_days = 1 if centre.get("city") in NEXT_DAY_CITIES else 2
    promised_day = to_ist(now).date() + timedelta(days=delivery_days)
    out_lines = [
        {
            "sku": line["med"]["_id"],
            "brand": line["med"]["brand"],
            "generic": line["med"]["generic"],
            "strength": line["med"]["strength"],
            "quantity": line["quantity"],
            "unit_price_inr": float(line["med"]["mrp_inr"]),
        }
        for line in lines
    ]
    total = round(sum(line["unit_price_inr"] * line["quantity"] for line in out_lines), 2)
    quote = {
        "customer_id": cid,
        "centre_id": centre["_id"],
        "delivery_address": address,
        "items": out_lines,
        "total_inr": total,
        "promised_date": ist_midnight(promised_day),
        "eta_text": dialogue_facts.day_text(promised_day, to_ist(now).date()),
    }
    # English reply; other languages: bot.dialogue_facts.reorder_quote_text on the facts.
    quote["sentence"] = dialogue_facts.reorder_quote_text(quote, now)
    return quote


IN_STOCK, SUBSTITUTE = "in_stock", "substitute"
NEEDS_PRESCRIPTION, OUT_OF_STOCK = "needs_prescription", "out_of_stock"


def quote_basket(
    db: Database,
    catalogue: Catalogue,
    customer_id: Any,
    items: list[ItemRequest],
    pincode: Any = None,
    now: datetime | None = None,
    substitute_for: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Price every line of a basket and say whether it can be sent; nothing is written.

    Unlike :func:`quote_reorder` a line that can't be sent doesn't end the quote: each line
    has ``availability``: ``in_stock``, ``substitute`` (in stock, chosen instead of the
    brand in ``substitute_for[sku]``), ``needs_prescription`` or ``out_of_stock`` (with
    ``substitutes`` in stock at the same centre). ``total_inr`` and ``sendable`` cover the
    lines that can be sent. Raises InvalidInput (bad lines, quantity), NotFound (unknown
    medicine or customer) and NotServiceable.
    """
    cid = validation.identifier(customer_id, "customer")
    now = now or now_utc()
    substitute_for = substitute_for or {}
    if not isinstance(items, list) or not items:
        raise InvalidInput("which medicines should I send?", field="items", reason="empty")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"at most {MAX_ITEMS} medicines per order", field="items",
                           reason="too_many", limit=MAX_ITEMS)
    address = _delivery_address(_customer(db, cid), pincode)
    centre = catalogue.centre_for_pincode(address["pincode"])
    if centre is None:
        raise NotServiceable(
            f"we don't deliver to {address['pincode']} yet", pincode=address["pincode"]
        )
    meds: list[tuple[dict, int]] = []
    for item in items:
        if not isinstance(item, ItemRequest):
            raise InvalidInput("bad item", field="items")
        qty = validation.quantity(item.quantity)
        med = _resolve(catalogue, validation.require_str(item.medicine, "medicine"))
        if any(m["_id"] == med["_id"] for m, _ in meds):
            raise InvalidInput(f"{med['brand']} is listed twice", field="items",
                               reason="duplicate", brand=med["brand"])
        meds.append((med, qty))
    rx_meds = [m for m, _ in meds if m["rx_required"]]
    covered = _covered_by_prescription(db, cid, rx_meds, now) if rx_meds else set()
    lines: list[dict[str, Any]] = []
    for med, qty in meds:
        line: dict[str, Any] = {
            "sku": med["_id"], "brand": med["brand"], "generic": med["generic"],
            "strength": med["strength"], "quantity": qty,
            "unit_price_inr": float(med["mrp_inr"]),
            "line_total_inr": round(float(med["mrp_inr"]) * qty, 2),
            "rx_required": bool(med["rx_required"]),
        }
        if med["rx_required"] and med["_id"] not in covered:
            line["availability"] = NEEDS_PRESCRIPTION
        elif stock_at(db, centre["_id"], med["_id"]) < qty:
            line["availability"] = OUT_OF_STOCK
            line["substitutes"] = [
                {"sku": s["_id"], "brand": s["brand"], "mrp_inr": float(s["mrp_inr"])}
                for s in catalogue.substitutes(med["_id"])
                if stock_at(db, centre["_id"], s["_id"]) >= qty
                and (not s.get("rx_required")
                     or s["_id"] in _covered_by_prescription(db, cid, [s], now))
            ][:3]
        elif med["_id"] in substitute_for:
            line["availability"] = SUBSTITUTE
            line["substitute_for"] = substitute_for[med["_id"]]
        else:
            line["availability"] = IN_STOCK
        lines.append(line)
    sendable = [line for line in lines if line["availability"] in (IN_STOCK, SUBSTITUTE)]
    delivery_days = 1 if centre.get("city") in NEXT_DAY_CITIES else 2
    promised_day = to_ist(now).date() + timedelta(days=delivery_days)
    return {
        "customer_id": cid,
        "centre_id": centre["_id"],
        "delivery_address": address,
        "lines": lines,
        "sendable": [{"sku": line["sku"], "brand": line["brand"],
                      "quantity": line["quantity"]} for line in sendable],
        "total_inr": round(sum(line["line_total_inr"] for line in sendable), 2),
        "promised_date": ist_midnight(promised_day),
        "eta_text": dialogue_facts.day_text(promised_day, to_ist(now).date()),
    }


def _release(db: Database, centre_id: str, reserved: list[tuple[str, int]], now: datetime) -> None:
    for sku, qty in reserved:
        db[INVENTORY].update_one(
            {"_id": f"{centre_id}:{sku}"},
            {"$inc": {"available": qty, "reserved": -qty}, "$set": {"updated_at": now}},
        )


def reserve_stock(db: Database, centre_id: str, sku: str, quantity: int, now: datetime) -> bool:
    """Atomically hold ``quantity`` packs at a centre; False if not enough are available."""
    with store_call():
        result = db[INVENTORY].update_one(
            {"_id": f"{centre_id}:{sku}", "available": {"$gte": quantity}},
            {"$inc": {"available": -quantity, "reserved": quantity}, "$set": {"updated_at": now}},
        )
    return result.modified_count == 1


def new_order_id() -> str:
    return f"ML{_rng.randrange(10**7, 10**8)}"


def place_reorder(
    db: Database,
    catalogue: Catalogue,
    customer_id: Any,
    items: list[ItemRequest],
    pincode: Any = None,
    reorder_of: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Check, reserve stock for, and create a new order; all or nothing."""
    now = now or now_utc()
    quote = quote_reorder(db, catalogue, customer_id, items, pincode, now)
    centre_id = quote["centre_id"]
    reserved: list[tuple[str, int]] = []
    with store_call():
        try:
            for line in quote["items"]:
                if not reserve_stock(db, centre_id, line["sku"], line["quantity"], now):
                    raise OutOfStock(
                        f"{line['brand']} just went out of stock near you.", sku=line["sku"],
                        brand=line["brand"],
                    )
                reserved.append((line["sku"], line["quantity"]))
            order = {
                "customer_id": quote["customer_id"],
                "centre_id": centre_id,
                "items": quote["items"],
                "total_inr": quote["total_inr"],
                "status": "placed",
                "status_history": [{"status": "placed", "at": now}],
                "created_at": now,
                "updated_at": now,
                "promised_date": quote["promised_date"],
                "delivery_address": quote["delivery_address"],
                "source": "assistant",
            }
            if reorder_of:
                order["reorder_of"] = validation.order_id(reorder_of)
            for _ in range(5):
                order["_id"] = new_order_id()
                try:
                    db[ORDERS].insert_one(order)
                    break
                except DuplicateKeyError:
                    continue
            else:  # pragma: no cover - 5 collisions in a 90-million space
                raise RuntimeError("could not allocate an order number")
        except BaseException:
            _release(db, centre_id, reserved, now)
            raise
    placed = {**quote, "order_id": order["_id"], "status": "placed"}
    placed["sentence"] = dialogue_facts.reorder_placed_text(placed, now)
    return placed
