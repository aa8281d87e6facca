"""Webhook authenticity checks for Twilio, Meta WhatsApp and Amazon SNS."""
