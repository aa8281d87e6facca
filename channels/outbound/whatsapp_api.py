"""Minimal WhatsApp Cloud API client: ``POST {base}/{phone_number_id}/messages``."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com/v21.0"
# Explicit limits: the send holds a thread of the small outside-call pool while it waits.
DEFAULT_TIMEOUT = httpx.Timeout(8.0, connect=3.0, pool=3.0)
_PHONE_NUMBER_ID = re.compile(r"^[0-9]{1,32}$")


class WhatsAppApiError(RuntimeError):
    """Non-2xx answer (or transport failure) from the Cloud API."""

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        error_code: int | None = None,
        fbtrace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = error_code
        self.fbtrace_id = fbtrace_id


class WhatsAppClient:
    """Sends message payloads built by ``channels.render.whatsapp``."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        access_token: str = "",
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        if not access_token:
            raise ValueError("access_token is required")
        self.base_url = base_url.rstrip("/")
        self._token = access_token
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self._timeout = timeout

    def send(self, phone_number_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one message; return the JSON answer (``messages[0].id`` is the wamid)."""
        if not _PHONE_NUMBER_ID.match(str(phone_number_id)):
            raise ValueError("phone_number_id must be numeric")
        url = f"{self.base_url}/{phone_number_id}/messages"
        headers = {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"}
        try:
            response = self._http.post(url, json=payload, headers=headers, timeout=self._timeout)
        except httpx.HTTPError as exc:
            log.warning("whatsapp send failed: %s", type(exc).__name__)
            raise WhatsAppApiError(f"transport error: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise self._error(response)
        try:
            body = response.json()
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {"data": body}

    @staticmethod
    def _error(response: httpx.Response) -> WhatsAppApiError:
        try:
            error = (response.json() or {}).get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        message = str(error.get("message") or f"HTTP {response.status_code}")
        code = error.get("code") if isinstance(error.get("code"), int) else None
        log.warning("whatsapp send rejected: status=%s code=%s", response.status_code, code)
        return WhatsAppApiError(
            message, status_code=response.status_code, error_code=code,
            fbtrace_id=error.get("fbtrace_id"),
        )

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WhatsAppClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
