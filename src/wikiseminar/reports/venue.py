"""Guest lists for the venue: confirmed attendees sorted by name, the waiting list apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from ..dbsession import DbSession
from ..models import Registration, Seminar, SeminarSession
from ..services.registrations import attendees
from .documents import template_helpers

__all__ = ["VENUE_COLUMNS", "VenueList", "render_venue_lists", "venue_lists", "venue_rows"]

VENUE_COLUMNS = ("session_id", "date", "start", "session", "list", "position", "name", "email",
                 "affiliation")


@dataclass(slots=True)
class VenueList:
    """One session's list: who has a place (by name) and who waits (in order)."""

    session: SeminarSession
    confirmed: list[Registration]
    waiting: list[Registration]


def venue_lists(db: DbSession, seminar: Seminar, session_id: int | None = None) -> list[VenueList]:
    """The lists of every session with places (or of one session); LookupError if unknown."""
    query = sa.select(SeminarSession).where(SeminarSession.seminar_id == seminar.id)
    if session_id is not None:
        query = query.where(SeminarSession.id == session_id)
    else:
        query = query.where(SeminarSession.places.is_not(None))
    items = db.scalars(query.order_by(SeminarSession.date, SeminarSession.start_time)).all()
    if session_id is not None and not items:
        raise LookupError(f"no session {session_id} in seminar {seminar.slug!r} "
                          f"(see: wikiseminar session list {seminar.slug})")
    return [VenueList(item, *attendees(db, item)) for item in items]


def venue_rows(lists: list[VenueList]) -> list[dict[str, Any]]:
    """CSV rows: confirmed first (alphabetical), then the waiting list (numbered in order)."""
    rows = []
    for entry in lists:
        item = entry.session
        base = {"session_id": item.id, "date": item.date.isoformat(),
                "start": item.start_time.strftime("%H:%M") if item.start_time else "",
                "session": item.title}
        for reg in entry.confirmed:
            rows.append({**base, "list": "confirmed", "position": "", "name": reg.name,
                         "email": reg.email, "affiliation": reg.affiliation})
        for position, reg in enumerate(entry.waiting, start=1):
            rows.append({**base, "list": "waiting", "position": position, "name": reg.name,
                         "email": reg.email, "affiliation": reg.affiliation})
    return rows


def render_venue_lists(seminar: Seminar, lists: list[VenueList], *, lang: str) -> str:
    """The lists as a printable HTML document (one page per session), for PDF or print."""
    with force_locale(lang):
        return render_template("reports/venue_document.html", seminar=seminar, lists=lists,
                               lang=lang, **template_helpers(seminar.timezone))
