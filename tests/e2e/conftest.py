"""End-to-end fixtures: the running stack started by `make test` (skipped when it is not up)."""

from __future__ import annotations

import os

import pytest
from pymongo.database import Database

from bot import db as db_module
from bot.config import Settings, load_settings


@pytest.fixture(scope="session")
def stack_settings() -> Settings:
    if os.environ.get("ASSISTANT_STACK_UP") != "1":
        pytest.skip("needs the running stack: run `make test`")
    return load_settings()


@pytest.fixture(scope="session")
def stack_db(stack_settings: Settings) -> Database:
    return db_module.get_db(stack_settings)
