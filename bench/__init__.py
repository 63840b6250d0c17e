"""Benchmarks: not collected by pytest; each prints its figures (see README, "Measured")."""
