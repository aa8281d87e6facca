"""Fixtures for tests against the running stack (`make test`); skipped when it is not up.

The e2e and security conftest files import the ones they use from here.
"""

from __future__ import annotations

import os

import pytest
from pymongo.database import Database

from bot import db as db_module
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


@pytest.fixture(scope="session")
def stack_db(stack_settings: Settings) -> Database:
    """The running stack's MongoDB database."""
    return db_module.get_db(stack_settings)
