"""The care desk reads a ticket's earlier conversations on demand (staff only, audited)."""

from __future__ import annotations

from bot import handoff
from tests.desk.conftest import sign_in
from tests.unit.test_conversation_log import _conversation


def test_agent_pages_back_through_a_customers_earlier_sessions(desk_gateway, settings):
    dg = desk_gateway
    _conversation(settings, dg.db, "sms-earlier-desk",
                  [["where is ML1"], ["refill please"], ["agent"]])
    ticket = handoff.create_ticket(dg.db, "sms", "customer asked for a person", "agent",
                                   customer_id="CUST00001", conversation_id="sms-earlier-desk")
    tid = ticket["ticket_id"]
    sign_in(dg.client, dg.db, "agent")
    assert dg.client.get(f"/desk/api/tickets/{tid}").json()["earlier"] is True
    page = dg.client.get(f"/desk/api/tickets/{tid}/earlier").json()
    assert page["history"] == [{"from": "user", "text": "refill please"},
                               {"from": "bot", "text": "re: refill please"}]
    page = dg.client.get(f"/desk/api/tickets/{tid}/earlier",
                         params={"before": page["before"]}).json()
    assert [e["text"] for e in page["history"]] == ["where is ML1", "re: where is ML1"]
    assert page["before"] is None
    assert dg.db.audit_log.count_documents({"action": "ticket.view_earlier",
                                            "customer_id": "CUST00001"}) == 2


def test_bad_cursor_and_unknown_ticket(desk_gateway):
    dg = desk_gateway
    sign_in(dg.client, dg.db, "agent")
    ticket = handoff.create_ticket(dg.db, "web", "customer asked for a person", "help",
                                   conversation_id="web-none")
    tid = ticket["ticket_id"]
    for bad in ("0", "-3", "x", "99999999999"):
        response = dg.client.get(f"/desk/api/tickets/{tid}/earlier", params={"before": bad})
        assert response.status_code == 422, bad
    assert dg.client.get("/desk/api/tickets/HTNOSUCH01/earlier").status_code == 404
    assert dg.client.get(f"/desk/api/tickets/{tid}/earlier").json() == {"history": [],
                                                                         "before": None}
