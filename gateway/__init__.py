"""The HTTP front: shopper API and channel webhooks, the per-message flow, health, and the demo shop, widget and
console pages."""
