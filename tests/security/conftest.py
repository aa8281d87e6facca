"""Fixtures for the security tests: the running stack (`make test`), skipped when it is not up."""

from __future__ import annotations

import os

import pytest

from bot.config import Settings, load_settings
from channels.settings import ChannelSettings, load_channel_settings


@pytest.fixture(scope="session")
def stack_settings() -> Settings:
    """The gateway's settings of the running test stack (its ports and tokens)."""
    if os.environ.get("ASSISTANT_STACK_UP") != "1":
        pytest.skip("needs the running stack: run `make test`")
    return load_settings()


@pytest.fixture(scope="session")
def stack_channels(stack_settings: Settings) -> ChannelSettings:
    """The channel settings (secrets) of the running test stack."""
    return load_channel_settings()


# Verification attacks (web chat and voice helpers, orders to guess at, guard clean-up).
from tests.security.verification_stack import (  # noqa: E402,F401
    lex_voice,
    verify_keys,
    verify_targets,
    web_base,
)
