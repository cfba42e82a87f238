"""Alert rules: each fires and does not fire; deletion notices in French and English wikitext;
the rules over data synced from the local MediaWiki and over real histories."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.analysis.deletion import deletion_notices
from wikiseminar.extensions import db
from wikiseminar.models import (
    ArticleKind,
    AssignmentStatus,
    Participant,
    Role,
    Seminar,
    Wiki,
)
from wikiseminar.reports.alerts import (
    RULES,
    AlertSettings,
    ArticleFacts,
    StudentFacts,
    evaluate,
    seminar_alerts,
    settings_for,
)
from wikiseminar.reports.figures import student_figures
from wikiseminar.scope import synced_participants
from wikiseminar.sync import store
from wikiseminar.sync.measure import measure_seminar
from wikiseminar.wiki.types import PageInfo
from wikiseminar.wiki.types import RevisionText as WikiText
from wikiseminar.wiki.xmlexport import read_export

from .dashkit import add_user, assign, login_as, text_of, today_near_restitution
from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import make_seminar, new_scenario, run_sync, ts

HISTORIES = Path(__file__).resolve().parent / "data" / "histories"

# -- deletion notices -----------------------------------------------------------------------

FRENCH = [
    ("{{Suppression}}\nLe texte.", {"debate"}),
    ("{{suppression|date=12 mars 2024}} Texte", {"debate"}),
    ("{{Admissibilité|2024}}", {"debate"}),
    ("{{Admissibilité à vérifier|date=mars 2024|motif=sources}}", {"doubt"}),
    ("{{admissibilité_à_vérifier}}", {"doubt"}),
    ("{{Modèle:Suppression immédiate|motif=G3}}", {"speedy"}),
    ("{{SI|page vide}}", {"speedy"}),
    ("{{ Suppression <!-- débat ouvert --> }}", {"debate"}),
    ("Texte.\n[[Catégorie:Page proposée au débat d'admissibilité]]", {"debate"}),
    ("[[Catégorie:Page proposée à la suppression|Clé]]", {"debate"}),
    ("[[catégorie:Admissibilité à vérifier]]", {"doubt"}),
]
FRENCH_NOT = [
    "La suppression des postes a été annoncée en 2020.",  # prose, not a template
    "{{Lien web|titre=Suppression de données|url=https://example.org}}",
    "{{Ébauche|économie}} {{Portail|travail}}",
    "<!-- {{Suppression}} retiré après le débat -->",
    "Voir [[:Catégorie:Admissibilité à vérifier]] pour la liste.",  # a link to the category
    "{{Suppression de lien}} {{Admissibilité historique}}",
    "{{ADMISSIBILITÉ À VÉRIFIER}}",  # only the first letter is case-insensitive
    "",
]
ENGLISH = [
    ("{{Article for deletion/dated|page=Pear|timestamp=20240301}}", {"debate"}),
    ("{{AfD|Pear}}", {"debate"}),
    ("{{Proposed deletion/dated|concern=No sources}}", {"proposed"}),
    ("{{prod|No sources}}", {"proposed"}),
    ("{{db-a7}} Text", {"speedy"}),
    ("{{Db-g11}}", {"speedy"}),
    ("{{Db-multiple|G11|A7}}", {"speedy"}),
    ("[[Category:Articles for deletion]]", {"debate"}),
    ("[[Category:All articles proposed for deletion|Pear]]", {"proposed"}),
    ("[[Category:Candidates for speedy deletion]]", {"speedy"}),
]
ENGLISH_NOT = [
    "{{Cite web|title=Deletion policy|url=https://example.org}}",
    "{{Dbase}} {{Product}}",
    "The article was nominated for deletion in 2009 and kept.",
    "{{Old AfD multi|date=2009|result=keep}}",
    "{{Suppression}}",  # a French notice on an English wiki
]


@pytest.mark.parametrize(("text", "kinds"), FRENCH)
def test_french_deletion_notices_are_found(text: str, kinds: set[str]) -> None:
    assert {n.kind for n in deletion_notices(text, lang="fr")} == kinds


@pytest.mark.parametrize("text", FRENCH_NOT)
def test_french_text_without_notice_gives_none(text: str) -> None:
    assert deletion_notices(text, lang="fr") == []


@pytest.mark.parametrize(("text", "kinds"), ENGLISH)
def test_english_deletion_notices_are_found(text: str, kinds: set[str]) -> None:
    assert {n.kind for n in deletion_notices(text, lang="en")} == kinds


@pytest.mark.parametrize("text", ENGLISH_NOT)
def test_english_text_without_notice_gives_none(text: str) -> None:
    assert deletion_notices(text, lang="en") == []


def test_stored_categories_count_with_or_without_prefix() -> None:
    assert [n.kind for n in deletion_notices(None, ["Catégorie:Admissibilité à vérifier"])] == ["doubt"]
    assert [n.source for n in deletion_notices("", ["Page_proposée_au_débat_d'admissibilité"])] == ["category"]
    assert [n.kind for n in deletion_notices(None, ["Category:Articles for deletion"], lang="en")] == ["debate"]
    assert deletion_notices(None, ["Catégorie:Travail", "Économie"]) == []
    # The same notice seen as template and as category is reported once per source.
    both = deletion_notices("{{Admissibilité à vérifier}}", ["Admissibilité à vérifier"])
    assert [(n.source, n.kind) for n in both] == [("category", "doubt"), ("template", "doubt")]


# -- the rules, one by one ------------------------------------------------------------------

TODAY = dt.date(2024, 3, 20)
NEAR = AlertSettings(today=TODAY, restitution=dt.date(2024, 3, 25), end=dt.date(2024, 3, 31),
                     no_edit_days=21, draft_days=14)
FAR = dataclasses.replace(NEAR, restitution=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30))


def facts(**changes: object) -> StudentFacts:
    """A student with a verified account, an approved topic and edits: no alert at all."""
    base = StudentFacts(participant_id=7, name="Élodie", role=Role.STUDENT, account_status="verified",
                        wiki_username="Élodie M", assignment_status="approved", edits=5)
    return dataclasses.replace(base, **changes)


def rules_of(f: StudentFacts, settings: AlertSettings = NEAR) -> list[str]:
    return [a.rule for a in evaluate([f], settings)[f.participant_id]]


def test_a_student_on_track_has_no_alert() -> None:
    assert rules_of(facts()) == []
    assert rules_of(facts(), FAR) == []


@pytest.mark.parametrize(("status", "expected"), [
    ("missing", ["account-missing"]), ("unverified", ["account-unverified"]), ("verified", []),
])
def test_account_rule(status: str, expected: list[str]) -> None:
    assert rules_of(facts(account_status=status)) == expected


@pytest.mark.parametrize(("role", "status", "expected"), [
    (Role.STUDENT, None, ["topic-missing"]),
    (Role.AUDITOR, None, []),  # auditors need no topic
    (Role.STUDENT, "proposed", ["topic-proposed"]),
    (Role.AUDITOR, "proposed", ["topic-proposed"]),
    (Role.STUDENT, "changes_requested", ["topic-changes-requested"]),
    (Role.STUDENT, "rejected", ["topic-rejected"]),
    (Role.STUDENT, "approved", []),
])
def test_topic_rule(role: Role, status: str | None, expected: list[str]) -> None:
    assert rules_of(facts(role=role, assignment_status=status)) == expected


def test_no_edit_rule_needs_a_near_restitution_and_a_student() -> None:
    assert rules_of(facts(edits=0)) == ["no-edit"]
    assert rules_of(facts(edits=0), FAR) == []  # 73 days before: too early to worry
    assert rules_of(facts(edits=1)) == []
    assert rules_of(facts(edits=0, role=Role.AUDITOR)) == []
    exactly = dataclasses.replace(NEAR, restitution=TODAY + dt.timedelta(days=21))
    assert rules_of(facts(edits=0), exactly) == ["no-edit"]
    after_end = dataclasses.replace(NEAR, today=dt.date(2024, 4, 2))
    assert rules_of(facts(edits=0), after_end) == []
    alert = evaluate([facts(edits=0)], NEAR)[7][0]
    assert alert.id == "no-edit:7" and alert.severity == "high"
    assert str(alert.message) == "No edit on the wiki yet, 5 days before the restitution."


def test_reverted_rule_counts_edits_and_words() -> None:
    assert rules_of(facts(reverted_edits=0)) == []
    alert = evaluate([facts(reverted_edits=2, reverted_words=40)], NEAR)[7][0]
    assert alert.rule == "reverted" and str(alert.message) == "2 edits reverted (40 words)."
    assert alert.next_step and alert.student_step


def test_deletion_rules_name_the_article() -> None:
    notice = deletion_notices("{{Suppression}}")
    live = ArticleFacts("Travail du clic", "improve", page_pk=12, exists=True)
    assert rules_of(facts(articles=[live])) == []
    nominated = dataclasses.replace(live, notices=notice)
    alert = evaluate([facts(articles=[nominated])], NEAR)[7][0]
    assert alert.id == "article-nominated:7:12" and "Travail du clic" in alert.message
    assert "(Suppression)" in alert.message
    gone = dataclasses.replace(live, exists=False, deleted=True)
    assert rules_of(facts(articles=[gone])) == ["article-deleted"]
    assert rules_of(facts(articles=[gone]), FAR) == ["article-deleted"]  # whatever the date


def test_draft_rule() -> None:
    draft = ArticleFacts("Plateformes numériques", ArticleKind.CREATE, sandbox_title="Utilisateur:É/Brouillon",
                         sandbox_has_content=True)
    assert rules_of(facts(articles=[draft])) == ["draft-not-moved"]
    assert evaluate([facts(articles=[draft])], NEAR)[7][0].id == "draft-not-moved:7:Plateformes numériques"
    assert rules_of(facts(articles=[draft]), FAR) == []
    for change in ({"exists": True}, {"sandbox_published": True}, {"sandbox_has_content": False},
                   {"kind": ArticleKind.IMPROVE}, {"sandbox_title": None}):
        assert rules_of(facts(articles=[dataclasses.replace(draft, **change)])) == [], change


def test_every_rule_has_a_label_and_alerts_come_most_severe_first() -> None:
    # 11 + integrity-review, integrity-confirmed (issue-integrity) + review-missing (issue-quality)
    assert len({r.id for r in RULES}) == len(RULES) == 14
    found = evaluate([facts(account_status="missing", edits=0, assignment_status="proposed",
                            reverted_edits=1)], NEAR)[7]
    assert [a.severity for a in found] == sorted(
        (a.severity for a in found), key=["high", "medium", "low"].index)


def test_thresholds_come_from_the_seminar_then_the_config() -> None:
    seminar = Seminar(slug="x", title="x", start_date=dt.date(2024, 1, 8), end_date=dt.date(2024, 3, 31),
                      timezone="Europe/Paris", restitution_at=dt.datetime(2024, 3, 25, 23, 30, tzinfo=dt.UTC))
    settings = settings_for(seminar, {"ALERTS_NO_EDIT_DAYS": 10, "ALERTS_DRAFT_NOT_MOVED_DAYS": 3}, TODAY)
    assert (settings.no_edit_days, settings.draft_days) == (10, 3)
    assert settings.restitution == dt.date(2024, 3, 26)  # 23:30 UTC is the 26th in Paris
    seminar.alert_no_edit_days = 30
    assert settings_for(seminar, {}, TODAY).no_edit_days == 30


# -- the rules over a seminar synced from the local MediaWiki --------------------------------

ARTICLE = "Le '''travail de plateforme''' désigne le travail organisé par une application.\n\n== Histoire ==\nDepuis 2010."


@pytest.mark.wiki
def test_alerts_over_a_synced_seminar(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    e, b, c, o = (sc.user(k) for k in ("elodie", "bruno", "chloe", "outsider"))
    nominated, doomed = f"Travail de plateforme {sc.tag}", f"Coursiers {sc.tag}"
    draft, sandbox = f"Syndicats de livreurs {sc.tag}", f"Utilisateur:{c}/Brouillon"
    wiki.import_pages([
        PageSpec(nominated, [
            Rev(e, ts("2024-01-10"), ARTICLE, "création"),
            Rev(o, ts("2024-01-12"), "{{Suppression}}\n" + ARTICLE, "proposition de suppression"),
        ]),
        PageSpec(doomed, [Rev(b, ts("2024-01-11"), "Les '''coursiers''' livrent à vélo.", "création")]),
        PageSpec(sandbox, [Rev(c, ts("2024-01-15"), "Brouillon sur les syndicats de livreurs.", "brouillon")], ns=2),
    ])
    seminar_id = make_seminar(app, wiki, sc)
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        slug = seminar.slug
        dora = Participant(seminar=seminar, name="Dora", role=Role.STUDENT)  # no account at all
        db.session.add(dora)
        db.session.commit()
        people = {p.name: p.id for p in db.session.scalars(
            sa.select(Participant).where(Participant.seminar_id == seminar_id))}
    assign(app, people["Elodie"], AssignmentStatus.APPROVED, (nominated, ArticleKind.IMPROVE, None))
    assign(app, people["Bruno"], AssignmentStatus.APPROVED, (doomed, ArticleKind.CREATE, None))
    assign(app, people["Chloe"], AssignmentStatus.APPROVED, (draft, ArticleKind.CREATE, sandbox))
    assert run_sync(app, seminar_id)["status"] == "success"
    wiki.delete(doomed)  # after the first sync: the next one finds the page gone
    assert run_sync(app, seminar_id)["status"] == "success"

    def alert_ids(today: dt.date) -> set[str]:
        with app.app_context():
            seminar = db.session.get(Seminar, seminar_id)
            figures = student_figures(db.session, seminar)
            found = seminar_alerts(db.session, seminar, figures, settings_for(seminar, app.config, today))
            return {a.id.rsplit(":", 1)[0] if a.rule.startswith(("article", "draft")) else a.id
                    for alerts in found.values() for a in alerts}

    today = today_near_restitution(app, seminar_id, days_before=5)
    near = alert_ids(today)
    assert near == {
        f"article-nominated:{people['Elodie']}", f"article-deleted:{people['Bruno']}",
        f"draft-not-moved:{people['Chloe']}", f"account-missing:{people['Dora']}",
        f"no-edit:{people['Dora']}", f"topic-missing:{people['Dora']}",
        # make_seminar enters the usernames; nobody proved theirs
        *(f"account-unverified:{people[n]}" for n in ("Elodie", "Bruno", "Chloe")),
    }
    # Two months before the restitution only what does not depend on the date remains.
    far = alert_ids(today - dt.timedelta(days=60))
    assert far == near - {f"draft-not-moved:{people['Chloe']}", f"no-edit:{people['Dora']}"}

    # The student sees their own alerts, in their own words, and nobody else's.
    with app.app_context():
        user = add_user("elodie@example.org", "Élodie")
        db.session.get(Participant, people["Elodie"]).user = user
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    login_as(client, user_id)
    page = text_of(client.get(f"/seminars/{slug}/students/{people['Elodie']}",
                              headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert f"The article {nominated} is proposed for deletion" in page
    assert "Add independent secondary sources quickly" in page  # the student's next step
    assert "Dora" not in page


# -- the rules over real histories (tests/data/histories) ------------------------------------


def test_alerts_over_real_english_histories(app: Flask) -> None:
    """Pyrus (two real reverts) and Pear (an AfD notice added on top of its real last text)."""
    with app.app_context():
        with read_export(HISTORIES / "article-pyrus.xml") as reader:
            site = reader.siteinfo
            revisions = list(reader)
        with read_export(HISTORIES / "article-pear.xml") as reader:
            pear = list(reader)
        last = pear[-1]
        afd = last.replace(
            revid=last.revid + 1, parentid=last.revid, user="Nominator", userid=99,
            timestamp=last.timestamp + dt.timedelta(days=1), sha1=None,
            text="{{Article for deletion/dated|page=Pear|timestamp=20020901}}\n" + (last.text or ""))
        revisions += [*pear, afd]
        wiki = Wiki(api_url="https://en.histories.invalid/w/api.php")
        wiki.siteinfo = site.replace(api_url=wiki.api_url)
        db.session.add(wiki)
        db.session.flush()
        store.upsert_revisions(db.session, wiki.id, revisions)
        store.upsert_texts(db.session, wiki.id, [WikiText(r.revid, r.pageid, r.text) for r in revisions])
        keys = store.page_keys(db.session, wiki.id, {r.pageid for r in revisions})
        store.mark_pages(db.session, wiki.id, [
            PageInfo(r.pageid, r.title, r.namespace, lastrevid=r.revid, length=len(r.text or ""))
            for r in (revisions[5], afd)], keys)
        seminar = Seminar(slug="histories", title="Histories", wiki=wiki, language="en",
                          start_date=dt.date(2002, 1, 1), end_date=dt.date(2008, 12, 31), timezone="UTC",
                          restitution_at=dt.datetime(2008, 12, 20, tzinfo=dt.UTC))
        names = {"Jkokemueller": 6303952, "Cottonapple4": 7707615, "Mav": 62}
        people = {n: Participant(seminar=seminar, name=n, role=Role.STUDENT, wiki_username=n,
                                 wiki_user_id=uid, wiki_verified=True) for n, uid in names.items()}
        db.session.add_all([seminar, *people.values()])
        db.session.commit()
        ids = {n: p.id for n, p in people.items()}
    assign(app, ids["Mav"], AssignmentStatus.APPROVED, ("Pear", ArticleKind.IMPROVE, None))
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "histories"))
        measure_seminar(db.session, seminar, synced_participants(db.session, seminar), [])
        db.session.commit()
        figures = student_figures(db.session, seminar)
        settings = settings_for(seminar, app.config, dt.date(2008, 12, 1))
        found = {pid: [a.rule for a in alerts]
                 for pid, alerts in seminar_alerts(db.session, seminar, figures, settings).items()}
    # Both reverted editors are told; the AfD on Pear reaches the student assigned to it.
    assert found[ids["Jkokemueller"]] == ["topic-missing", "reverted"]
    assert found[ids["Cottonapple4"]] == ["topic-missing", "reverted"]
    assert found[ids["Mav"]] == ["article-nominated"]


def test_integrity_alerts_unjudged_for_the_instructor_confirmed_for_both() -> None:
    from wikiseminar.reports.alerts import INSTRUCTOR_ONLY_RULES

    assert rules_of(facts(integrity_unjudged=2)) == ["integrity-review"]
    assert "integrity-review" in INSTRUCTOR_ONLY_RULES
    assert rules_of(facts(integrity_confirmed=1)) == ["integrity-confirmed"]
    assert "integrity-confirmed" not in INSTRUCTOR_ONLY_RULES
