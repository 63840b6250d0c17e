"""Proactive messages: shop events in, COD confirmations and shipping updates out, within the channels' rules."""
