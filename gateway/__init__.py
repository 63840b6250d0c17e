"""The HTTP front: shopper API and channels, the per-message flow, health and the chat page."""
