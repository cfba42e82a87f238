"""A sync's SQL grows with its phases, not with its pages: per-page queries are grouped."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import AuthorshipFigure, Participant, Revision, Role
from wikiseminar.models import RevisionMetrics as MetricsRow
from wikiseminar.scope import seminar_revisions
from wikiseminar.services.seminars import create_seminar
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import END, START, run_sync, ts

pytestmark = pytest.mark.wiki


def _seminar_of(app: Flask, wiki: LocalWiki, students: int) -> int:
    """A seminar whose students each wrote one article: one revision before the dates
    (history the sync must fetch) and two inside them."""
    tag = uuid.uuid4().hex[:6]
    names = [f"Lot {tag} E{i}" for i in range(students)]
    wiki.create_users(names)
    wiki.import_pages([PageSpec(f"Lot {tag} article {i}", [
        Rev(name, ts("2023-12-20"), f"Ébauche {i}."),
        Rev(name, ts("2024-01-10"), f"Ébauche {i}.\n\n== Partie ==\nTexte ajouté.", "partie"),
        Rev(name, ts("2024-01-12"), f"Ébauche {i}.\n\n== Partie ==\nTexte ajouté et sourcé."
            "<ref>Auteur, 2020.</ref>", "source"),
    ]) for i, name in enumerate(names)])
    with app.app_context():
        seminar = create_seminar(
            db.session, slug=f"lot-{tag}", title=f"Lot {tag}", api_url=wiki.api_url,
            start=START, end=END, client=client_for(wiki.api_url, app.config), timezone="UTC")
        for name in names:
            db.session.add(Participant(seminar=seminar, name=name, role=Role.STUDENT,
                                       wiki_username=name))
        db.session.commit()
        return seminar.id


def _counted_sync(app: Flask, seminar_id: int) -> tuple[dict[str, object], int]:
    """Sync a seminar inline; return its figures and the number of SQL statements it sent."""
    sent = [0]

    def count(*_: Any) -> None:
        sent[0] += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        run = run_sync(app, seminar_id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return run, sent[0]


def test_sync_statements_do_not_grow_page_by_page(app: Flask, wiki: LocalWiki) -> None:
    small, large = 2, 10
    small_id, large_id = _seminar_of(app, wiki, small), _seminar_of(app, wiki, large)

    small_run, small_sent = _counted_sync(app, small_id)
    large_run, large_sent = _counted_sync(app, large_id)

    assert small_run["status"] == "success", small_run["error"]
    assert large_run["status"] == "success", large_run["error"]
    with app.app_context():
        for seminar_id, students in ((small_id, small), (large_id, large)):
            from wikiseminar.models import Seminar

            seminar = db.session.get(Seminar, seminar_id)
            assert seminar is not None
            ids = [r.id for r, _ in db.session.execute(seminar_revisions(seminar))]
            assert len(ids) == 2 * students  # the two edits inside the dates
            measured = db.session.scalar(sa.select(sa.func.count()).select_from(MetricsRow)
                                         .where(MetricsRow.revision_id.in_(ids)))
            assert measured == 2 * students
            # The history before the dates was fetched for authorship.
            pages = {r.page_pk for r in db.session.scalars(
                sa.select(Revision).where(Revision.id.in_(ids)))}
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision).where(
                Revision.page_pk.in_(pages))) == 3 * students
            figures = db.session.scalar(sa.select(sa.func.count()).select_from(AuthorshipFigure)
                                        .where(AuthorshipFigure.seminar_id == seminar_id))
            assert figures == students
    # Each extra student's page costs a history request and one read of its revisions for
    # authorship; lookups, upserts and metrics are grouped per phase. Per-page SQL (a lookup,
    # a refresh and an upsert per page and phase) cost about 40 statements a page.
    per_page = (large_sent - small_sent) / (large - small)
    assert per_page <= 4, f"{per_page:.1f} SQL statements per extra page"
