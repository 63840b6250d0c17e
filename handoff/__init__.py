"""Handoff to human agents: tickets packaging the shopper's purchase and inquiry history."""
