"""The desk's gate in front of the assistant (channels/desk/gate.py), with real MongoDB."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bot import desk, handoff, staff
from channels.desk.gate import DeskGate
from channels.turns import Turn, run_turn

SECRET = "gate-test-conversation-secret-of-32-chars"


class Inner:
    """An assistant that answers every turn and remembers it."""

    def __init__(self) -> None:
        self.turns: list[str] = []

    async def send(self, conversation_id, text, metadata, timeout=None):
        self.turns.append(text)
        return [{"recipient_id": conversation_id, "text": f"bot: {text}"}]


def _gate(db):
    inner = Inner()
    return DeskGate(inner, SimpleNamespace(db=db)), inner


def _claimed_ticket(db, channel: str, subject: str):
    from channels.identity import conversation_id

    sender = conversation_id(channel, subject, SECRET)
    ticket = handoff.create_ticket(db, channel, "customer asked for a person", "help",
                                   conversation_id=sender)
    staff.add_staff(db, f"{channel}@pharmacy.example", "agent", "gate test password 1")
    _token, session = staff.sign_in(db, f"{channel}@pharmacy.example", "gate test password 1")
    return ticket, sender, session


def test_unclaimed_ticket_assistant_answers_and_both_sides_are_recorded(scratch_db):
    gate, inner = _gate(scratch_db)
    ticket, _sender, _session = _claimed_ticket(scratch_db, "sms", "+919800000001")
    turn = Turn("sms", "+919800000001", "mera order kab aayega", None, {"provider": "sns"})
    replies = asyncio.run(run_turn(gate, SECRET, turn))
    assert replies[0]["text"] == "bot: mera order kab aayega"
    said = [(m["from"], m["text"], m["held"]) for m in desk.messages(scratch_db,
                                                                     ticket["ticket_id"])]
    assert said == [("customer", "mera order kab aayega", False),
                    ("assistant", "bot: mera order kab aayega", False)]
    doc = desk.get_ticket(scratch_db, ticket["ticket_id"])
    assert doc["reply_to"] == {"channel": "sms", "provider": "sns", "address": "+919800000001"}
    assert doc["language"] == "hi"


def test_claimed_ticket_silences_the_assistant_but_stop_still_reaches_it(scratch_db):
    gate, inner = _gate(scratch_db)
    ticket, _sender, session = _claimed_ticket(scratch_db, "whatsapp", "+919800000002")
    desk.claim(scratch_db, ticket["ticket_id"], session)
    held = asyncio.run(run_turn(gate, SECRET, Turn("whatsapp", "+919800000002", "hello?")))
    assert held == [] and inner.turns == []
    assert [m["text"] for m in desk.messages(scratch_db, ticket["ticket_id"])
            if m.get("held")] == ["hello?"]
    asyncio.run(run_turn(gate, SECRET, Turn("whatsapp", "+919800000002", "STOP")))
    assert inner.turns == ["STOP"]  # opt-outs belong to the notifications


def test_voice_ticket_is_a_call_back_task_with_the_number(scratch_db):
    gate, _inner = _gate(scratch_db)
    ticket, _sender, _session = _claimed_ticket(scratch_db, "voice", "+919800000003")
    asyncio.run(run_turn(gate, SECRET, Turn("voice", "+919800000003", "I need a pharmacist",
                                            None, {"provider": "lex"})))
    public = desk.public_ticket(desk.get_ticket(scratch_db, ticket["ticket_id"]))
    assert public["callback_number"] == "+919800000003"
    sms = desk.public_ticket(desk.get_ticket(scratch_db, ticket["ticket_id"]) | {
        "channel": "sms"})
    assert "callback_number" not in sms  # other channels never show the number


def test_other_conversations_are_untouched(scratch_db):
    gate, inner = _gate(scratch_db)
    _claimed_ticket(scratch_db, "sms", "+919800000004")
    replies = asyncio.run(run_turn(gate, SECRET, Turn("sms", "+919800000005", "hi")))
    assert replies[0]["text"] == "bot: hi" and inner.turns == ["hi"]


def test_a_caller_ringing_again_while_the_call_back_is_claimed_gets_the_assistant(scratch_db):
    gate, inner = _gate(scratch_db)
    ticket, _sender, session = _claimed_ticket(scratch_db, "voice", "+919800000006")
    desk.claim(scratch_db, ticket["ticket_id"], session)
    replies = asyncio.run(run_turn(gate, SECRET, Turn("voice", "+919800000006", "hello")))
    assert replies[0]["text"] == "bot: hello" and inner.turns == ["hello"]
