"""Custom actions, served by rasa-sdk from the project's Python 3.11 environment:
`python -m rasa_sdk --actions bot.actions` (started by `shopbot run`)."""

from bot.actions import fallback, handoff, orders, shop_info  # noqa: F401  (registers the actions)
