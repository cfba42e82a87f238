"""Fold new revisions of tracked pages into their authorship state; store per-student figures."""

from __future__ import annotations


def update_authorship(*args: object, **kwargs: object) -> int:
    """Placeholder until the authorship package lands (wired in the next commit)."""
    return 0
