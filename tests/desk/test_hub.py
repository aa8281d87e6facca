"""The desk hub: each gateway process polls the shared store, so a message recorded by one
process reaches the sockets held by another (real MongoDB)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bot import desk, handoff
from channels.desk.hub import DeskHub


def test_a_message_recorded_elsewhere_reaches_this_processes_desk_and_chat(scratch_db):
    ticket = handoff.create_ticket(scratch_db, "web", "customer asked for a person", "help",
                                   conversation_id="web-hub-1")
    ticket = desk.get_ticket(scratch_db, ticket["ticket_id"])

    async def scenario() -> tuple[list[dict], list[dict]]:
        hub = DeskHub(SimpleNamespace(db=scratch_db))  # "this" gateway process
        to_desk: list[dict] = []
        to_chat: list[dict] = []

        async def desk_push(frame: dict) -> None:
            to_desk.append(frame)

        async def chat_push(frame: dict) -> None:
            to_chat.append(frame)

        remove_desk = hub.add_desk(desk_push)
        remove_chat = hub.add_customer("web-hub-1", chat_push)
        hub.add_customer("web-other", chat_push)  # another conversation: nothing for it
        await asyncio.sleep(0.8)
        # "Another" process records a customer message and a staff reply in the store.
        desk.add_message(scratch_db, ticket, "customer", "anyone there?", held=True)
        desk.add_message(scratch_db, ticket, "staff", "Yes, Asha here.")
        for _ in range(40):
            if len([f for f in to_desk if f["type"] == "message"]) >= 2 and to_chat:
                break
            await asyncio.sleep(0.1)
        remove_desk()
        remove_chat()
        await hub.stop()
        return to_desk, to_chat

    to_desk, to_chat = asyncio.run(scenario())
    queue = [f for f in to_desk if f["type"] == "queue"]
    assert queue and queue[0]["tickets"][0]["ticket_id"] == ticket["_id"]
    texts = [f["message"]["text"] for f in to_desk if f["type"] == "message"]
    assert texts == ["anyone there?", "Yes, Asha here."]  # each once, in order
    assert to_chat == [{"type": "bot", "from": "staff", "agent": None,
                        "messages": [{"text": "Yes, Asha here."}]}]
