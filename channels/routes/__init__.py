"""Channel routers: one module per channel, included by :mod:`channels.gateway`.

``sms_twilio`` (``POST /webhooks/sms/twilio``), ``sms_sns`` (``POST /webhooks/sms/sns``),
``whatsapp`` (``GET``/``POST /webhooks/whatsapp``), ``voice_lex``
(``POST /webhooks/voice/lex``) and ``web`` (the web chat); ``_common`` holds what the
phone channels share (caller identity, 400 helpers).
"""
