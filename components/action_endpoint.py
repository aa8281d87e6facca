"""Rasa's calls to the action server over one kept-alive HTTP session, the domain encoded once.

Rasa 3.6's ``EndpointConfig.request`` opens a new aiohttp ``ClientSession`` for every request:
a new TCP connection, which the action server's Sanic accepts and tears down again, for every
action and form validation call. Each call also JSON-encodes the whole domain (28 KB here),
which is the same object for the life of the model (``Domain.as_dict`` returns its stored
dictionary). Under 20 concurrent conversations the action-call machinery was about a fifth of
the Rasa server's Python time (``py-spy --gil`` during ``bench/load.py``).

Here each ``EndpointConfig`` keeps one session per event loop, made with the settings of
Rasa's own ``session()`` (headers, basic auth, timeout); its JSON encoder encodes a payload's
``domain`` once per domain object and splices it into the body. Everything else is Rasa's
request: URL, query parameters (token), headers, compression, CA file, ``ClientResponseError``
for a status >= 400, the JSON answer or ``None``.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
from typing import Any

import aiohttp

_SESSIONS = "_pharmacy_sessions"
KEEPALIVE_S = 2.0
_domain_json: tuple[Any, str] | None = None  # (the domain dict, its JSON)


def encode(payload: Any) -> str:
    """``json.dumps(payload)``, reusing the JSON of a domain dict already encoded."""
    global _domain_json
    domain = payload.get("domain") if isinstance(payload, dict) else None
    if not isinstance(domain, dict):
        return json.dumps(payload)
    if _domain_json is None or _domain_json[0] is not domain:
        _domain_json = (domain, json.dumps(domain))
    rest = json.dumps({k: v for k, v in payload.items() if k != "domain"})
    return f'{rest[:-1]}{", " if rest != "{}" else ""}"domain": {_domain_json[1]}}}'


def shared_session(endpoint: Any) -> aiohttp.ClientSession:
    """The endpoint's session for the running loop, made like Rasa's ``session()``."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    sessions: dict[int, tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = (
        endpoint.__dict__.setdefault(_SESSIONS, {}))
    for key, (owner, _session) in list(sessions.items()):
        if owner.is_closed():  # a finished loop's session can't be used (or closed) any more
            del sessions[key]
    kept = sessions.get(id(loop))
    if kept is not None and kept[0] is loop and not kept[1].closed:
        return kept[1]
    auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth else None)
    session = aiohttp.ClientSession(
        # An idle connection is dropped well before the action server's (Sanic's default
        # 5 s) keep-alive ends, so a request never goes out on a socket being closed.
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
        headers=endpoint.headers, auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=encode,
    )
    sessions[id(loop)] = (loop, session)
    return session


async def request(self: Any, method: str = "post", subpath: str | None = None,
                  content_type: str | None = "application/json", compress: bool = False,
                  **kwargs: Any) -> Any | None:
    """``EndpointConfig.request`` on the endpoint's kept-alive session."""
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs["headers"])
        del kwargs["headers"]
    if self.headers:
        headers.update(self.headers)

    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, "
                f"'{os.path.abspath(self.cafile)}' does not exist.") from e

    async with shared_session(self).request(
        method, url, headers=headers, params=self.combine_parameters(kwargs),
        compress=compress, ssl=sslcontext, **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason,
                                      await response.content.read())
        try:
            return await response.json()
        except aiohttp.ContentTypeError:
            return None


_original_request: Any = None


def install() -> None:
    """Route ``EndpointConfig.request`` through the kept-alive sessions (idempotent)."""
    global _original_request
    from rasa.utils.endpoints import EndpointConfig

    if _original_request is None:
        _original_request = EndpointConfig.request
    EndpointConfig.request = request  # type: ignore[method-assign]


def original_request() -> Any:
    """Rasa's own ``EndpointConfig.request``, for comparisons."""
    from rasa.utils.endpoints import EndpointConfig

    return _original_request or EndpointConfig.request
