"""Security of the care desk: every desk page, API and socket refuses callers without a
staff session (401) or without the role (403); CSRF; a customer's web chat session is
not a staff session; the audit log is admin-only and has no write route; lockout over
HTTP; staff passwords are never stored or logged in clear."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.websockets import WebSocketDisconnect

from bot import staff
from channels.desk.auth import COOKIE
from channels.web_session import issue_token
from tests.desk.conftest import PASSWORD, add_staff, sign_in

PUBLIC = {("/desk/login", "POST")}  # the sign-in itself (tested below)


def _desk_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/desk"):
            for method in sorted(route.methods - {"HEAD"}):
                if (route.path, method) not in PUBLIC:
                    found.append((route.path, method))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "HTABCDEFGH" if "ticket" in m.group(0)
                  else "RXABCDEF01" if "rx" in m.group(0) else "CUST00001", path)


def _call(client, method: str, path: str, **kwargs):
    return client.request(method, _concrete(path), **kwargs)


def test_every_desk_route_is_401_without_a_staff_session(desk_gateway):
    client = desk_gateway.client
    routes = _desk_routes(desk_gateway.gw.app)
    assert len(routes) >= 14  # pages, API and prescription review are all enumerated
    for path, method in routes:
        response = _call(client, method, path, json={})
        assert response.status_code == 401, (method, path, response.status_code)
    assert client.get("/desk").status_code == 401
    assert "Sign in" in client.get("/desk").text and "desk.js" not in client.get("/desk").text


def test_desk_socket_refuses_without_a_staff_session(desk_gateway):
    app = desk_gateway.gw.app
    assert any(isinstance(r, APIWebSocketRoute) and r.path == "/desk/ws" for r in app.routes)
    with pytest.raises(WebSocketDisconnect) as closed:
        with desk_gateway.client.websocket_connect("/desk/ws") as socket:
            socket.receive_text()
    assert closed.value.code == 4401


def test_a_customers_web_chat_session_cannot_reach_the_desk(desk_gateway):
    client = desk_gateway.client
    key = desk_gateway.gw.app.state.channels.session_signing_key
    token = issue_token(key, customer_id="CUST00001")
    for path, method in _desk_routes(desk_gateway.gw.app):
        as_bearer = _call(client, method, path, json={},
                          headers={"Authorization": f"Bearer {token}"})
        assert as_bearer.status_code == 401, (method, path)
    client.cookies.set(COOKIE, token, path="/desk")
    assert client.get("/desk/api/queue").status_code == 401
    assert client.get("/desk").status_code == 401
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/desk/ws") as socket:
            socket.receive_text()


def test_roles_agent_cannot_read_the_audit_log_or_review_prescriptions(desk_gateway):
    client, db = desk_gateway.client, desk_gateway.db
    sign_in(client, db, "agent")
    assert client.get("/desk/api/queue").status_code == 200
    assert client.get("/desk/api/audit").status_code == 403
    assert client.get("/desk/api/prescriptions").status_code == 403
    sign_in(client, db, "pharmacist")
    assert client.get("/desk/api/prescriptions").status_code == 200
    assert client.get("/desk/api/audit").status_code == 403


def test_opening_customer_data_is_audited_and_only_admins_read_it(desk_gateway):
    client, db = desk_gateway.client, desk_gateway.db
    sign_in(client, db, "agent", "Asha")
    agent_id = db.staff.find_one({"name": "Asha"})["_id"]
    assert client.get("/desk/api/customers/CUST00001").status_code == 200
    entry = db.audit_log.find_one({"action": "customer.view"})
    assert entry["staff_id"] == agent_id and entry["customer_id"] == "CUST00001"
    assert entry["at"] is not None
    sign_in(client, db, "admin")
    listed = client.get("/desk/api/audit").json()["entries"]
    assert any(e["action"] == "customer.view" and e["staff_id"] == agent_id for e in listed)
    # No route writes to the audit log: GET only, whatever the role.
    methods = {m for r in desk_gateway.gw.app.routes if isinstance(r, APIRoute)
               and r.path.startswith("/desk/api/audit") for m in r.methods}
    assert methods <= {"GET", "HEAD"}
    csrf = client.get("/desk/api/me").json()["csrf"]
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = client.request(method, "/desk/api/audit", headers={"X-CSRF-Token": csrf})
        assert response.status_code == 405
    assert db.audit_log.count_documents({"action": "customer.view"}) == 1


def test_state_changes_need_the_csrf_token_and_our_origin(desk_gateway):
    client, db = desk_gateway.client, desk_gateway.db
    csrf = sign_in(client, db, "agent")
    from bot import handoff
    ticket = handoff.create_ticket(db, "web", "customer asked for a person", "help",
                                   conversation_id="web-csrf")
    url = f"/desk/api/tickets/{ticket['ticket_id']}/claim"
    assert client.post(url).status_code == 403
    assert client.post(url, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post(url, headers={"X-CSRF-Token": csrf,
                                     "Origin": "https://evil.example"}).status_code == 403
    assert db.handoff_tickets.find_one({"_id": ticket["ticket_id"]}).get("claimed_by") is None
    assert client.post(url, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_sign_in_is_json_only_cookie_is_strict_and_lockout_answers_429(desk_gateway):
    client, db = desk_gateway.client, desk_gateway.db
    email = add_staff(db, "agent", "lock@pharmacy.example")
    form = client.post("/desk/login", data={"email": email, "password": PASSWORD})
    assert form.status_code == 415
    cross = client.post("/desk/login", json={"email": email, "password": PASSWORD},
                        headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    ok = client.post("/desk/login", json={"email": email, "password": PASSWORD})
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/desk" in cookie
    for _ in range(staff.MAX_FAILURES):
        assert client.post("/desk/login", json={"email": email, "password": "x" * 14}
                           ).status_code == 401
    locked = client.post("/desk/login", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    unknown = client.post("/desk/login", json={"email": "nobody@pharmacy.example",
                                               "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json() == {"detail": "wrong e-mail or password"}


def test_sign_out_ends_the_session_server_side(desk_gateway):
    client, db = desk_gateway.client, desk_gateway.db
    csrf = sign_in(client, db, "agent")
    token = client.cookies.get(COOKIE)
    assert client.post("/desk/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    client.cookies.set(COOKIE, token, path="/desk")
    assert client.get("/desk/api/me").status_code == 401


def test_staff_passwords_are_never_stored_or_logged_in_clear(desk_gateway, caplog):
    client, db = desk_gateway.client, desk_gateway.db
    secret = "a very private pass phrase 42"
    with caplog.at_level(logging.DEBUG):
        staff.add_staff(db, "clear@pharmacy.example", "admin", secret)
        client.post("/desk/login", json={"email": "clear@pharmacy.example",
                                         "password": "wrong " + secret})
        ok = client.post("/desk/login", json={"email": "clear@pharmacy.example",
                                              "password": secret})
        assert ok.status_code == 200
        client.get("/desk/api/audit")
    assert secret not in caplog.text
    token = client.cookies.get(COOKIE)
    assert token not in caplog.text
    for name in db.list_collection_names():
        for doc in db[name].find({}):
            assert secret not in repr(doc), name
            assert token not in repr(doc), name  # sessions are kept by the token's hash
    assert db.staff.find_one({"email": "clear@pharmacy.example"})["password_hash"].startswith(
        "$argon2id$")


def test_the_desk_socket_renews_the_session_and_closes_once_it_is_gone(desk_gateway):
    client, db = desk_gateway.client, desk_gateway.db
    csrf = sign_in(client, db, "agent")
    with client.websocket_connect("/desk/ws") as socket:
        assert socket.receive_json()["type"] == "queue"
        socket.send_json({"type": "ping"})
        frame = socket.receive_json()
        while frame["type"] == "queue":  # the hub's own queue frames may come first
            frame = socket.receive_json()
        assert frame == {"type": "pong"}
        client.post("/desk/logout", headers={"X-CSRF-Token": csrf})
        socket.send_json({"type": "ping"})
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                assert socket.receive_json()["type"] == "queue"
        assert closed.value.code == 4401
