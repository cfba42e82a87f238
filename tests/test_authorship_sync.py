"""Authorship computed during the sync: stored state, incremental updates, per-student figures."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.analysis.authorship import PageAuthorship, editor_figures
from wikiseminar.extensions import db
from wikiseminar.models import AuthorshipFigure, Page, Participant, Seminar
from wikiseminar.models import PageAuthorship as StateRow
from wikiseminar.reports.figures import student_figures
from wikiseminar.sync.authorship import editor_key

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import make_seminar, new_scenario, run_sync, ts

pytestmark = pytest.mark.wiki

BASE = ("Les '''communs numériques''' sont des ressources partagées.\n\n"
        "== Histoire ==\nLe terme apparaît au début des années 2000.")
WITH_ELODIE = BASE + "\n\nLes chercheurs étudient leur gouvernance collective et leurs règles."
WITH_BRUNO = WITH_ELODIE + "\n\nWikipédia en est un exemple souvent cité."


def test_shares_survival_and_incremental_update(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    e, b, o = sc.user("elodie"), sc.user("bruno"), sc.user("outsider")
    title = f"Communs numériques {sc.tag}"
    wiki.create_users([sc.user("chloe")])
    wiki.import_pages([PageSpec(title, [
        Rev(o, ts("2023-11-02"), BASE, "création avant le séminaire"),
        Rev(e, ts("2024-01-15"), WITH_ELODIE, "gouvernance"),
        Rev(b, ts("2024-01-20"), WITH_BRUNO, "exemple"),
    ])])
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"

    with app.app_context():
        page = db.session.scalars(sa.select(Page).where(Page.title == title)).one()
        assert page.tracked
        row = db.session.get(StateRow, page.id)
        assert row is not None and row.revisions == 3  # the full history, the outsider's too
        state = PageAuthorship.from_bytes(row.state)
        people = {p.wiki_username: p for p in db.session.scalars(sa.select(Participant))}
        figs = {f.participant_id: f for f in db.session.scalars(
            sa.select(AuthorshipFigure).where(AuthorshipFigure.page_pk == page.id))}
        elodie, bruno = figs[people[e].id], figs[people[b].id]
        # Élodie's 9 words ("Les chercheurs … règles") of the 32 words now on the page
        assert elodie.words == 9 and bruno.words == 7
        assert elodie.total_words == bruno.total_words == 32
        assert elodie.word_share == pytest.approx(9 / 32)
        assert elodie.added == 9 and elodie.surviving_now == 9 and elodie.reverted == 0
        direct = editor_figures(state, window=(ts("2024-01-08", 0), ts("2024-04-01", 0)))
        assert direct[editor_key(people[e].wiki_user_id, None)].words == 9
        seminar = db.session.get(Seminar, seminar_id)
        totals = {f.wiki_username: f for f in student_figures(db.session, seminar)}
        assert totals[e].authorship_words == 9 and totals[e].authorship_share == pytest.approx(9 / 32)
        assert totals[e].survival_now == 1.0
        assert totals[sc.user("chloe")].authorship_share is None  # nothing tracked for her

    # A new revision by the outsider removes half of Élodie's sentence.
    trimmed = WITH_BRUNO.replace(" et leurs règles", "")
    wiki.import_pages([PageSpec(title, [Rev(o, ts("2024-02-01"), trimmed, "raccourci")])])
    assert run_sync(app, seminar_id, full=True)["status"] == "success"

    with app.app_context():
        page = db.session.scalars(sa.select(Page).where(Page.title == title)).one()
        row = db.session.get(StateRow, page.id)
        assert row.revisions == 4  # one revision added to the stored state, not a recomputation
        people = {p.wiki_username: p for p in db.session.scalars(sa.select(Participant))}
        elodie = db.session.scalars(sa.select(AuthorshipFigure).where(
            AuthorshipFigure.page_pk == page.id,
            AuthorshipFigure.participant_id == people[e].id)).one()
        assert elodie.words == 6 and elodie.added == 9 and elodie.surviving_now == 6
        # The incremental state equals a state built from scratch on the same history.
        batch = PageAuthorship()
        for rev_id, text, key, stamp in _history(app, page.id):
            batch.add_revision(rev_id, text, key, stamp)
        assert [(t.text, t.origin_revid) for t in batch.current_tokens()] == [
            (t.text, t.origin_revid) for t in PageAuthorship.from_bytes(row.state).current_tokens()]


def _history(app: Flask, page_pk: int) -> list[tuple[int, str, str, object]]:
    import zlib

    from wikiseminar.models import Revision, RevisionText

    rows = db.session.execute(
        sa.select(Revision.rev_id, RevisionText.content, Revision.user_id, Revision.user_name,
                  Revision.timestamp)
        .join(RevisionText, sa.and_(RevisionText.rev_id == Revision.rev_id,
                                    RevisionText.wiki_id == Revision.wiki_id))
        .where(Revision.page_pk == page_pk).order_by(Revision.timestamp)).all()
    return [(r, zlib.decompress(c).decode(), editor_key(u, n), t) for r, c, u, n, t in rows]
