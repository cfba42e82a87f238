"""The seminar calendar: who may attend what, upcoming first, and iCalendar (RFC 5545) export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..models import Role, Seminar, SeminarSession, SessionKind

__all__ = [
    "CalendarEvent",
    "escape_text",
    "fold_line",
    "open_to",
    "render_ics",
    "seminar_events",
    "split_upcoming",
]


def open_to(session: SeminarSession, role: Role) -> bool:
    """Thematic sessions are for enrolled students; in-depth and restitution are open to all."""
    return role != Role.AUDITOR or session.kind != SessionKind.THEMATIC


def split_upcoming(sessions: Iterable[SeminarSession], today: dt.date
                   ) -> tuple[list[SeminarSession], list[SeminarSession]]:
    """(upcoming in date order, past with the most recent first)."""
    ordered = sorted(sessions, key=lambda s: (s.date, s.start_time or dt.time(0)))
    upcoming = [s for s in ordered if s.date >= today]
    past = [s for s in ordered if s.date < today]
    return upcoming, past[::-1]


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT: timed (UTC start/end) or all-day (a date)."""

    uid: str
    summary: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date | None = None
    location: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()


def _utc(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def seminar_events(seminar: Seminar, sessions: Iterable[SeminarSession],
                   describe: Callable[[SeminarSession], tuple[str, str]],
                   restitution_label: str) -> list[CalendarEvent]:
    """Events for the sessions (and the restitution when no session stands for it).

    `describe` gives each session's (category, description) in the reader's language. UIDs
    are built from the seminar slug and the session id, so they stay the same across exports.
    """
    zone = ZoneInfo(seminar.timezone)
    events: list[CalendarEvent] = []
    has_restitution = False
    for s in sessions:
        has_restitution |= s.kind == SessionKind.RESTITUTION
        category, description = describe(s)
        start: dt.datetime | dt.date
        end: dt.datetime | dt.date | None
        if s.start_time is None:
            start, end = s.date, s.date + dt.timedelta(days=1)
        else:
            start = _utc(s.date, s.start_time, zone)
            end = _utc(s.date, s.end_time, zone) if s.end_time and s.end_time > s.start_time else None
        events.append(CalendarEvent(
            uid=f"{seminar.slug}-session-{s.id}@wikiseminar", summary=s.title, start=start,
            end=end, location=s.place, description=description, categories=(category,)))
    if seminar.restitution_at is not None and not has_restitution:
        events.append(CalendarEvent(
            uid=f"{seminar.slug}-restitution@wikiseminar", summary=restitution_label,
            start=seminar.restitution_at.astimezone(dt.UTC), location=seminar.restitution_place,
            categories=(restitution_label,)))
    return events


def escape_text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold_line(line: str, limit: int = 75) -> str:
    """Fold a content line at 75 octets (CRLF + space), never inside a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(value: dt.datetime | dt.date) -> str:
    """DATE-TIME in UTC (…Z) or a DATE value."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _when(name: str, value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return f"{name}:{_stamp(value)}"
    return f"{name};VALUE=DATE:{_stamp(value)}"


def render_ics(events: Iterable[CalendarEvent], *, name: str, now: dt.datetime) -> str:
    """A VCALENDAR of the events, CRLF line ends, folded lines, UTC times (no VTIMEZONE needed)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//wikiseminar//wikiseminar calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    stamp = _stamp(now)
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{stamp}",
                  _when("DTSTART", event.start)]
        if event.end is not None:
            lines.append(_when("DTEND", event.end))
        lines.append(f"SUMMARY:{escape_text(event.summary)}")
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.categories:
            lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)
