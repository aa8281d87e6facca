"""Prescriptions arriving from customers: WhatsApp media, Twilio MMS, web chat uploads.

WhatsApp: the webhook names a media id; the file is downloaded at once from the Graph
API (``GET /{media-id}`` gives a short-lived URL, fetched with the same bearer token),
because the URL expires within minutes. Twilio MMS: ``MediaUrl0`` fetched with the
account's basic auth. A URL is followed only to the provider's own host (or any https
host for Graph's CDN), never a redirect, and at most 10 MB are read. The file is then
checked by content and stored (:mod:`bot.prescriptions`); a ticket open for the
conversation gets a desk note, and the customer is told (``rx_received`` or
``rx_refused``), in their language.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

import httpx

from bot import desk, prescriptions
from bot.dialogue_text import message_language, say
from bot.errors import StoreUnavailable
from channels import pools

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 15.0


class MediaUnavailable(Exception):
    """The provider would not give us the file."""


def _store(state: Any) -> prescriptions.FileStore:
    store = getattr(state, "prescription_store", None)
    if store is None:
        store = prescriptions.make_store()
        state.prescription_store = store
    return store


async def _read_capped(response: httpx.Response) -> bytes:
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data.extend(chunk)
        if len(data) > prescriptions.MAX_BYTES:
            break  # sniff() refuses it as too large
    return bytes(data)


def _allowed(url: Any, base: str, any_https: bool) -> bool:
    if not isinstance(url, str):
        return False
    target, home = urlparse(url), urlparse(base)
    if target.scheme == home.scheme and target.netloc == home.netloc:
        return True
    return any_https and target.scheme == "https" and bool(target.netloc)


async def download(http: httpx.AsyncClient, url: str, **kwargs: Any) -> bytes:
    try:
        async with http.stream("GET", url, timeout=DOWNLOAD_TIMEOUT, follow_redirects=False,
                               **kwargs) as response:
            if response.status_code != 200:
                raise MediaUnavailable(f"HTTP {response.status_code}")
            return await _read_capped(response)
    except httpx.HTTPError as exc:
        raise MediaUnavailable(type(exc).__name__) from exc


async def whatsapp_media(state: Any, media_id: str) -> bytes:
    """The bytes of a WhatsApp media id, from the Graph API."""
    settings = state.channels
    base = settings.whatsapp_api_base_url.rstrip("/")
    if not media_id.isdigit() or not settings.whatsapp_access_token:
        raise MediaUnavailable("bad media id or no access token")
    headers = {"Authorization": f"Bearer {settings.whatsapp_access_token}"}
    try:
        meta = await state.http.get(f"{base}/{media_id}", headers=headers,
                                    timeout=DOWNLOAD_TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise MediaUnavailable(type(exc).__name__) from exc
    if meta.status_code != 200:
        raise MediaUnavailable(f"HTTP {meta.status_code}")
    try:
        url = meta.json().get("url")
    except (ValueError, AttributeError) as exc:
        raise MediaUnavailable("no media URL") from exc
    if not _allowed(url, base, any_https=True):
        raise MediaUnavailable("media URL not allowed")
    return await download(state.http, url, headers=headers)


async def twilio_media(state: Any, url: str) -> bytes:
    """The bytes of a Twilio MMS ``MediaUrl`` (account basic auth)."""
    from channels.desk.replies import _settings

    settings = _settings(state)
    if not _allowed(url, settings.twilio_api_base_url, any_https=False):
        raise MediaUnavailable("media URL not allowed")
    auth = (settings.twilio_account_sid, settings.twilio_auth_token) \
        if settings.twilio_account_sid else None
    return await download(state.http, url, auth=auth)


async def take_prescription(state: Any, data: bytes, *, channel: str, source: str,
                            customer_id: str | None, conversation_id: str | None,
                            reply_to: dict[str, Any] | None, text: str | None = None
                            ) -> tuple[dict[str, Any] | None, str]:
    """Store a prescription file; (document or None if refused, what to tell the customer)."""
    language = message_language(text) or "en"
    if customer_id is None:
        log.info("prescription from an unidentified %s sender kept pending", channel)
    try:
        doc = await pools.run_slow(
            prescriptions.store_upload, state.db, _store(state), data,
            customer_id=customer_id, channel=channel, source=source, reply_to=reply_to,
            conversation_id=conversation_id, language=language)
    except prescriptions.FileRefused as exc:
        log.warning("prescription refused on %s: %s", channel, exc.message)
        return None, say("rx_refused", language)
    log.info("prescription %s stored (%s, %d bytes)", doc["_id"], doc["file"]["content_type"],
             doc["file"]["bytes"])
    if conversation_id:
        try:
            ticket = await asyncio.to_thread(desk.open_ticket_of, state.db, conversation_id)
            if ticket is not None:
                await asyncio.to_thread(
                    desk.add_message, state.db, ticket, "desk",
                    f"Prescription {doc['_id']} received: waiting for a pharmacist.")
        except StoreUnavailable:
            pass
    return doc, say("rx_received", language, rx_id=doc["_id"])


async def from_whatsapp(state: Any, media_id: str, caller: Any, caption: str | None,
                        phone_number_id: str | None = None) -> str:
    """Download, check and store a WhatsApp image/document; the reply text."""
    route = {"channel": "whatsapp", "provider": "whatsapp_cloud", "address": caller.phone}
    if phone_number_id and phone_number_id.isdigit():
        route["phone_number_id"] = phone_number_id
    try:
        data = await whatsapp_media(state, media_id)
    except MediaUnavailable as exc:
        log.warning("whatsapp media from %s not downloaded: %s", caller.masked, exc)
        return say("rx_refused", message_language(caption) or "en")
    _doc, text = await take_prescription(
        state, data, channel="whatsapp", source="whatsapp_media",
        customer_id=caller.customer_id, conversation_id=caller.conversation_id,
        reply_to=route if caller.phone else None, text=caption)
    return text


async def from_twilio(state: Any, url: str, caller: Any, caption: str | None) -> str:
    """Download, check and store a Twilio MMS attachment; the reply text."""
    route = {"channel": caller.channel, "provider": "twilio", "address": caller.phone}
    try:
        data = await twilio_media(state, url)
    except MediaUnavailable as exc:
        log.warning("twilio media from %s not downloaded: %s", caller.masked, exc)
        return say("rx_refused", message_language(caption) or "en")
    _doc, text = await take_prescription(
        state, data, channel=caller.channel, source="twilio_mms",
        customer_id=caller.customer_id, conversation_id=caller.conversation_id,
        reply_to=route if caller.phone else None, text=caption)
    return text
