"""Helpers shared by the seminar pages: the wiki client, lookups scoped to one seminar, filters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import current_app
from flask_babel import format_date, format_datetime, get_locale

from ...models import Participant, Seminar, SeminarSession, Topic
from ...sync.pipeline import client_for
from ...wiki.client import WikiClient
from ..permissions import seminar_row_or_404
from . import bp

__all__ = ["participant_or_404", "session_or_404", "topic_or_404", "wiki_client"]


def wiki_client(seminar: Seminar) -> WikiClient:
    """A client for the seminar's wiki, configured from the app config."""
    return client_for(seminar.wiki.api_url, current_app.config)


def participant_or_404(seminar: Seminar, participant_id: int) -> Participant:
    """A participant of this seminar (ids of other seminars are not found, not forbidden)."""
    return seminar_row_or_404(Participant, seminar, participant_id)


def session_or_404(seminar: Seminar, session_id: int) -> SeminarSession:
    """A session of this seminar's calendar."""
    return seminar_row_or_404(SeminarSession, seminar, session_id)


def topic_or_404(seminar: Seminar, topic_id: int) -> Topic:
    """A topic of this seminar."""
    return seminar_row_or_404(Topic, seminar, topic_id)


@bp.app_template_filter("clock")
def clock(value: dt.time | None) -> str:
    """A wall-clock time in the reader's locale (14:30 in French, 2:30 PM in English)."""
    if value is None:
        return ""
    return format_time(value, "short", locale=get_locale() or "fr")


@bp.app_template_filter("seminar_datetime")
def seminar_datetime(value: dt.datetime | None, timezone: str, fmt: str = "medium") -> str:
    """A UTC instant shown in the seminar's own time zone (not the install's).

    "full" is the long date and the short time ("vendredi 19 mars 2027, 14:00"): Babel's
    own full format adds seconds and the zone's long name, too much for a timetable.
    """
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(timezone))
    if fmt == "full":
        return f"{format_date(local.date(), 'full')}, {clock(local.time())}"
    return format_datetime(local, fmt, rebase=False)


@bp.app_template_global("has_endpoint")
def has_endpoint(name: str) -> bool:
    """Whether another blueprint (e.g. the dashboard) is installed, to link to it."""
    return name in current_app.view_functions
