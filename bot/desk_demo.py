"""``make run`` in demo mode: one demo care agent, and the line that tells how to sign in.

The password is generated once per checkout into ``.run/desk_demo.env`` (mode 0600) and
reused; only its argon2id hash goes to MongoDB. Nothing happens outside demo mode.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from pymongo import MongoClient
from pymongo.database import Database

from bot import staff
from bot.runtime.secret_file import _write_private, read_secrets

DEMO_EMAIL = "agent@demo.pharmacy.local"
FILE_NAME = "desk_demo.env"
_ON = ("1", "true", "yes", "on")


def demo_password(run_dir: Path) -> str:
    """The checkout's demo agent password (generated on first use)."""
    path = run_dir / FILE_NAME
    password = read_secrets(path).get("DESK_DEMO_PASSWORD")
    if not password:
        password = secrets.token_urlsafe(12)
        _write_private(path, f"DESK_DEMO_PASSWORD={password}\n")
    return password


def ensure_demo_agent(db: Database, password: str) -> None:
    """Create the demo agent, or set its password to ``password`` if it exists."""
    with_hash = staff.hash_password(password)
    if db[staff.STAFF].find_one({"email": DEMO_EMAIL}, {"_id": 1}) is None:
        staff.add_staff(db, DEMO_EMAIL, "agent", password, name="Demo agent")
    else:
        db[staff.STAFF].update_one({"email": DEMO_EMAIL}, {"$set": {
            "password_hash": with_hash, "active": True, "failures": [], "locked_until": None}})


def announce(env: Mapping[str, str], run_dir: Path) -> str:
    """Create the demo agent (demo mode only) and say how to sign in; "" otherwise."""
    if env.get("DEMO_MODE", "").strip().lower() not in _ON:
        return ""
    password = demo_password(run_dir)
    client: MongoClient = MongoClient(env["MONGODB_URI"], tz_aware=True,
                                      serverSelectionTimeoutMS=5000)
    try:
        ensure_demo_agent(client[env.get("MONGODB_DB", "pharmacy")], password)
    finally:
        client.close()
    port = env.get("GATEWAY_PORT", "8000")
    return (f"  care desk (demo agent): http://127.0.0.1:{port}/desk  "
            f"e-mail {DEMO_EMAIL}  password {password}")
