"""Render Rasa bot messages for each channel (SMS, voice SSML, WhatsApp)."""
