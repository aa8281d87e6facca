"""Fixtures for the security tests: the running stack (`make test`), skipped when it is not up."""

# The stack's settings and secrets; verification attacks (web chat and voice helpers,
# orders to guess at, guard clean-up).
from tests.security.verification_stack import (  # noqa: F401
    lex_voice,
    verify_keys,
    verify_targets,
    web_base,
)
from tests.stack_fixtures import stack_channels, stack_settings  # noqa: F401
