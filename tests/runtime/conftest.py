"""Runtime tests: the stack fixtures for the tests that need `make test`'s stack."""

from tests.stack_fixtures import stack_db, stack_settings  # noqa: F401
