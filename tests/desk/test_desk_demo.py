"""`make run` in demo mode creates one demo agent and prints its sign-in (bot/desk_demo.py)."""

from __future__ import annotations

import re

from bot import desk_demo, staff


def test_demo_mode_creates_one_agent_and_prints_a_working_sign_in(settings, scratch_db,
                                                                   tmp_path):
    env = {"DEMO_MODE": "1", "MONGODB_URI": settings.mongodb_uri,
           "MONGODB_DB": scratch_db.name, "GATEWAY_PORT": "8123"}
    line = desk_demo.announce(env, tmp_path)
    found = re.search(r"/desk\s+e-mail (\S+)\s+password (\S+)", line)
    assert found and "http://127.0.0.1:8123/desk" in line
    email, password = found.groups()
    _token, session = staff.sign_in(scratch_db, email, password)
    assert session.role == "agent"
    assert (tmp_path / desk_demo.FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert desk_demo.announce(env, tmp_path) == line  # the same password next time
    assert scratch_db.staff.count_documents({}) == 1
    stored = scratch_db.staff.find_one({})
    assert password not in repr(stored)


def test_nothing_outside_demo_mode(settings, scratch_db, tmp_path):
    env = {"DEMO_MODE": "0", "MONGODB_URI": settings.mongodb_uri,
           "MONGODB_DB": scratch_db.name}
    assert desk_demo.announce(env, tmp_path) == ""
    assert scratch_db.staff.count_documents({}) == 0
