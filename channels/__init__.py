"""Channel adapters (SMS, WhatsApp, voice) for the pharmacy customer-care assistant.

Pure functions and small classes only: no web framework lives here.
"""
