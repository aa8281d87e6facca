"""Tests for channels.security.whatsapp (X-Hub-Signature-256)."""

import hashlib
import hmac

from channels.security.whatsapp import is_valid_signature

SECRET = "app-secret"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'
GOOD = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


def test_valid_signature():
    assert is_valid_signature(BODY, GOOD, SECRET)
    assert is_valid_signature(BODY, GOOD.upper().replace("SHA256=", "sha256="), SECRET)


def test_rejects_changed_body_or_secret():
    assert not is_valid_signature(BODY + b" ", GOOD, SECRET)
    assert not is_valid_signature(BODY, GOOD, "other")


def test_rejects_missing_or_malformed_header():
    assert not is_valid_signature(BODY, None, SECRET)
    assert not is_valid_signature(BODY, "", SECRET)
    assert not is_valid_signature(BODY, GOOD[len("sha256="):], SECRET)
    assert not is_valid_signature(BODY, "sha1=" + GOOD[7:], SECRET)
    assert not is_valid_signature(BODY, "sha256=zz\u00e9", SECRET)
    assert not is_valid_signature(BODY, GOOD, "")
