"""Decide what to fetch from a wiki, fetch it through `wiki/`, measure it, store it idempotently."""
