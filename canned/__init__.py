"""Canned replies: texts written once by admins in every language, filled from the shop's data."""
