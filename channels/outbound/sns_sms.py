"""Send transactional SMS through Amazon SNS with India DLT attributes.

Indian operators only deliver SMS registered on the DLT platform, so every publish
carries the registered sender ID (header), principal entity ID and template ID.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from channels.phone import mask_phone

log = logging.getLogger(__name__)

DEFAULT_REGION = "ap-south-1"
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
# Explicit limits: a slow SNS must not hold a gateway thread for boto3's ~60 s defaults.
CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 4.0
# botocore's "max_attempts" counts retries: one retry, two calls in all ("standard" mode).
MAX_ATTEMPTS = 1
SMS_TYPES = ("Transactional", "Promotional")


class SmsSendError(RuntimeError):
    """SNS refused or failed to publish the SMS; ``code`` is the AWS error code if any."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def client_config() -> Any:
    """botocore Config with explicit connect/read timeouts and the standard retry mode."""
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
    )


def default_sns_client() -> Any:
    """``boto3.client("sns")`` for AWS_REGION (default ap-south-1), with :func:`client_config`.

    AWS_ENDPOINT_URL_SNS / AWS_ENDPOINT_URL (e.g. LocalStack) are passed explicitly so
    they work on boto3 versions that predate service-specific endpoint variables.
    """
    import boto3

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    endpoint = os.environ.get("AWS_ENDPOINT_URL_SNS") or os.environ.get("AWS_ENDPOINT_URL")
    return boto3.client("sns", region_name=region, endpoint_url=endpoint or None,
                        config=client_config())


def _attribute(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


class SnsSmsSender:
    """Publish one SMS per call via ``sns.publish(PhoneNumber=..., Message=...)``."""

    def __init__(
        self,
        client: Any | None = None,
        *,
        sender_id: str | None = None,
        entity_id: str | None = None,
        template_id: str | None = None,
        sms_type: str = "Transactional",
    ) -> None:
        if sms_type not in SMS_TYPES:
            raise ValueError(f"sms_type must be one of {SMS_TYPES}")
        self._client = client
        self.sender_id = sender_id
        self.entity_id = entity_id
        self.template_id = template_id
        self.sms_type = sms_type

    @property
    def client(self) -> Any:
        """The boto3 SNS client (created on first use)."""
        if self._client is None:
            self._client = default_sns_client()
        return self._client

    def message_attributes(self) -> dict[str, dict[str, str]]:
        """SMSType plus the DLT sender ID, entity ID and template ID that are set."""
        attributes = {"AWS.SNS.SMS.SMSType": _attribute(self.sms_type)}
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = _attribute(self.sender_id)
        if self.entity_id:
            attributes["AWS.MM.SMS.EntityId"] = _attribute(self.entity_id)
        if self.template_id:
            attributes["AWS.MM.SMS.TemplateId"] = _attribute(self.template_id)
        return attributes

    def send(self, phone_e164: str, text: str) -> str:
        """Publish ``text`` to ``phone_e164``; return the SNS MessageId."""
        if not isinstance(phone_e164, str) or not _E164.match(phone_e164):
            raise ValueError("phone number must be E.164, e.g. +919812345678")
        if not text:
            raise ValueError("empty SMS text")
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.publish(
                PhoneNumber=phone_e164,
                Message=text,
                MessageAttributes=self.message_attributes(),
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            log.warning("sns sms to %s failed: %s", mask_phone(phone_e164), code)
            raise SmsSendError(f"SNS publish failed: {code}", code=code) from exc
        except BotoCoreError as exc:
            log.warning("sns sms to %s failed: %s", mask_phone(phone_e164), type(exc).__name__)
            raise SmsSendError(f"SNS publish failed: {type(exc).__name__}") from exc
        message_id = str(response["MessageId"])
        log.info("sns sms to %s sent, id=%s", mask_phone(phone_e164), message_id)
        return message_id
