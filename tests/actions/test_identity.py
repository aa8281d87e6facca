"""Who is talking: metadata, the verified slot, and the anonymous verification path."""

from __future__ import annotations

import time

from actions import context
from actions.order_status import ActionOrderStatus, ValidateOrderStatusForm
from bot.dialogue_text import say
from tests.actions.conftest import ent, run, said, slot_events

FORM = "order_status_form"


def verified(customer_id: str, minutes_ago: float = 1, call: str | None = None) -> dict:
    """Slots as an in-chat verification left them ``minutes_ago``."""
    return {"verified_customer_id": customer_id,
            "verified_session": {"at": time.time() - minutes_ago * 60, "call": call}}


def test_metadata_customer_wins_and_typed_ids_never_count(tracker_factory):
    tracker = tracker_factory(customer_id="CUST1", slots=verified("CUST2"))
    assert context.verified_customer_id(tracker) == "CUST1"
    tracker = tracker_factory(slots=verified("CUST2"))
    assert context.verified_customer_id(tracker) == "CUST2"
    tracker = tracker_factory(entities=[ent("customer_id", "CUST1")], text="I am CUST1")
    assert context.verified_customer_id(tracker) is None
    for bad in ({"$ne": None}, "$ne", "CUST 1; drop", ["CUST1"], 42):
        tracker = tracker_factory(slots={"verified_customer_id": bad},
                                  metadata={"customer_id": bad})
        assert context.verified_customer_id(tracker) is None


def test_unverified_visitor_is_asked_for_order_number_and_digits(world, tracker_factory,
                                                                 domain):
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              active_loop=FORM)
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] == "verify_order_id"
    assert said(dispatcher) == ""  # nothing about any order yet


def test_wrong_digits_reveal_nothing_and_count_attempts(world, tracker_factory, domain):
    tracker = tracker_factory(text="1234", active_loop=FORM,
                              requested_slot="verify_phone_last4",
                              slots={"verify_order_id": "ML10000001"},
                              set_this_turn={"verify_phone_last4": "1234"})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["verify_order_id"] is None and slots["verify_phone_last4"] is None
    assert slots["verify_attempts"] == 1
    assert slots["requested_slot"] == "verify_order_id"
    assert "verified_customer_id" not in slots
    assert "don't match" in said(dispatcher)
    assert "Dolo" not in said(dispatcher)


def test_unknown_order_and_wrong_digits_get_the_same_answer(world, tracker_factory, domain):
    replies = []
    for order_id in ("ML10000001", "ML99999999"):
        tracker = tracker_factory(text="0002", active_loop=FORM,
                                  requested_slot="verify_phone_last4",
                                  slots={"verify_order_id": order_id},
                                  set_this_turn={"verify_phone_last4": "0002"})
        _, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
        replies.append(said(dispatcher))
    assert replies[0] == replies[1]


def test_right_digits_verify_and_the_order_is_shown(world, tracker_factory, domain):
    tracker = tracker_factory(text="my number ends 0001", active_loop=FORM,
                              requested_slot="verify_phone_last4",
                              slots={"verify_order_id": "ML10000001"},
                              set_this_turn={"verify_phone_last4": "my number ends 0001"})
    events, _ = run(ValidateOrderStatusForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["verified_customer_id"] == "CUST1"
    assert slots["verify_phone_last4"] == "verified"  # the digits are not kept
    assert slots["requested_slot"] is None
    after = tracker_factory(text="my number ends 0001",
                            slots={"verify_order_id": "ML10000001", **slots})
    events, dispatcher = run(ActionOrderStatus(), after, domain)
    assert "ML10000001" in said(dispatcher) and "delivered" in said(dispatcher)
    assert slot_events(events).get("verify_order_id", "kept") is None


def test_order_number_and_digits_in_one_message(world, tracker_factory, domain):
    tracker = tracker_factory(text="ML10000002 and 0001",
                              entities=[ent("order_id", "ML10000002")],
                              active_loop=FORM, requested_slot="verify_order_id",
                              set_this_turn={"verify_order_id": "ML10000002"})
    events, _ = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["verified_customer_id"] == "CUST1"


def test_three_failures_end_the_form(world, tracker_factory, domain):
    tracker = tracker_factory(text="9999", active_loop=FORM,
                              requested_slot="verify_phone_last4",
                              slots={"verify_order_id": "ML10000001", "verify_attempts": 2.0},
                              set_this_turn={"verify_phone_last4": "9999"})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["form_aborted"] is True and slots["requested_slot"] is None
    assert "agent" in said(dispatcher)
    # and a new attempt later is refused straight away
    again = tracker_factory(text="where is my order", intent="check_order_status",
                            active_loop=FORM, slots={"verify_attempts": 3.0})
    events, _ = run(ValidateOrderStatusForm(), again, domain)
    assert slot_events(events)["form_aborted"] is True


def test_malformed_verification_values_get_a_hint(world, tracker_factory, domain):
    for value in ({"$ne": None}, "$where", "hello", ["ML1"], 12):
        tracker = tracker_factory(text="x", active_loop=FORM, requested_slot="verify_order_id",
                                  set_this_turn={"verify_order_id": value})
        events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
        slots = slot_events(events)
        assert slots["verify_order_id"] is None
        assert slots["requested_slot"] == "verify_order_id"
        assert "order number" in said(dispatcher)
    tracker = tracker_factory(text="12", active_loop=FORM, requested_slot="verify_phone_last4",
                              slots={"verify_order_id": "ML10000001"},
                              set_this_turn={"verify_phone_last4": {"$gt": ""}})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["verify_phone_last4"] is None
    assert "4 digits" in said(dispatcher)


def test_phone_digits_tagged_as_an_order_number_are_ignored(world, tracker_factory, domain):
    # NLU sometimes tags "0001" as a second order_id: the real order number still counts.
    tracker = tracker_factory(text="ML10000002 0001", active_loop=FORM,
                              requested_slot="verify_order_id",
                              entities=[ent("order_id", "ML10000002"), ent("order_id", "0001")],
                              set_this_turn={"verify_order_id": "0001"})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["verified_customer_id"] == "CUST1"
    assert "doesn't look like" not in said(dispatcher)


# -- guessing limits across conversations (bot/verify_guard.py) ------------------------
def answer_digits(tracker_factory, order_id: str, digits: str, source: str,
                  **extra) -> object:
    return tracker_factory(text=digits, active_loop=FORM, requested_slot="verify_phone_last4",
                           slots={"verify_order_id": order_id},
                           set_this_turn={"verify_phone_last4": digits},
                           metadata={"source": source, **extra.pop("metadata", {})}, **extra)


def test_failures_from_many_conversations_lock_the_order(world, tracker_factory, domain):
    for n in range(5):  # five "fresh sessions", one wrong guess each, different sources
        events, dispatcher = run(ValidateOrderStatusForm(),
                                 answer_digits(tracker_factory, "ML10000001", f"99{n:02d}",
                                               f"source{n:08d}"), domain)
    assert slot_events(events)["form_aborted"] is True
    assert "sign in" in said(dispatcher) and "call us" in said(dispatcher)
    # the right digits from a new source are refused, and nothing is disclosed
    events, dispatcher = run(ValidateOrderStatusForm(),
                             answer_digits(tracker_factory, "ML10000001", "0001",
                                           "ownersource01"), domain)
    slots = slot_events(events)
    assert "verified_customer_id" not in slots and slots["form_aborted"] is True
    assert said(dispatcher) == say("verify_locked_out", "en")
    assert "verified" not in said(dispatcher) and "Dolo" not in said(dispatcher)
    # the owner's other order is not locked
    events, _ = run(ValidateOrderStatusForm(),
                    answer_digits(tracker_factory, "ML10000002", "0001", "ownersource01"),
                    domain)
    assert slot_events(events)["verified_customer_id"] == "CUST1"


def test_a_locked_source_is_refused_before_any_question(world, tracker_factory, domain):
    guard = context.guard()
    for n in range(10):
        guard.record_failure(f"ML5000{n:04d}", "attackersource")
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              active_loop=FORM, metadata={"source": "attackersource"})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["form_aborted"] is True
    assert said(dispatcher) == say("verify_locked_out", "en")
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              active_loop=FORM, metadata={"source": "othersource01"})
    events, _ = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] == "verify_order_id"


def test_guard_stores_down_refuse_verification(world, dead_db, dead_cache, tracker_factory,
                                               domain):
    from bot.verify_guard import VerifyGuard
    with context.use_stores(world["db"], world["cache"], world["catalogue"],
                            VerifyGuard(dead_db, dead_cache.client)):
        events, dispatcher = run(ValidateOrderStatusForm(),
                                 answer_digits(tracker_factory, "ML10000001", "0001",
                                               "ownersource01"), domain)
    assert "verified_customer_id" not in slot_events(events)
    assert said(dispatcher) == say("store_down", "en")


def test_hinglish_lockout_reply(world, tracker_factory, domain):
    for n in range(5):
        context.guard().record_failure("ML20000001", f"source{n:08d}")
    hindi = answer_digits(tracker_factory, "ML20000001", "0002", "ownersource02")
    hindi.slots["language"] = "hi"
    _, dispatcher = run(ValidateOrderStatusForm(), hindi, domain)
    assert said(dispatcher) == say("verify_locked_out", "hi")


# -- how long an in-chat verification lasts ---------------------------------------------
def test_in_chat_verification_lasts_30_minutes(world, tracker_factory, domain):
    assert context.verified_customer_id(tracker_factory(slots=verified("CUST1", 29))) == "CUST1"
    old = tracker_factory(slots=verified("CUST1", 31))
    assert context.verified_customer_id(old) is None
    assert context.verified_customer_id(tracker_factory(
        slots={"verified_customer_id": "CUST1"})) is None  # no timestamp: never valid
    # the form asks again, and clears the stale identity
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              active_loop=FORM, slots={**verified("CUST1", 31),
                                                       "verify_phone_last4": "verified",
                                                       "verify_order_id": "ML10000001"})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["verified_customer_id"] is None and slots["verified_session"] is None
    assert slots["requested_slot"] == "verify_order_id"
    assert "Dolo" not in said(dispatcher)
    # the order action refuses too
    _, dispatcher = run(ActionOrderStatus(), tracker_factory(slots=verified("CUST1", 31)),
                        domain)
    assert "Dolo" not in said(dispatcher)


def test_signed_in_identity_does_not_expire(tracker_factory):
    assert context.verified_customer_id(tracker_factory(customer_id="CUST1")) == "CUST1"


def test_verification_is_bound_to_the_call(world, tracker_factory, domain):
    tracker = answer_digits(tracker_factory, "ML10000001", "0001", "callersource1",
                            metadata={"call": "call-aaaaaaaa"})
    events, _ = run(ValidateOrderStatusForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["verified_customer_id"] == "CUST1"
    assert slots["verified_session"]["call"] == "call-aaaaaaaa"
    same_call = tracker_factory(slots=slots, metadata={"call": "call-aaaaaaaa"})
    assert context.verified_customer_id(same_call) == "CUST1"
    next_call = tracker_factory(slots=slots, metadata={"call": "call-bbbbbbbb"})
    assert context.verified_customer_id(next_call) is None


def test_wrong_guess_keeps_the_per_conversation_limit(world, tracker_factory, domain):
    tracker = answer_digits(tracker_factory, "ML10000002", "9999", "onesource0001")
    tracker.slots["verify_attempts"] = 2.0
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["form_aborted"] is True
    assert said(dispatcher) == say("verify_locked", "en")


def test_phone_digits_tagged_as_an_order_number_in_their_own_message(world, tracker_factory,
                                                                     domain):
    # "0001" answering the digits question also fills verify_order_id from an order_id
    # entity: the order number given before is kept and the digits are checked.
    tracker = tracker_factory(text="0001", active_loop=FORM, requested_slot="verify_phone_last4",
                              entities=[ent("order_id", "0001")],
                              events=[{"event": "slot", "name": "verify_order_id",
                                       "value": "ML10000001"}],
                              set_this_turn={"verify_order_id": "0001",
                                             "verify_phone_last4": "0001"})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["verify_order_id"] == "ML10000001"
    assert slots["verified_customer_id"] == "CUST1"
