"""Gateway settings: secrets and endpoints of the channels (environment variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEV_SECRET = "local-dev-only-change-me"


@dataclass(frozen=True)
class ChannelSettings:
    """Everything the channel routes need; built with :func:`load_channel_settings`."""

    conversation_secret: str
    session_signing_key: str
    public_base_url: str | None
    twilio_auth_token: str
    whatsapp_verify_token: str
    whatsapp_app_secret: str
    whatsapp_access_token: str
    whatsapp_api_base_url: str
    voice_webhook_token: str
    sns_allowed_topic_arns: tuple[str, ...]
    sns_extra_cert_hosts: tuple[str, ...]
    sms_sender_id: str | None
    sms_entity_id: str | None
    sms_template_id: str | None
    max_body_bytes: int
    demo_mode: bool


def _tuple(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in os.environ.get(name, "").split(",") if v.strip())


def load_channel_settings() -> ChannelSettings:
    return ChannelSettings(
        conversation_secret=os.environ.get("CONVERSATION_ID_SECRET", DEV_SECRET),
        session_signing_key=os.environ.get("SESSION_SIGNING_KEY", DEV_SECRET),
        public_base_url=os.environ.get("PUBLIC_BASE_URL") or None,
        twilio_auth_token=os.environ.get("TWILIO_AUTH_TOKEN", ""),
        whatsapp_verify_token=os.environ.get("WHATSAPP_VERIFY_TOKEN", ""),
        whatsapp_app_secret=os.environ.get("WHATSAPP_APP_SECRET", ""),
        whatsapp_access_token=os.environ.get("WHATSAPP_ACCESS_TOKEN", ""),
        whatsapp_api_base_url=os.environ.get(
            "WHATSAPP_API_BASE_URL", "https://graph.facebook.com/v21.0"
        ),
        voice_webhook_token=os.environ.get("VOICE_WEBHOOK_TOKEN", ""),
        sns_allowed_topic_arns=_tuple("SNS_ALLOWED_TOPIC_ARNS"),
        sns_extra_cert_hosts=_tuple("SNS_EXTRA_CERT_HOSTS"),
        sms_sender_id=os.environ.get("SMS_SENDER_ID") or None,
        sms_entity_id=os.environ.get("SMS_DLT_ENTITY_ID") or None,
        sms_template_id=os.environ.get("SMS_DLT_TEMPLATE_ID") or None,
        max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", "65536")),
        demo_mode=os.environ.get("DEMO_MODE", "1") not in ("0", "false", "no", ""),
    )
