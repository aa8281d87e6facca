"""Providers behind the outbox sender: SNS (default) for SMS, the Cloud API for WhatsApp.

Each provider's ``send(phone, notification)`` returns the provider's message id or raises
one of three errors, which decide what the outbox does next:

- :class:`TransientSendError` — throttled, 5xx, connection refused: retry with backoff;
- :class:`AmbiguousSendError` — a timeout after the request went out: it may have been
  accepted, so the next attempt first looks for a recorded provider id;
- :class:`PermanentSendError` — invalid number, opted out at the provider, bad template:
  the notification goes to ``dead`` with the reason.

The senders are the gateway's own (:mod:`channels.outbound`), reused as they are.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from channels.outbound.sns_sms import SmsSendError, SnsSmsSender, default_sns_client
from channels.outbound.whatsapp_api import WhatsAppApiError, WhatsAppClient


class SendError(RuntimeError):
    """A send failed; ``reason`` is short and carries no personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:200]


class TransientSendError(SendError):
    """Worth retrying later."""


class AmbiguousSendError(TransientSendError):
    """The provider may have accepted the message (timeout after sending)."""


class PermanentSendError(SendError):
    """Retrying cannot help."""


class Provider(Protocol):
    name: str

    def send(self, phone: str, notification: dict[str, Any]) -> str: ...


# AWS error codes that retrying cannot fix.
SNS_PERMANENT = frozenset({
    "InvalidParameter", "InvalidParameterValue", "AuthorizationError", "EndpointDisabled",
    "NotFound", "OptedOut", "ValidationException", "InvalidClientTokenId",
    "OptedOutException",
})
_TIMEOUTS = ("ReadTimeoutError", "ReadTimeout", "WriteTimeout", "ConnectionClosedError",
             "RemoteProtocolError")


def _cause_name(exc: BaseException) -> str:
    cause = exc.__cause__
    return type(cause).__name__ if cause is not None else ""


class SnsProvider:
    """SMS through Amazon SNS with the notification's own DLT template id."""

    name = "sns"

    def __init__(self, client: Any | None = None, *, sender_id: str | None = None,
                 entity_id: str | None = None) -> None:
        self._client = client
        self.sender_id = sender_id
        self.entity_id = entity_id
        self._senders: dict[str | None, SnsSmsSender] = {}
        self._only: SnsSmsSender | None = None

    @classmethod
    def wrapping(cls, sender: SnsSmsSender) -> SnsProvider:
        """A provider that publishes everything through ``sender`` (the gateway's own,
        with the reply template): how the gateway sends a reply right away."""
        provider = cls()
        provider._only = sender
        return provider

    def _sender(self, template_id: str | None) -> SnsSmsSender:
        if self._only is not None:
            return self._only
        sender = self._senders.get(template_id)
        if sender is None:
            if self._client is None:
                self._client = default_sns_client()
            sender = SnsSmsSender(self._client, sender_id=self.sender_id,
                                  entity_id=self.entity_id, template_id=template_id)
            self._senders[template_id] = sender
        return sender

    def send(self, phone: str, notification: dict[str, Any]) -> str:
        try:
            return self._sender(notification.get("template_id")).send(phone,
                                                                      notification["text"])
        except ValueError as exc:
            raise PermanentSendError(f"invalid_request: {exc}") from exc
        except SmsSendError as exc:
            if exc.code in SNS_PERMANENT:
                raise PermanentSendError(f"sns:{exc.code}") from exc
            cause = _cause_name(exc)
            if cause in _TIMEOUTS:
                raise AmbiguousSendError(f"sns:{cause}") from exc
            raise TransientSendError(f"sns:{exc.code or cause or 'error'}") from exc


# Cloud API error codes that retrying cannot fix (invalid recipient, not on WhatsApp,
# re-engagement window closed for free text, template problems, blocked).
WHATSAPP_PERMANENT = frozenset({100, 131008, 131009, 131021, 131026, 131047, 131050, 131051,
                                132000, 132001, 132005, 132007, 132012, 132015, 132016,
                                133010, 368})


class WhatsAppProvider:
    """WhatsApp through the Cloud API: free text inside the 24-hour window, else a template.

    ``in_window(notification)`` says whether the customer wrote to us on WhatsApp in the
    last 24 hours (the sender works it out from ``inbound_messages``).
    """

    name = "whatsapp"

    def __init__(self, client: WhatsAppClient, phone_number_id: str) -> None:
        self.client = client
        self.phone_number_id = phone_number_id

    @staticmethod
    def payload(to: str, notification: dict[str, Any], in_window: bool) -> dict[str, Any]:
        """A text message (inside the window) or the approved template with its parameters;
        a conversational reply's own message body (text, buttons, list)."""
        if notification["kind"] == "reply" and notification.get("payload"):
            return {**notification["payload"], "to": to}
        if in_window:
            return {"messaging_product": "whatsapp", "to": to, "type": "text",
                    "text": {"body": notification["text"], "preview_url": False}}
        params = notification.get("params") or {}
        if notification["kind"] == "refill_reminder":
            values = [params.get("source_order_id") or "-", params.get("brand") or "-",
                      params.get("eta") or "-"]
        else:
            values = [notification["order_id"], params.get("courier") or "-",
                      params.get("awb") or "-", params.get("eta") or "-"]
        return {
            "messaging_product": "whatsapp", "to": to, "type": "template",
            "biz_opaque_callback_data": notification["_id"],
            "template": {
                "name": f"order_{notification['kind']}",
                "language": {"code": notification.get("language") or "en"},
                "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": str(v)} for v in values]}],
            },
        }

    def send(self, phone: str, notification: dict[str, Any], in_window: bool = False) -> str:
        # A reply leaves from the business number the customer wrote to.
        phone_number_id = notification.get("phone_number_id") or self.phone_number_id
        if not phone_number_id:
            raise PermanentSendError("whatsapp:not_configured")
        try:
            body = self.client.send(phone_number_id,
                                    self.payload(phone.lstrip("+"), notification, in_window))
        except ValueError as exc:
            raise PermanentSendError(f"invalid_request: {exc}") from exc
        except WhatsAppApiError as exc:
            if exc.error_code in WHATSAPP_PERMANENT or (
                exc.error_code is None and exc.status_code in (400, 404)
            ):
                raise PermanentSendError(
                    f"whatsapp:{exc.error_code or exc.status_code}") from exc
            cause = _cause_name(exc)
            if cause in _TIMEOUTS:
                raise AmbiguousSendError(f"whatsapp:{cause}") from exc
            raise TransientSendError(
                f"whatsapp:{exc.error_code or exc.status_code or cause or 'error'}") from exc
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise AmbiguousSendError("whatsapp:no_message_id") from None


# Twilio error codes that retrying cannot fix (invalid or non-mobile number, the customer
# replied STOP to Twilio, sending not permitted to that region, bad sender).
TWILIO_PERMANENT = frozenset({21211, 21212, 21408, 21606, 21610, 21612, 21614, 21617,
                              21660, 30003, 30004, 30005, 30006, 30007})


class TwilioProvider:
    """SMS through Twilio's Messages API (``SMS_PROVIDER=twilio``).

    The status callback URL carries the notification id (``?n=``) so a receipt can be
    matched even when the API's answer to the send never arrived.
    """

    name = "twilio"

    def __init__(self, http: httpx.Client, account_sid: str, auth_token: str, *,
                 from_number: str | None = None, messaging_service_sid: str | None = None,
                 base_url: str = "https://api.twilio.com",
                 public_base_url: str | None = None) -> None:
        if not account_sid or not auth_token or not (from_number or messaging_service_sid):
            raise ValueError("Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                             "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        self.http = http
        self.account_sid = account_sid
        self._auth = (account_sid, auth_token)
        self.sender = ({"MessagingServiceSid": messaging_service_sid} if messaging_service_sid
                       else {"From": str(from_number)})
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.public_base_url = (public_base_url or "").rstrip("/")

    def form(self, phone: str, notification: dict[str, Any]) -> dict[str, str]:
        """The Messages API form for one notification."""
        form = {"To": phone, "Body": notification["text"], **self.sender}
        if self.public_base_url:
            form["StatusCallback"] = (f"{self.public_base_url}/webhooks/sms/twilio/status?"
                                      + urlencode({"n": notification["_id"]}))
        return form

    def send(self, phone: str, notification: dict[str, Any]) -> str:
        try:
            response = self.http.post(self.url, data=self.form(phone, notification),
                                      auth=self._auth)
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                raise TransientSendError(f"twilio:{type(exc).__name__}") from exc
            raise AmbiguousSendError(f"twilio:{type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise TransientSendError(f"twilio:{type(exc).__name__}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if 200 <= response.status_code < 300:
            if isinstance(body.get("sid"), str):
                return body["sid"]
            raise AmbiguousSendError("twilio:no_sid")
        code = body.get("code") if isinstance(body.get("code"), int) else None
        if code in TWILIO_PERMANENT or (code is None and response.status_code in (400, 404)):
            raise PermanentSendError(f"twilio:{code or response.status_code}")
        raise TransientSendError(f"twilio:{code or response.status_code}")
