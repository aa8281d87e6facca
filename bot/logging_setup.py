"""One logging setup for every process: JSON lines on stderr, phone numbers masked.

Each line is one JSON object: ``ts`` (UTC, ISO 8601), ``level``, ``service`` (gateway,
notify-worker, actions, rasa), ``pid``, ``logger``, ``msg`` and, for an exception, ``exc``. The
formatter masks every phone number in the finished line (message, arguments and
traceback alike), whatever the code that logged it did: Indian mobiles with or without
``+91``/``91``/``0`` (``+91******3210``) and other E.164 numbers.

- :func:`setup` — the worker and the action server call it at start;
- :func:`dict_config` — the same as a ``logging.config.dictConfig`` mapping; the gateway's
  uvicorn reads it from ``bot/logging_gateway.json`` (``--log-config``);
- :func:`quiet_sanic_defaults` — Rasa's Sanic app would install its own plain-text
  handlers; this makes its loggers use ours.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone
from typing import Any

# An Indian mobile (6-9 and nine more digits), optionally +91 / 91 / 0 in front, spaces or
# dashes allowed after the prefix and in the middle; or any other E.164 number.
_INDIAN = re.compile(r"(?<![\d+])(?:\+?91[\s-]?|0)?([6-9]\d{4})[\s-]?(\d{5})(?!\d)")
_E164 = re.compile(r"(?<![\d+])\+[1-9]\d{7,14}(?!\d)")


# Credentials in a logged URL's query string (Rasa's API takes ``?token=``): never written.
_QUERY_SECRET = re.compile(r"(?i)([?&](?:token|access_token|auth_token|api_key|key|signature|"
                           r"x-amz-signature|x-amz-credential)=)[^&\s\"']+")
# Libraries that log every request URL at INFO (httpx) or bring their own handler
# (transformers' model load report): warnings only, through our handler.
_LIBRARY_LEVELS = {"httpx": "WARNING", "httpcore": "WARNING", "transformers": "ERROR",
                   "sentence_transformers": "WARNING"}


def mask_secrets(text: str) -> str:
    """``text`` with query-string credentials replaced by ``***``."""
    return _QUERY_SECRET.sub(lambda m: m.group(1) + "***", text)


def mask_phones(text: str) -> str:
    """``text`` with every phone number replaced by ``+91******`` and its last 4 digits."""
    text = _INDIAN.sub(lambda m: "+91******" + m.group(2)[-4:], text)
    return _E164.sub(lambda m: "+" + "*" * (len(m.group(0)) - 5) + m.group(0)[-4:], text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, phone numbers masked (see the module docstring)."""

    def __init__(self, service: str = "app", **_: Any) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "pid": record.process,
            "logger": record.name,
            "msg": mask_secrets(mask_phones(message)),
        }
        if record.exc_info:
            entry["exc"] = mask_secrets(mask_phones(self.formatException(record.exc_info)))
        elif record.exc_text:
            entry["exc"] = mask_secrets(mask_phones(record.exc_text))
        return json.dumps(entry, ensure_ascii=False, default=str)


def dict_config(service: str, level: str = "INFO") -> dict[str, Any]:
    """The ``dictConfig`` mapping: one JSON handler on the root, every logger propagating."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bot.logging_setup.JsonFormatter", "service": service}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            **{name: {"handlers": [], "propagate": True}
               for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "sanic.root",
                            "sanic.error", "sanic.access")},
            **{name: {"level": lvl, "handlers": [], "propagate": True}
               for name, lvl in _LIBRARY_LEVELS.items()},
        },
    }


def quiet_sanic_defaults() -> None:
    """Make Sanic apps created from now on log through the root's JSON handler."""
    try:
        from sanic import log as sanic_log
    except ImportError:  # the gateway has no Sanic
        return
    defaults = sanic_log.LOGGING_CONFIG_DEFAULTS
    defaults.clear()
    defaults.update({"version": 1, "disable_existing_loggers": False,
                     "loggers": {name: {"level": "INFO", "propagate": True}
                                 for name in ("sanic.root", "sanic.error", "sanic.access")}})


def setup(service: str, level: int | str = logging.INFO) -> None:
    """Log JSON lines with masked phone numbers to stderr, for every logger of the process."""
    formatter = JsonFormatter(service)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # read when transformers loads
    for name, library_level in _LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(library_level)
    logging.captureWarnings(True)  # Python warnings from now on are JSON lines too
    # Loggers that brought their own handlers (uvicorn, sanic, rasa) format through ours.
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            for own in logger.handlers:
                own.setFormatter(formatter)
    quiet_sanic_defaults()
