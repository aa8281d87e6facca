"""Attack 4 (brute-forceable verification) against the running stack: it must now fail.

- 10 wrong guesses at one order from 10 fresh web sessions, then the right pair from an
  11th session: refused with the lockout reply, nothing about the order shown.
- Wrong guesses over voice (5 calls) lock the order for the web chat too.
- The guesses are counted in Redis and MongoDB (``verify_failures``), keyed by the order
  number and an opaque source id, never the raw IP or phone number.
"""

from __future__ import annotations

import json
import uuid

from bot import db as db_module
from bot.dialogue_text import say
from bot.runtime import procs
from bot.schema import VERIFY_FAILURES
from tests.security.verification_stack import disclosed, voice_call, web_chat, wrong_digits

LOCKED = say("verify_locked_out", "en")


def test_ten_fresh_web_sessions_then_the_right_pair_is_refused(web_base, verify_targets,
                                                               verify_keys):
    target = verify_targets[0]
    replies = []
    for n in range(10):
        replies += web_chat(web_base, "where is my order",
                            f"{target['order_id']} {wrong_digits(target, n)}")
    assert not any(disclosed(r, target) for r in replies)
    assert LOCKED in replies[-1]  # locked by the 5th guess at the latest
    [ask, answer] = web_chat(web_base, "where is my order",
                             f"{target['order_id']} {target['digits']}")
    assert LOCKED in ask + answer
    assert not disclosed(ask + answer, target)


def test_the_guesses_are_stored_per_order_and_source_with_opaque_ids(
        verify_targets, verify_keys, stack_settings):
    stack_db = db_module.get_db(stack_settings)
    target = verify_targets[0]
    order = stack_db[VERIFY_FAILURES].find_one({"_id": "o:" + target["order_id"]})
    assert order is not None and order.get("locked_until") is not None
    source = stack_db[VERIFY_FAILURES].find_one({"_id": verify_keys.web})
    assert source is not None and len(source["fails"]) >= 5  # the guesses compared
    assert "127.0.0.1" not in json.dumps([order, source], default=str)


def test_wrong_guesses_over_voice_lock_the_web_chat(web_base, lex_voice, verify_targets,
                                                    verify_keys):
    target = verify_targets[1]
    verify_keys.clear([verify_keys.web])  # only the order's lock may refuse the web chat
    replies = []
    for n in range(5):  # five calls from five anonymous callers
        session_id = str(uuid.uuid4())
        verify_keys.add_source(f"lex:{session_id}")
        replies += voice_call(lex_voice, "anonymous", "where is my order", target["order_id"],
                              wrong_digits(target, n), session_id=session_id)
    assert not any(disclosed(r, target) for r in replies)
    assert LOCKED in replies[-1]
    [ask, answer] = web_chat(web_base, "where is my order",
                             f"{target['order_id']} {target['digits']}")
    assert LOCKED in answer and not disclosed(ask + answer, target)
    # the same web client can still verify another order: the lock is the order's
    other = verify_targets[2]
    [_, answer] = web_chat(web_base, "where is my order", f"{other['order_id']} {other['digits']}")
    assert other["order_id"] in answer or "verified" in answer


def test_no_verification_answer_in_the_service_logs(verify_targets):
    logs = sorted((procs.RUN_DIR / "test" / "logs").glob("*.log"))
    assert logs, "the test stack writes its logs under .run/test/logs"
    text = "\n".join(path.read_text(errors="replace") for path in logs)
    for target in verify_targets:
        typed = [f"{target['order_id']} {target['digits']}"]
        typed += [f"{target['order_id']} {wrong_digits(target, n)}" for n in range(10)]
        assert not any(answer in text for answer in typed)
