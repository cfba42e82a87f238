"""Helpers for the dashboard tests: people and roles, signing in, a seminar synced from the wiki."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import (
    ArticleKind,
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    Participant,
    Role,
    Seminar,
    Topic,
    Wiki,
)
from wikiseminar.wiki.types import SiteInfo

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import Scenario, import_seminar_edits, make_seminar, new_scenario, run_sync, ts
from .webkit import PASSWORD as PASSWORD  # re-exported for the dashboard tests
from .webkit import add_user as add_user
from .webkit import login_as as login_as

OFFLINE_API = "https://offline.wikiseminar.invalid/w/api.php"

V1 = "Le '''capitalisme de plateforme''' organise le travail à la demande.\n\n== Définition ==\nUn modèle."
V2 = V1 + "\n\nCe paragraphe sera annulé par un autre contributeur."


def offline_wiki() -> Wiki:
    """A wiki row that needs no wiki (French siteinfo by default)."""
    wiki = db.session.scalar(sa.select(Wiki).where(Wiki.api_url == OFFLINE_API))
    if wiki is None:
        wiki = Wiki(api_url=OFFLINE_API)
        wiki.siteinfo = SiteInfo(api_url=OFFLINE_API, sitename="Test", lang="fr",
                                 server="https://offline.wikiseminar.invalid")
        db.session.add(wiki)
    return wiki


@dataclass
class People:
    """Ids of a seminar's people and of the seminar next door."""

    slug: str
    seminar_id: int
    users: dict[str, int] = field(default_factory=dict)
    participants: dict[str, int] = field(default_factory=dict)


def add_people(app: Flask, seminar_id: int) -> People:
    """An instructor, a student account and an auditor account on the seminar, plus a second
    seminar run by another instructor. Students are those already enrolled without accounts."""
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        assert seminar is not None
        users = {
            "instructor": add_user("prof@example.org", "Prof", instructor=True),
            "other": add_user("autre@example.org", "Autre prof", instructor=True),
            "auditor": add_user("auditeur@example.org", "Auditeur"),
        }
        other = Seminar(slug=f"{seminar.slug}-b", title="Un autre séminaire", wiki=seminar.wiki,
                        start_date=seminar.start_date, end_date=seminar.end_date)
        db.session.add(other)
        db.session.add_all([
            Participant(seminar=seminar, user=users["instructor"], name="Prof", role=Role.INSTRUCTOR),
            Participant(seminar=other, user=users["other"], name="Autre prof", role=Role.INSTRUCTOR),
            Participant(seminar=seminar, user=users["auditor"], name="Zoé Auditrice",
                        role=Role.AUDITOR),
        ])
        students = {p.name.lower(): p for p in db.session.scalars(sa.select(Participant).where(
            Participant.seminar_id == seminar_id, Participant.role == Role.STUDENT))}
        for key, participant in students.items():
            participant.user = users[key] = add_user(f"{key}@example.org", participant.name)
        db.session.commit()
        people = People(seminar.slug, seminar.id, {k: u.id for k, u in users.items()})
        people.participants = {
            p.name.lower(): p.id for p in db.session.scalars(
                sa.select(Participant).where(Participant.seminar_id == seminar_id))}
        return people


def assign(app: Flask, participant_id: int, status: AssignmentStatus, *articles: tuple[str, ArticleKind, str | None]) -> None:
    """Give a participant a topic with articles (title, kind, sandbox title)."""
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        assert participant is not None
        topic = Topic(seminar_id=participant.seminar_id, title=f"Sujet de {participant.name}")
        db.session.add(Assignment(participant=participant, topic=topic, status=status, articles=[
            AssignedArticle(title=t, kind=k, sandbox_title=s) for t, k, s in articles]))
        db.session.commit()


@dataclass
class Synced:
    """A seminar synced from the local wiki, with people who can sign in."""

    scenario: Scenario
    people: People
    reverted_title: str


def synced_seminar(app: Flask, wiki: LocalWiki) -> Synced:
    """The standard scenario plus a reverted edit, assignments for Élodie and Bruno, synced."""
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    reverted = f"Capitalisme de plateforme {sc.tag}"
    wiki.import_pages([PageSpec(reverted, [
        Rev(sc.user("bruno"), ts("2024-01-18"), V1, "création"),
        Rev(sc.user("bruno"), ts("2024-01-19"), V2, "ajout"),
        Rev(sc.user("outsider"), ts("2024-01-20"), V1, "annulation"),
    ])])
    seminar_id = make_seminar(app, wiki, sc)
    people = add_people(app, seminar_id)
    assign(app, people.participants["elodie"], AssignmentStatus.APPROVED,
           (sc.titles["article"], ArticleKind.IMPROVE, None))
    assign(app, people.participants["bruno"], AssignmentStatus.PROPOSED,
           (reverted, ArticleKind.CREATE, None))
    run = run_sync(app, seminar_id)
    assert run["status"] == "success", run["error"]
    return Synced(sc, people, reverted)


def text_of(html: str) -> str:
    """Visible text of a page, tags dropped and spaces collapsed."""
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def row_names(html: str) -> list[str]:
    """Participant names in the order of the dashboard table's rows."""
    body = html.split('<table class="progress-table"', 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", "", m).strip() for m in
            re.findall(r'<th scope="row">\s*(<a [^>]*>.*?</a>)', body, flags=re.S)]


def today_near_restitution(app: Flask, seminar_id: int, days_before: int = 5) -> dt.date:
    """Set the seminar's restitution and pin 'today' a few days before it (for date rules)."""
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        assert seminar is not None
        seminar.restitution_at = dt.datetime(2024, 3, 25, 14, tzinfo=dt.UTC)
        db.session.commit()
    today = dt.date(2024, 3, 25) - dt.timedelta(days=days_before)
    app.config["ALERTS_TODAY"] = today
    return today
