"""``rasa run`` on 127.0.0.1 with its HTTP API token taken from the environment.

``python -m bot.runtime.rasa_server [rasa run options]`` checks RASA_AUTH_TOKEN and
RASA_CHANNEL_TOKEN (>= 32 characters) and passes the API token to Rasa in-process,
so it never shows in the process list the way ``--auth-token`` on a command line does.
"""

from __future__ import annotations

import sys

from bot.config import RasaServerSettings, SettingsError

HOST = "127.0.0.1"


def rasa_argv(settings: RasaServerSettings, options: list[str]) -> list[str]:
    """The ``rasa run`` command line: HTTP API on, loopback only, plus ``options``."""
    return ["rasa", "run", "--enable-api", "--auth-token", settings.rasa_auth_token,
            "--interface", HOST, *options]


def main(options: list[str] | None = None) -> int:
    try:
        settings = RasaServerSettings.load()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.argv = rasa_argv(settings, sys.argv[1:] if options is None else options)
    # TensorFlow 2.12 imports jax whenever it is installed (it is, for other tools); Rasa
    # never uses it, and it costs ~115 MB per process (bench/README.md, rss.py).
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]
    import rasa.utils.io
    from rasa.__main__ import main as rasa_main

    from bot.logging_setup import setup as setup_logging

    # JSON lines with phone numbers masked instead of Rasa's coloured text log.
    rasa.utils.io.configure_colored_logging = lambda level=None: setup_logging(
        "rasa", level or "INFO")

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
