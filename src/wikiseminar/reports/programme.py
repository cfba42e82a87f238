"""The restitution programme: who presents when in the final session, with their topic and articles.

Each talk has a discussant: the instructor's choice, else one of the presenter's peer
reviewers (`reports/reviews.py`). Presenters are the enrolled students (auditors do not present; removed participants are
gone), in the instructor's order (`Participant.presentation_order`), then by name for
those not ordered yet. Slots follow each other from `Seminar.restitution_at`; a break of
`break_minutes` comes after every `break_every` presentations (never after the last one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Participant, Role, Seminar, SeminarSession, SessionKind
from ..scope import counted
from ..services.messages import N_
from .reviews import discussants
from .sorting import name_key

__all__ = [
    "PROGRAMME_COLUMNS",
    "Programme",
    "ProgrammeItem",
    "Slot",
    "build_programme",
    "programme_csv",
    "layout_slots",
    "presenters",
    "programme_rows",
    "renumber",
]

PROGRAMME_COLUMNS = ("position", "kind", "start", "end", "name", "wiki_username", "topic",
                     "topic_status", "articles", "discussant")
# Column titles and kinds of row in the export's language (keys and JSON stay English).
_PROGRAMME_TITLES = {
    "position": N_("Order"), "kind": N_("Kind"), "start": N_("Start"), "end": N_("End"),
    "name": N_("Name"), "wiki_username": N_("Wiki account"), "topic": N_("Topic"),
    "topic_status": N_("Topic status"), "articles": N_("Articles"), "discussant": N_("Discussant"),
}
_KINDS = {"talk": N_("presentation"), "break": N_("break")}


@dataclass(frozen=True, slots=True)
class Slot:
    """A stretch of the session: a presentation (index of the presenter) or a break."""

    kind: str  # talk | break
    start: dt.datetime
    end: dt.datetime
    index: int | None = None


def layout_slots(start: dt.datetime, count: int, minutes: int, break_every: int = 0,
                 break_minutes: int = 0) -> list[Slot]:
    """Consecutive slots for `count` presentations from `start` (pure)."""
    if minutes <= 0:
        raise ValueError("a presentation lasts at least one minute")
    slots = []
    at = start
    talk = dt.timedelta(minutes=minutes)
    pause = dt.timedelta(minutes=max(break_minutes, 0))
    for index in range(count):
        slots.append(Slot("talk", at, at + talk, index))
        at += talk
        if break_every > 0 and pause and (index + 1) % break_every == 0 and index + 1 < count:
            slots.append(Slot("break", at, at + pause))
            at += pause
    return slots


@dataclass(slots=True)
class ProgrammeItem:
    """One line of the printed programme, times in the seminar's time zone."""

    kind: str
    start: dt.datetime | None
    end: dt.datetime | None
    position: int | None = None
    participant_id: int | None = None
    name: str = ""
    wiki_username: str | None = None
    topic: str | None = None
    topic_status: str | None = None
    articles: list[tuple[str, str]] = field(default_factory=list)  # (title, url)
    discussant: str | None = None  # who discusses the talk (reports/reviews.py)


@dataclass(slots=True)
class Programme:
    """The laid-out final session."""

    seminar_title: str
    timezone: str
    place: str
    start: dt.datetime | None
    end: dt.datetime | None
    session_end: dt.datetime | None
    minutes: int
    break_every: int
    break_minutes: int
    items: list[ProgrammeItem]

    @property
    def scheduled(self) -> bool:
        """Whether the restitution has a start time (else the order is shown without times)."""
        return self.start is not None

    @property
    def overrun(self) -> dt.timedelta | None:
        """How far the programme runs past the session's planned end, if it does."""
        if self.end and self.session_end and self.end > self.session_end:
            return self.end - self.session_end
        return None

    @property
    def talks(self) -> list[ProgrammeItem]:
        """The presentations only."""
        return [i for i in self.items if i.kind == "talk"]


def presenters(session: DbSession, seminar: Seminar) -> list[Participant]:
    """Enrolled students in presentation order, the unordered ones last by name."""
    people = session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, counted(Role.STUDENT),
        Participant.removed_at.is_(None)).order_by(Participant.id))
    return sorted(people, key=lambda p: (p.presentation_order is None, p.presentation_order or 0,
                                         name_key(p.name)))


def renumber(people: Sequence[Participant]) -> None:
    """Store 1..n as the presentation order of `people`, in the given order."""
    for position, person in enumerate(people, start=1):
        person.presentation_order = position


def _session_end(session: DbSession, seminar: Seminar, start: dt.datetime) -> dt.datetime | None:
    """End of the calendar's restitution session on the programme's day, if the calendar has one."""
    zone = ZoneInfo(seminar.timezone)
    local = start.astimezone(zone)
    found = session.scalar(sa.select(SeminarSession).where(
        SeminarSession.seminar_id == seminar.id, SeminarSession.kind == SessionKind.RESTITUTION,
        SeminarSession.date == local.date(), SeminarSession.end_time.is_not(None)))
    if found is None or found.end_time is None:
        return None
    return dt.datetime.combine(found.date, found.end_time, tzinfo=zone)


def build_programme(session: DbSession, seminar: Seminar) -> Programme:
    """The programme of the seminar's restitution session as it is configured now."""
    people = presenters(session, seminar)
    zone = ZoneInfo(seminar.timezone)
    site = seminar.wiki.siteinfo
    start = seminar.restitution_at.astimezone(zone) if seminar.restitution_at else None
    slots = layout_slots(start, len(people), seminar.presentation_minutes, seminar.break_every,
                         seminar.break_minutes) if start else \
        [Slot("talk", dt.datetime.min, dt.datetime.min, i) for i in range(len(people))]
    chosen = discussants(session, seminar)
    items = []
    for slot in slots:
        begin, end = (slot.start, slot.end) if start else (None, None)
        if slot.kind == "break":
            items.append(ProgrammeItem("break", begin, end))
            continue
        assert slot.index is not None
        person = people[slot.index]
        assignment = person.assignment
        topic = assignment.topic.title if assignment and assignment.topic else None
        items.append(ProgrammeItem(
            "talk", begin, end, position=slot.index + 1, participant_id=person.id, name=person.name,
            wiki_username=person.wiki_username, topic=topic,
            topic_status=str(assignment.status) if assignment and topic else None,
            articles=[(a.title, site.page_url(a.title)) for a in assignment.articles] if assignment else [],
            discussant=chosen[person.id].name if person.id in chosen else None))
    finish = slots[-1].end if start and slots else start
    return Programme(seminar.title, seminar.timezone, seminar.restitution_place, start, finish,
                     _session_end(session, seminar, start) if start else None,
                     seminar.presentation_minutes, seminar.break_every, seminar.break_minutes, items)


def programme_rows(programme: Programme) -> list[dict[str, Any]]:
    """The programme as export rows (local times without offset, the session's clock)."""
    def clock(value: dt.datetime | None) -> str | None:
        return value.strftime("%Y-%m-%d %H:%M") if value else None

    return [{
        "position": item.position, "kind": item.kind, "start": clock(item.start),
        "end": clock(item.end), "name": item.name, "wiki_username": item.wiki_username,
        "topic": item.topic, "topic_status": item.topic_status,
        "articles": [title for title, _ in item.articles], "discussant": item.discussant,
    } for item in programme.items]


def programme_csv(programme: Programme, locale: str) -> bytes:
    """The programme as CSV in `locale`: French titles, `;` and decimal comma in French."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from .tabular import csv_bytes

    rows = programme_rows(programme)
    if locale == "en":
        return csv_bytes(PROGRAMME_COLUMNS, rows)
    with force_locale(locale):
        titles = {key: _(label) for key, label in _PROGRAMME_TITLES.items()}
        kinds = {key: _(label) for key, label in _KINDS.items()}
    for row in rows:
        row["kind"] = kinds.get(row["kind"], row["kind"])
    return csv_bytes(PROGRAMME_COLUMNS, rows, locale=locale, titles=titles)
