"""Gateway settings: secrets and endpoints of the channels (environment variables).

Validated when the gateway starts (:func:`load_channel_settings`): the web session
key, the conversation-id key and the token for Rasa's gateway channel are required
(>= 32 characters); provider secrets may stay unset, and their routes then refuse
every request.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from bot.config import EnvSettings, optional_secret, secret

_LIST_FIELDS = ("sns_allowed_topic_arns", "sns_extra_cert_hosts")


class ChannelSettings(EnvSettings):
    """Everything the channel routes need; built with :func:`load_channel_settings`."""

    conversation_secret: str = secret("CONVERSATION_ID_SECRET")
    session_signing_key: str = secret("SESSION_SIGNING_KEY")
    rasa_channel_token: str = secret("RASA_CHANNEL_TOKEN")
    public_base_url: str | None = Field(None, env="PUBLIC_BASE_URL")
    trust_proxy_headers: bool = Field(False, env="TRUST_PROXY_HEADERS")
    # Provider secrets: chosen by the provider (Twilio, Meta) unless noted.
    twilio_auth_token: str = Field("", env="TWILIO_AUTH_TOKEN", repr=False)
    whatsapp_verify_token: str = Field("", env="WHATSAPP_VERIFY_TOKEN", repr=False)
    whatsapp_app_secret: str = Field("", env="WHATSAPP_APP_SECRET", repr=False)
    whatsapp_access_token: str = Field("", env="WHATSAPP_ACCESS_TOKEN", repr=False)
    whatsapp_api_base_url: str = Field(
        "https://graph.facebook.com/v21.0", env="WHATSAPP_API_BASE_URL"
    )
    voice_webhook_token: str = optional_secret("VOICE_WEBHOOK_TOKEN")  # ours to choose
    order_events_token: str = optional_secret("ORDER_EVENTS_TOKEN")  # ours; "" refuses all
    metrics_token: str = optional_secret("METRICS_TOKEN")  # ours; "" = loopback callers only
    sns_allowed_topic_arns: tuple[str, ...] = Field((), env="SNS_ALLOWED_TOPIC_ARNS")
    sns_extra_cert_hosts: tuple[str, ...] = Field((), env="SNS_EXTRA_CERT_HOSTS")
    sms_sender_id: str | None = Field(None, env="SMS_SENDER_ID")
    sms_entity_id: str | None = Field(None, env="SMS_DLT_ENTITY_ID")
    sms_template_id: str | None = Field(None, env="SMS_DLT_TEMPLATE_ID")
    # The DLT template registered for one-time codes (web chat); default: SMS_DLT_TEMPLATE_ID.
    sms_otp_template_id: str | None = Field(None, env="SMS_DLT_OTP_TEMPLATE_ID")
    # Web chat limits per client IP (generous: many customers share a carrier's NAT).
    web_max_connections_per_ip: int = Field(30, env="WEB_MAX_CONNECTIONS_PER_IP")
    web_turns_per_minute_per_ip: int = Field(90, env="WEB_TURNS_PER_MINUTE_PER_IP")
    max_body_bytes: int = Field(65536, env="MAX_BODY_BYTES")
    demo_mode: bool = Field(False, env="DEMO_MODE")

    class Config:
        @classmethod
        def parse_env_var(cls, field_name: str, raw_val: str) -> Any:
            """Comma-separated lists (not JSON) for the list variables."""
            if field_name in _LIST_FIELDS:
                return tuple(v.strip() for v in raw_val.split(",") if v.strip())
            return json.loads(raw_val)


def load_channel_settings() -> ChannelSettings:
    """The channel settings from the environment (raises ``bot.config.SettingsError``)."""
    return ChannelSettings.load()
