"""Desk messages out to the customer, on the channel the customer wrote on.

- web chat: the message is stored in the ticket's transcript; the desk hub of the
  gateway process holding the customer's chat socket pushes it (``state: posted``);
- SMS through SNS: the gateway's SNS sender (``channels.routes.sms_sns.sms_sender``);
- SMS or WhatsApp through Twilio: Twilio's Messages API (``bot.notify.providers
  .TwilioProvider``, configured like the notification worker: ``TWILIO_ACCOUNT_SID``,
  ``TWILIO_AUTH_TOKEN``, ``TWILIO_FROM_NUMBER`` or ``TWILIO_MESSAGING_SERVICE_SID``);
- WhatsApp Cloud API: a text message (the customer wrote within the 24-hour window)
  through the gateway's Graph client, from the number the customer wrote to (else
  ``WHATSAPP_PHONE_NUMBER_ID``);
- voice: nothing is sent: the ticket is a call-back task.

Sends run in the pool for outside calls; a failure is recorded on the message
(``state: failed`` with a short reason) and shown on the desk, never retried blindly.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import Field

from bot.config import EnvSettings
from bot.notify.providers import SendError, TwilioProvider
from channels import pools
from channels.outbound.sns_sms import SmsSendError
from channels.outbound.whatsapp_api import WhatsAppApiError
from channels.phone import mask_phone

log = logging.getLogger(__name__)


class DeskSendSettings(EnvSettings):
    """Provider settings only the desk's outbound messages need."""

    twilio_account_sid: str = Field("", env="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field("", env="TWILIO_AUTH_TOKEN", repr=False)
    twilio_from_number: str | None = Field(None, env="TWILIO_FROM_NUMBER")
    twilio_whatsapp_from: str | None = Field(None, env="TWILIO_WHATSAPP_FROM")
    twilio_messaging_service_sid: str | None = Field(None, env="TWILIO_MESSAGING_SERVICE_SID")
    twilio_api_base_url: str = Field("https://api.twilio.com", env="TWILIO_API_BASE_URL")
    whatsapp_phone_number_id: str = Field("", env="WHATSAPP_PHONE_NUMBER_ID")


def _settings(state: Any) -> DeskSendSettings:
    settings = getattr(state, "desk_send_settings", None)
    if settings is None:
        settings = DeskSendSettings.load()
        state.desk_send_settings = settings
    return settings


def twilio_provider(state: Any, whatsapp: bool) -> TwilioProvider:
    """Twilio's Messages API client (``app.state.desk_twilio``; tests inject their own)."""
    attr = "desk_twilio_whatsapp" if whatsapp else "desk_twilio"
    provider = getattr(state, attr, None)
    if provider is None:
        s = _settings(state)
        sender = s.twilio_whatsapp_from if whatsapp else s.twilio_from_number
        provider = TwilioProvider(
            httpx.Client(timeout=10.0), s.twilio_account_sid, s.twilio_auth_token,
            from_number=sender, messaging_service_sid=None if whatsapp else
            s.twilio_messaging_service_sid, base_url=s.twilio_api_base_url)
        setattr(state, attr, provider)
    return provider


def _send_twilio(state: Any, channel: str, phone: str, text: str, ref: str) -> str:
    whatsapp = channel == "whatsapp"
    to = f"whatsapp:{phone}" if whatsapp else phone
    provider = twilio_provider(state, whatsapp)
    return provider.send(to, {"_id": ref, "text": text})


def _send_cloud(state: Any, phone: str, text: str, number_id: str | None) -> str:
    from channels.routes.whatsapp import whatsapp_client

    number_id = number_id or _settings(state).whatsapp_phone_number_id
    if not number_id:
        raise ValueError("WHATSAPP_PHONE_NUMBER_ID is not set")
    body = whatsapp_client(state).send(number_id, {
        "messaging_product": "whatsapp", "to": phone.lstrip("+"), "type": "text",
        "text": {"body": text, "preview_url": False}})
    return str(((body.get("messages") or [{}])[0]).get("id") or "")


def _send_sns(state: Any, phone: str, text: str) -> str:
    from channels.routes.sms_sns import sms_sender

    return sms_sender(state).send(phone, text)


async def deliver(state: Any, ticket: dict[str, Any], text: str, ref: str) -> dict[str, Any]:
    """Send ``text`` to the ticket's customer; the delivery record for the transcript."""
    route = ticket.get("reply_to") or {}
    channel = route.get("channel") or ticket.get("channel")
    provider = route.get("provider") or channel
    if channel == "web":
        return {"state": "posted", "provider": "web"}
    if channel == "voice":
        return {"state": "not_sent", "provider": "voice", "error": "call the customer back"}
    phone = route.get("address")
    if not phone:
        return {"state": "failed", "provider": provider, "error": "no reply address"}
    try:
        if provider == "sns":
            message_id = await pools.run_slow(_send_sns, state, phone, text)
        elif provider == "twilio":
            message_id = await pools.run_slow(_send_twilio, state, channel, phone, text, ref)
        elif channel == "whatsapp":
            message_id = await pools.run_slow(_send_cloud, state, phone, text,
                                              route.get("phone_number_id"))
        else:
            return {"state": "failed", "provider": provider, "error": "unknown channel"}
    except (SendError, SmsSendError, WhatsAppApiError, ValueError, pools.PoolBusy) as exc:
        log.warning("desk reply to %s failed: %s", mask_phone(phone), type(exc).__name__)
        reason = getattr(exc, "reason", None) or type(exc).__name__
        return {"state": "failed", "provider": provider, "error": str(reason)[:200]}
    log.info("desk reply to %s sent via %s", mask_phone(phone), provider)
    return {"state": "sent", "provider": provider, "provider_message_id": message_id}
