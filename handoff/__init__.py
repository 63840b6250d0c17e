"""Handoff to human agents: tickets packaging the shopper's purchase and inquiry history, the agents who work
them, and the console accounts (passwords, sessions, API tokens)."""
