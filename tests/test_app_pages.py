"""Pages the app itself needs are not contributions (issue 12, item 2).

The verification page `<user namespace>:<username>/wikiseminar` used to count as draft work
("improved") in the figures, the student page and the report.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Page, Participant, Revision, Seminar
from wikiseminar.reports.figures import article_figures, student_figures
from wikiseminar.reports.student import build_reports
from wikiseminar.services.linking import link_page_title

from .dashkit import add_people, login_as, text_of
from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import import_seminar_edits, make_seminar, new_scenario, run_sync, ts

pytestmark = pytest.mark.wiki


@pytest.mark.parametrize("linked_through_it", [True, False])
def test_the_verification_page_counts_nowhere(app: Flask, wiki: LocalWiki,
                                              linked_through_it: bool) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    elodie = sc.user("elodie")
    verify = f"Utilisateur:{elodie}/wikiseminar"
    wiki.import_pages([PageSpec(verify, [
        Rev(elodie, ts("2024-01-11"), "Code de vérification wikiseminar : 4821 ; je relie mon compte.",
            "vérification"),
        Rev(elodie, ts("2024-01-12"), "Code de vérification wikiseminar : 9310 ; nouveau code demandé.",
            "nouveau code"),
    ], ns=2)])
    seminar_id = make_seminar(app, wiki, sc)
    people = add_people(app, seminar_id)
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        assert seminar is not None
        assert link_page_title(seminar.wiki.siteinfo, elodie) == verify
        if linked_through_it:
            participant = db.session.get(Participant, people.participants["elodie"])
            assert participant is not None
            participant.wiki_verification_method = "onwiki"
            db.session.commit()
    assert run_sync(app, seminar_id)["status"] == "success"

    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        assert seminar is not None
        pid = people.participants["elodie"]
        stored = db.session.execute(sa.select(Page.title, sa.func.count(Revision.id))
                                    .join(Revision, Revision.page_pk == Page.id)
                                    .where(Revision.user_name == elodie)
                                    .group_by(Page.title)).all()
        in_window = {t: n for t, n in stored if not t.startswith("Avant")}
        assert in_window.get(verify) == 2  # synced, so the test does reach the figures
        others = {t: n for t, n in in_window.items() if t != verify}
        figures = {f.participant_id: f for f in student_figures(db.session, seminar)}[pid]
        assert figures.edits == sum(others.values())
        assert figures.pages_edited == len(others)
        assert verify not in {a.title for a in article_figures(db.session, seminar)}
        report = build_reports(db.session, seminar,
                               [db.session.get(Participant, pid)])[0]  # type: ignore[list-item]
        assert verify not in {line.title for line in report.articles}
        assert all(e.title != verify for e in report.excerpts)

    client = app.test_client()
    login_as(client, people.users["instructor"])
    page = client.get(f"/seminars/{people.slug}/students/{pid}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "/wikiseminar" not in text_of(page.get_data(as_text=True))


def test_the_app_pages_index_predicate_names_the_link_page() -> None:
    """The partial index's predicate (written inline in the reports) is the link page's."""
    from wikiseminar.models.wiki import APP_PAGES_WHERE
    from wikiseminar.services.linking import LINK_SUBPAGE
    from wikiseminar.wiki.types import NS_USER

    assert APP_PAGES_WHERE == f"namespace = {NS_USER} AND title LIKE '%/{LINK_SUBPAGE}'"
