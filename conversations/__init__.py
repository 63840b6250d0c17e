"""Conversations and their messages: the shopper's inquiry history, in the original and in English."""
