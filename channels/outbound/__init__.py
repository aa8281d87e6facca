"""Outbound senders: Amazon SNS SMS and the WhatsApp Cloud API."""
