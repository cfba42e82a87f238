"""Outgoing mail: every message is stored in the outbox first, then sent (or queued) on commit.

Contract shared with the other branches: `mail_enabled()` and `enqueue(...)`. A caller adds the
message in its own transaction; it leaves for the SMTP server only once that transaction
commits, so a rolled-back request sends nothing and an SMTP outage loses nothing.
"""

from __future__ import annotations

from flask import current_app

from .outbox import InlineImage, LinkOutsideBaseUrl, enqueue

__all__ = ["InlineImage", "LinkOutsideBaseUrl", "enqueue", "mail_enabled"]


def mail_enabled() -> bool:
    """True when [mail] host is configured (without it the app sends nothing)."""
    return bool(current_app.config.get("MAIL_HOST"))
