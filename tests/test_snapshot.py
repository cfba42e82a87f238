"""Figure snapshots: a sync leaves the dashboard's figures for every process, never stale ones."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import (
    Assignment,
    AssignmentStatus,
    FigureSnapshot,
    Participant,
    PeerReview,
    Seminar,
)
from wikiseminar.reports import progress as progress_module
from wikiseminar.reports import snapshot
from wikiseminar.reports.figures import StudentFigures
from wikiseminar.reports.progress import data_version
from wikiseminar.services.enrolment import delete_participant_data
from wikiseminar.web import dashboard as dashboard_module

from .dashkit import synced_seminar
from .localwiki import LocalWiki
from .webkit import login_as


def _new_process() -> None:
    """Forget what this process computed, as another worker process would not have it."""
    progress_module._CACHE.items.clear()
    dashboard_module._BODIES.items.clear()


def _progress(app: Flask, slug: str, instructor: int) -> dict[str, Any]:
    """progress.json without its computation time."""
    client = app.test_client()
    login_as(client, instructor)
    answer = client.get(f"/seminars/{slug}/progress.json")
    assert answer.status_code == 200
    document = json.loads(answer.data)
    document.pop("generated_at")
    return document


def _count_computations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each time the figures or the timeline are computed from the revisions."""
    calls: list[str] = []
    for name in ("student_figures", "timeline"):
        real = getattr(snapshot, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(snapshot, name, counted)
    return calls


@pytest.mark.wiki
def test_a_sync_leaves_the_figures_every_process_reads(app: Flask, wiki: LocalWiki,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    world = synced_seminar(app, wiki)
    people = world.people
    with app.app_context():
        seminar = db.session.get(Seminar, people.seminar_id)
        assert seminar is not None
        row = db.session.get(FigureSnapshot, people.seminar_id)
        assert row is not None, "the sync stored no snapshot"
        assert row.key == snapshot.snapshot_key(data_version(db.session, seminar))
        stored = snapshot.decode(row.payload)
        fresh = snapshot.compute(db.session, seminar)
        assert stored == fresh  # every figure and every day, types included
        assert any(f.edits and f.first_edit for f in stored.figures) and stored.timeline

    _new_process()
    calls = _count_computations(monkeypatch)
    from_snapshot = _progress(app, people.slug, people.users["instructor"])
    dashboard = app.test_client()
    login_as(dashboard, people.users["instructor"])
    assert dashboard.get(f"/seminars/{people.slug}/dashboard").status_code == 200
    assert calls == []  # neither the JSON nor the page read the revisions

    with app.app_context():  # the same document computed from the revisions
        db.session.execute(sa.delete(FigureSnapshot))
        db.session.commit()
    _new_process()
    assert _progress(app, people.slug, people.users["instructor"]) == from_snapshot
    assert calls == ["student_figures", "timeline"]


@pytest.mark.wiki
def test_changed_data_or_a_corrupt_snapshot_is_never_served(
        app: Flask, wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    world = synced_seminar(app, wiki)
    people = world.people
    instructor = people.users["instructor"]
    with app.app_context():
        old_key = db.session.get(FigureSnapshot, people.seminar_id).key  # type: ignore[union-attr]
        elodie = db.session.get(Participant, people.participants["elodie"])
        assert elodie is not None
        elodie.name = "Élodie Renommée"
        db.session.commit()
    _new_process()
    calls = _count_computations(monkeypatch)
    names = [s["name"] for s in _progress(app, people.slug, instructor)["students"]]
    assert "Élodie Renommée" in names and calls == ["student_figures", "timeline"]
    with app.app_context():
        row = db.session.get(FigureSnapshot, people.seminar_id)
        assert row is not None and row.key == old_key  # views do not write; the next sync will

        seminar = db.session.get(Seminar, people.seminar_id)
        assert seminar is not None
        before = data_version(db.session, seminar)
        db.session.add(PeerReview(seminar_id=people.seminar_id,
                                  reviewer_id=people.participants["elodie"],
                                  reviewee_id=people.participants["bruno"],
                                  sources_score=3, submitted_at=dt.datetime.now(dt.UTC)))
        db.session.commit()
        assert data_version(db.session, seminar) != before  # review figures are on the page

        snapshot.refresh_snapshot(db.session, seminar)
        row = db.session.get(FigureSnapshot, people.seminar_id)
        assert row is not None
        row.payload = b"not zlib"
        db.session.commit()
    _new_process()
    calls.clear()
    with caplog.at_level(logging.WARNING, logger="wikiseminar.reports.snapshot"):
        assert _progress(app, people.slug, instructor)["students"]
    assert calls == ["student_figures", "timeline"]
    assert "unreadable" in caplog.text


@pytest.mark.wiki
def test_approving_a_topic_keeps_the_snapshot(app: Flask, wiki: LocalWiki,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Assignments, topics and alert settings are not in the figures: the snapshot still holds."""
    world = synced_seminar(app, wiki)
    people = world.people
    with app.app_context():
        seminar = db.session.get(Seminar, people.seminar_id)
        assert seminar is not None
        before = data_version(db.session, seminar)
        assignment = db.session.scalar(sa.select(Assignment).where(
            Assignment.participant_id == people.participants["bruno"]))
        assert assignment is not None and assignment.status == AssignmentStatus.PROPOSED
        assignment.status = AssignmentStatus.APPROVED
        seminar.alert_no_edit_days = 3
        db.session.commit()
        after = data_version(db.session, seminar)
        assert after != before and after[0] == before[0]
        assert snapshot.snapshot_key(after) == db.session.get(  # type: ignore[union-attr]
            FigureSnapshot, people.seminar_id).key
    _new_process()
    calls = _count_computations(monkeypatch)
    students = _progress(app, people.slug, people.users["instructor"])["students"]
    assert calls == []
    assert {s["topic_status"] for s in students if s["id"] == people.participants["bruno"]} == {
        "approved"}  # what changed is shown; the figures come from the snapshot


@pytest.mark.wiki
def test_forgetting_a_participant_deletes_the_snapshot(app: Flask, wiki: LocalWiki) -> None:
    world = synced_seminar(app, wiki)
    with app.app_context():
        assert db.session.get(FigureSnapshot, world.people.seminar_id) is not None
        bruno = db.session.get(Participant, world.people.participants["bruno"])
        assert bruno is not None
        delete_participant_data(db.session, bruno)
        db.session.commit()
        assert db.session.get(FigureSnapshot, world.people.seminar_id) is None


def test_payload_round_trip_keeps_types() -> None:
    figures = StudentFigures(3, "Zoé", "student", "verified", "Zoé.W", edits=4,
                             first_edit=dt.datetime(2024, 1, 5, 10, 0, tzinfo=dt.UTC),
                             words_by_group={"article": 12}, authorship_share=0.25,
                             review_score=None)
    timeline = {3: [(dt.date(2024, 1, 5), 2, 12), (dt.date(2024, 1, 6), 2, 0)]}
    kept = snapshot.decode(snapshot.encode(snapshot.Snapshot([figures], timeline)))
    assert kept == snapshot.Snapshot([figures], timeline)
    assert isinstance(kept.figures[0].first_edit, dt.datetime)
    assert kept.figures[0].first_edit.tzinfo is not None
    assert isinstance(kept.timeline[3][0][0], dt.date)
    with pytest.raises(TypeError, match="cannot store Decimal"):
        from decimal import Decimal

        snapshot.encode(snapshot.Snapshot([StudentFigures(1, "A", "student", "x", None,
                                                          edits=Decimal(1))], {}))  # type: ignore[arg-type]
