"""The HTTP front: the shopper API, the widget and its socket, the channels' webhooks, the agent and admin
consoles and APIs, and the per-message flow that composes the domain packages."""
