"""Staff accounts, argon2id hashes, sign-in, lockout, sessions and the CLI (real MongoDB)."""

from __future__ import annotations

import argparse
import io
import logging
from datetime import timedelta

import pytest

from bot import audit, staff, staff_cli
from bot.clock import now_utc
from bot.errors import InvalidInput, NotAllowed

PASSWORD = "correct horse battery staple"


def test_password_is_stored_only_as_an_argon2id_hash(scratch_db):
    doc = staff.add_staff(scratch_db, "Asha@Pharmacy.example", "agent", PASSWORD, name="Asha")
    stored = scratch_db[staff.STAFF].find_one({"_id": doc["_id"]})
    assert stored["email"] == "asha@pharmacy.example"
    assert stored["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in repr(stored) and "password_hash" not in doc
    with pytest.raises(NotAllowed):
        staff.add_staff(scratch_db, "asha@pharmacy.example", "agent", PASSWORD)
    with pytest.raises(InvalidInput):
        staff.add_staff(scratch_db, "x@pharmacy.example", "root", PASSWORD)
    with pytest.raises(InvalidInput):
        staff.add_staff(scratch_db, "y@pharmacy.example", "agent", "short")


def test_sign_in_session_and_sign_out(scratch_db):
    staff.add_staff(scratch_db, "ravi@pharmacy.example", "pharmacist", PASSWORD)
    token, session = staff.sign_in(scratch_db, "RAVI@pharmacy.example", PASSWORD)
    assert session.role == "pharmacist" and session.can("prescriptions")
    assert not session.can("audit")
    assert scratch_db[staff.STAFF_SESSIONS].find_one({"_id": token}) is None  # hash only
    again = staff.session_for(scratch_db, token)
    assert again is not None and again.staff_id == session.staff_id
    assert staff.csrf_ok(again, session.csrf) and not staff.csrf_ok(again, "nope")
    assert staff.session_for(scratch_db, token, now=now_utc() + timedelta(hours=11)) is None
    staff.sign_out(scratch_db, session.session_id)
    assert staff.session_for(scratch_db, token) is None


def test_idle_session_expires(scratch_db):
    staff.add_staff(scratch_db, "idle@pharmacy.example", "agent", PASSWORD)
    start = now_utc()
    token, _ = staff.sign_in(scratch_db, "idle@pharmacy.example", PASSWORD, now=start)
    late = start + timedelta(minutes=staff.IDLE_MINUTES + 1)
    assert staff.session_for(scratch_db, token, now=late) is None


def test_lockout_after_repeated_wrong_passwords(scratch_db):
    staff.add_staff(scratch_db, "meena@pharmacy.example", "agent", PASSWORD)
    start = now_utc()
    for i in range(staff.MAX_FAILURES):
        with pytest.raises(staff.SignInRefused) as refused:
            staff.sign_in(scratch_db, "meena@pharmacy.example", f"wrong password {i}",
                          now=start + timedelta(seconds=i))
        assert refused.value.reason == "invalid"
    with pytest.raises(staff.SignInRefused) as locked:
        staff.sign_in(scratch_db, "meena@pharmacy.example", PASSWORD,
                      now=start + timedelta(minutes=1))
    assert locked.value.reason == "locked" and locked.value.retry_after > 0
    later = start + timedelta(minutes=staff.LOCK_MINUTES + 1)
    _token, session = staff.sign_in(scratch_db, "meena@pharmacy.example", PASSWORD, now=later)
    assert session.email == "meena@pharmacy.example"


def test_unknown_email_and_wrong_password_look_the_same(scratch_db):
    staff.add_staff(scratch_db, "known@pharmacy.example", "agent", PASSWORD)
    reasons = []
    for email in ("known@pharmacy.example", "unknown@pharmacy.example"):
        with pytest.raises(staff.SignInRefused) as refused:
            staff.sign_in(scratch_db, email, "not the password at all")
        reasons.append(refused.value.reason)
    assert reasons == ["invalid", "invalid"]


def test_cli_reads_the_password_from_stdin_and_never_prints_it(scratch_db, caplog, capsys):
    parser = argparse.ArgumentParser()
    staff_cli.add_arguments(parser)
    args = parser.parse_args(["add", "--email", "cli@pharmacy.example", "--role", "admin"])
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        assert staff_cli.run(scratch_db, args, stdin=io.StringIO(PASSWORD + "\n"), out=out) == 0
    assert "cli@pharmacy.example (admin) created" in out.getvalue()
    assert PASSWORD not in out.getvalue() + caplog.text + capsys.readouterr().err
    _token, session = staff.sign_in(scratch_db, "cli@pharmacy.example", PASSWORD)
    assert session.can("audit")
    dup = staff_cli.run(scratch_db, args, stdin=io.StringIO(PASSWORD + "\n"), out=out)
    assert dup == 2


def test_audit_entries_are_appended_and_listed_newest_first(scratch_db):
    first = audit.record(scratch_db, staff_id="ST1", role="agent", action="customer.view",
                         customer_id="CUST00001")
    audit.record(scratch_db, staff_id="ST1", role="agent", action="ticket.view",
                 customer_id="CUST00002", subject="HT12345678",
                 now=first["at"] + timedelta(seconds=1))
    listed = audit.entries(scratch_db)
    assert [e["action"] for e in listed] == ["ticket.view", "customer.view"]
    assert [e["action"] for e in audit.entries(scratch_db, "CUST00001")] == ["customer.view"]
