"""End-to-end fixtures: the running stack started by `make test` (skipped when it is not up)."""

from tests.stack_fixtures import stack_db, stack_settings  # noqa: F401
