"""The Rasa assistant as the rest of the product reaches it: its HTTP API, what it decided (read from its
tracker store) and what it understands of one message."""
