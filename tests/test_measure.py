"""Metrics computed during the sync from the real wiki's texts, reverts, and per-student figures."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Revision, RevisionMetrics, Seminar
from wikiseminar.reports.figures import article_figures, student_figures, timeline

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import import_seminar_edits, make_seminar, new_scenario, run_sync, ts

pytestmark = pytest.mark.wiki

V1 = "Le '''capitalisme de plateforme''' organise le travail à la demande.\n\n== Définition ==\nUn modèle."
V2 = V1 + "\n\nCe paragraphe sera annulé par un autre contributeur."


def metrics_by_title(app: Flask) -> dict[str, list[tuple[str, RevisionMetrics]]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Revision, RevisionMetrics).join(RevisionMetrics)
            .order_by(Revision.timestamp)).all()
        result: dict[str, list[tuple[str, RevisionMetrics]]] = {}
        for rev, m in rows:
            db.session.expunge(m)
            result.setdefault(rev.page.title, []).append((rev.user_name or "", m))
        return result


def test_every_synced_revision_gets_metrics_from_its_text(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"

    by_title = metrics_by_title(app)
    article = by_title[sc.titles["article"]]
    # Only the students' in-window revisions are measured, in history order.
    assert [u for u, _ in article] == [sc.user("elodie"), sc.user("bruno"), sc.user("elodie")]
    creation, source, history = (m for _, m in article)
    assert creation.created and creation.words_added == 10 and creation.sections_added == 1
    assert source.references_added == 1 and source.sections_added == 1
    assert source.words_added == 3  # "Notes et références"
    # The outsider's edit (+1 word) sits between: Élodie's parent is the outsider's revision.
    assert history.words_added == 5 and history.words_removed == 0
    assert history.flags == [] and history.prose_words_total == 19
    sandbox = by_title[sc.titles["sandbox"]]
    assert [m.words_added for _, m in sandbox] == [5, 3]
    with app.app_context():
        unmeasured = db.session.scalar(
            sa.select(sa.func.count()).select_from(Revision)
            .outerjoin(RevisionMetrics).where(RevisionMetrics.revision_id.is_(None),
                                              Revision.user_name != sc.user("outsider")))
        # Only revisions outside the seminar (history of tracked pages) stay unmeasured.
        outside = db.session.scalar(sa.select(sa.func.count()).select_from(Revision).where(
            Revision.user_name != sc.user("outsider"),
            sa.or_(Revision.timestamp < ts("2024-01-08", 0), Revision.timestamp >= ts("2024-04-01", 0))))
        assert unmeasured == outside


def test_a_student_edit_reverted_by_someone_else_is_reported_apart(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    e, o = sc.user("elodie"), sc.user("outsider")
    title = f"Capitalisme de plateforme {sc.tag}"
    wiki.create_users([sc.user("bruno"), sc.user("chloe")])
    wiki.import_pages([PageSpec(title, [
        Rev(e, ts("2024-01-10"), V1, "création"),
        Rev(e, ts("2024-01-11"), V2, "ajout"),
        Rev(o, ts("2024-01-12"), V1, "annulation"),
    ])])
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"

    (_, created), (_, added) = metrics_by_title(app)[title]
    assert added.words_added == 8 and added.reverted and added.reverted_by
    assert not created.reverted
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        elodie = next(f for f in student_figures(db.session, seminar) if f.wiki_username == e)
        assert elodie.edits == 2 and elodie.article_edits == 2
        assert elodie.words_added == created.words_added == 13  # the reverted 8 words are not lasting
        assert elodie.reverted_edits == 1 and elodie.reverted_words == 8
        assert elodie.articles_created == 1
        articles = article_figures(db.session, seminar)
        assert [a.title for a in articles] == [title] and articles[0].created_by == "Elodie"
        series = timeline(db.session, seminar)
        assert series[elodie.participant_id] == [(ts("2024-01-10").date(), 1, 13),
                                                 (ts("2024-01-11").date(), 1, 0)]


def test_a_later_revert_marks_an_edit_measured_in_an_earlier_sync(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    e, o = sc.user("elodie"), sc.user("outsider")
    title = f"Économie des petits boulots {sc.tag}"
    wiki.create_users([sc.user("bruno"), sc.user("chloe")])
    wiki.import_pages([PageSpec(title, [Rev(e, ts("2024-01-10"), V1), Rev(e, ts("2024-01-11"), V2)])])
    seminar_id = make_seminar(app, wiki, sc)
    run_sync(app, seminar_id)
    assert not metrics_by_title(app)[title][1][1].reverted

    wiki.import_pages([PageSpec(title, [Rev(o, ts("2024-01-12"), V1, "rv")])])
    run_sync(app, seminar_id, full=True)

    assert metrics_by_title(app)[title][1][1].reverted
