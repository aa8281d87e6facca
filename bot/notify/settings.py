"""Settings of the notification worker and sweeper (environment variables).

Provider variables are the ones the gateway reads too (SMS_SENDER_ID, SMS_DLT_ENTITY_ID,
WHATSAPP_*, AWS_*), so one environment configures both.
"""

from __future__ import annotations

from pydantic import Field

from bot.config import StoreSettings


class NotifySettings(StoreSettings):
    """What ``python -m bot.notify worker`` needs; built with :meth:`load`."""

    sms_provider: str = Field("sns", env="SMS_PROVIDER", regex="^(sns|twilio)$")
    sms_sender_id: str | None = Field(None, env="SMS_SENDER_ID")
    sms_entity_id: str | None = Field(None, env="SMS_DLT_ENTITY_ID")
    twilio_account_sid: str = Field("", env="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field("", env="TWILIO_AUTH_TOKEN", repr=False)
    twilio_from_number: str | None = Field(None, env="TWILIO_FROM_NUMBER")
    twilio_messaging_service_sid: str | None = Field(None, env="TWILIO_MESSAGING_SERVICE_SID")
    twilio_api_base_url: str = Field("https://api.twilio.com", env="TWILIO_API_BASE_URL")
    public_base_url: str | None = Field(None, env="PUBLIC_BASE_URL")
    whatsapp_access_token: str = Field("", env="WHATSAPP_ACCESS_TOKEN", repr=False)
    whatsapp_api_base_url: str = Field(
        "https://graph.facebook.com/v21.0", env="WHATSAPP_API_BASE_URL"
    )
    whatsapp_phone_number_id: str = Field("", env="WHATSAPP_PHONE_NUMBER_ID")
    worker_threads: int = Field(4, env="NOTIFY_WORKER_THREADS", ge=1, le=64)
    max_attempts: int = Field(8, env="NOTIFY_MAX_ATTEMPTS", ge=1, le=50)
    retry_base_seconds: float = Field(10.0, env="NOTIFY_RETRY_BASE_SECONDS", gt=0)
    retry_cap_seconds: float = Field(900.0, env="NOTIFY_RETRY_CAP_SECONDS", gt=0)
    lease_seconds: int = Field(60, env="NOTIFY_LEASE_SECONDS", ge=1)
    sweep_interval_seconds: float = Field(5.0, env="NOTIFY_SWEEP_SECONDS", gt=0)
    sweep_grace_seconds: float = Field(30.0, env="NOTIFY_SWEEP_GRACE_SECONDS", ge=0)
    # The worker's clock runs this far ahead of the real one (drills and end-to-end tests of
    # reminders due days from now; 0 in production).
    clock_offset_seconds: float = Field(0.0, env="NOTIFY_CLOCK_OFFSET_SECONDS")
