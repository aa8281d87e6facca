"""The action server: rasa-sdk's app on 127.0.0.1, and every request needs ACTION_SERVER_TOKEN.

``python -m bot.runtime.action_server`` replaces ``rasa run actions`` (which binds
``SANIC_HOST``, 0.0.0.0 by default, and answers anyone). It refuses to start when
ACTION_SERVER_TOKEN is missing or shorter than 32 characters.
"""

from __future__ import annotations

import logging
import sys
import threading

from rasa_sdk import endpoint
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.bearer import Bearer, check_bearer
from bot.config import ActionServerSettings, SettingsError
from bot.logging_setup import setup as setup_logging

HOST = "127.0.0.1"
ACTIONS_PACKAGE = "actions"


def create_app(token: str, actions_package: str = ACTIONS_PACKAGE) -> Sanic:
    """rasa-sdk's app (no CORS) with a token check in front of every route."""
    app = endpoint.create_app(actions_package, cors_origins=None)

    async def require_token(request: Request) -> HTTPResponse | None:
        if check_bearer(request.headers.get("authorization"), token) is not Bearer.OK:
            return response.json(
                {"error": "unauthorised"}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return None

    app.register_middleware(require_token, "request")

    @app.listener("before_server_start")
    async def token_check_first(app: Sanic, loop: object) -> None:
        # sanic-cors puts its middleware first when the server starts (and answers
        # OPTIONS itself); the token check goes in front of it.
        app.request_middleware.remove(require_token)
        app.request_middleware.appendleft(require_token)

    return app


def _warm_up_matcher() -> None:
    try:
        from actions import context
        from bot import matching

        matching.warm_up(context.catalogue())
    except Exception as exc:  # noqa: BLE001 - a cold matcher is slower, never wrong
        logging.getLogger(__name__).warning("matcher warm-up skipped: %s", type(exc).__name__)


def main() -> int:
    try:
        settings = ActionServerSettings.load()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging("actions")  # JSON lines, phone numbers masked (bot/logging_setup.py)
    app = create_app(settings.action_server_token)
    # The medicine matcher loads its sentence model and catalogue vectors now, while Rasa is
    # still starting, instead of during a customer's first reorder (a 10 s wait).
    threading.Thread(target=_warm_up_matcher, name="matcher-warm-up", daemon=True).start()
    logging.getLogger(__name__).info("action server on http://%s:%s", HOST, settings.action_port)
    app.run(host=HOST, port=settings.action_port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
