"""The calendar: sessions edited by instructors, seen by members, exported as iCalendar."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wikiseminar.extensions import db
from wikiseminar.models import Seminar, SeminarSession
from wikiseminar.services.calendar import escape_text, fold_line

from .webkit import login_as, seed, text_of

LONG_TITLE = ("Plateformes, travail; et IA\nSéance « approfondie » sur l’économie des "
              "données personnelles — où l’on parle d’algorithmes, de modération et de clics")


def parse_ics(body: bytes) -> list[dict[str, list[tuple[str, str]]]]:
    """Read an iCalendar back the way RFC 5545 says: check folding, unfold, split, unescape."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    events: list[dict[str, list[tuple[str, str]]]] = []
    current: dict[str, list[tuple[str, str]]] | None = None
    for line in logical:
        if line == "BEGIN:VEVENT":
            current = {}
            continue
        if line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
            continue
        if current is None:
            continue
        head, value = line.split(":", 1)
        name, _, params = head.partition(";")
        current.setdefault(name, []).append((params, value))
    return events


def unescape(value: str) -> str:
    """RFC 5545 TEXT unescaping."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def one(event: dict[str, list[tuple[str, str]]], name: str) -> str:
    values = event[name]
    assert len(values) == 1
    return values[0][1]


def add_session(client: FlaskClient, **fields: str) -> None:
    data = {"title": "Séance", "date": "2026-03-09", "start_time": "14:00", "end_time": "17:00",
            "place": "Salle 101", "kind": "in_depth", "speakers": "", "description": ""}
    data.update(fields)
    response = client.post("/seminars/sem-a/calendar/new", data=data)
    assert response.status_code == 302, text_of(response.get_data(as_text=True))


def feed_path(app: Flask) -> str:
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None and seminar.calendar_token
        return f"/seminars/sem-a/calendar.ics?token={seminar.calendar_token}"


def test_sessions_are_edited_and_exported_as_valid_icalendar(app: Flask) -> None:
    world = seed(app)
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None
        seminar.restitution_at = dt.datetime(2026, 6, 25, 12, 0, tzinfo=dt.UTC)
        seminar.restitution_place = "Amphi B, bâtiment 2"
        db.session.commit()
    client = app.test_client()
    login_as(client, world.users["instructor"])
    add_session(client, title=LONG_TITLE, speakers="A. Casilli; D. Cardon, invités",
                description="Lire avant :\n- un article\n- un autre")
    add_session(client, title="Journée sans horaire", date="2026-04-01", start_time="",
                end_time="", kind="thematic")
    page = text_of(client.get("/seminars/sem-a/calendar").get_data(as_text=True))
    assert "Journée sans horaire" in page and "Salle 101" in page

    body = app.test_client().get(feed_path(app))  # no cookie: the feed's secret is enough
    assert body.status_code == 200 and body.mimetype == "text/calendar"
    events = parse_ics(body.data)
    by_summary = {unescape(one(e, "SUMMARY")): e for e in events}
    assert LONG_TITLE in by_summary  # commas, semicolons and the newline survive the round trip
    long_event = by_summary[LONG_TITLE]
    assert one(long_event, "DTSTART") == "20260309T130000Z"  # 14:00 in Paris (CET) is 13:00 UTC
    assert one(long_event, "DTEND") == "20260309T160000Z"
    assert "A. Casilli; D. Cardon, invités" in unescape(one(long_event, "DESCRIPTION"))
    assert "Lire avant :\n- un article" in unescape(one(long_event, "DESCRIPTION"))
    all_day = by_summary["Journée sans horaire"]
    assert all_day["DTSTART"] == [("VALUE=DATE", "20260401")]
    assert all_day["DTEND"] == [("VALUE=DATE", "20260402")]
    restitution = [e for e in events if one(e, "UID").endswith("-restitution@wikiseminar")]
    assert len(restitution) == 1 and one(restitution[0], "DTSTART") == "20260625T120000Z"
    assert unescape(one(restitution[0], "LOCATION")) == "Amphi B, bâtiment 2"
    uids = [one(e, "UID") for e in events]
    assert len(set(uids)) == len(uids) == 4
    assert all("DTSTAMP" in e for e in events)

    # UIDs stay the same after an edit, so calendar apps update rather than duplicate.
    with app.app_context():
        item = db.session.scalar(sa.select(SeminarSession).where(
            SeminarSession.title == "Journée sans horaire"))
        assert item is not None
        item_id = item.id
    edit = client.post(f"/seminars/sem-a/calendar/{item_id}/edit", data={
        "title": "Journée déplacée", "date": "2026-04-02", "start_time": "09:00",
        "end_time": "12:00", "place": "", "kind": "thematic"})
    assert edit.status_code == 302
    again = parse_ics(app.test_client().get(feed_path(app)).data)
    assert sorted(one(e, "UID") for e in again) == sorted(uids)
    moved = next(e for e in again if unescape(one(e, "SUMMARY")) == "Journée déplacée")
    assert one(moved, "DTSTART") == "20260402T070000Z"  # CEST from 29 March

    client.post(f"/seminars/sem-a/calendar/{item_id}/delete")
    assert len(parse_ics(app.test_client().get(feed_path(app)).data)) == 3


def test_feed_secret_can_be_replaced_and_members_read_without_it(app: Flask) -> None:
    world = seed(app)
    student = app.test_client()
    login_as(student, world.users["student"])
    assert student.get("/seminars/sem-a/calendar").status_code == 200
    old = feed_path(app)
    assert student.get("/seminars/sem-a/calendar.ics").status_code == 200  # cookie, no secret
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    instructor.post("/seminars/sem-a/calendar/feed")
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(feed_path(app)).status_code == 200
    # A valid secret of seminar A opens nothing of seminar B.
    assert app.test_client().get(feed_path(app).replace("sem-a", "sem-b")).status_code == 404


def test_auditors_see_which_sessions_are_open_to_them(app: Flask) -> None:
    world = seed(app)
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    soon = (dt.date.today() + dt.timedelta(days=21)).isoformat()
    add_session(instructor, title="Séance approfondie", kind="in_depth", date=soon)
    auditor = app.test_client()
    login_as(auditor, world.users["auditor"])
    page = auditor.get("/seminars/sem-a/calendar", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    rows = {title: row for row in re.findall(r"<tr.*?</tr>", html, re.S)
            for title in ("Travail du clic", "Séance approfondie") if title in row}
    assert "not open to auditors" in rows["Travail du clic"]
    assert "open to you" in rows["Séance approfondie"]
    me = text_of(auditor.get("/seminars/sem-a/me").get_data(as_text=True))
    assert "Travail du clic" in me and "not open to auditors" in me
    assert "Thematic session (enrolled students only)" in me


def test_bad_session_input_is_refused(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    response = client.post("/seminars/sem-a/calendar/new", headers={"Accept-Language": "en"},
                           data={"title": "X", "date": "2026-13-45", "start_time": "15:00",
                                 "end_time": "14:00", "kind": "thematic"})
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "Not a valid date value." in page and "The end time is not after the start time." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SeminarSession)) == 1


def test_ics_helpers_escape_and_fold_by_octets() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold_line("DESCRIPTION:" + "é" * 80)
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == \
        "DESCRIPTION:" + "é" * 80
