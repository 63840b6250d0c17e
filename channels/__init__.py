"""Messaging channels (Telegram, WhatsApp Cloud API, Facebook Messenger): verifying and reading their webhooks,
and delivering the assistant's and agents' messages through each platform's API via a durable outbox."""
