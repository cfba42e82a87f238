"""Seminar scenarios imported into the local MediaWiki, with their expected outcome."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar
from wikiseminar.services.seminars import create_seminar
from wikiseminar.sync.pipeline import SyncOptions, client_for, sync_seminar
from wikiseminar.wiki.client import WikiClient

from .localwiki import LocalWiki, PageSpec, Rev

START = dt.date(2024, 1, 8)
END = dt.date(2024, 3, 31)


def ts(day: str, hour: int = 10) -> dt.datetime:
    """A UTC timestamp on a day of 2024 or 2023 ('2024-01-10')."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


@dataclass
class Scenario:
    """Names used by one test, unique so tests can share one wiki."""

    tag: str
    students: dict[str, str] = field(default_factory=dict)  # role key -> username
    titles: dict[str, str] = field(default_factory=dict)

    def user(self, key: str) -> str:
        """The username of a scenario person."""
        return self.students[key]


def new_scenario() -> Scenario:
    """Fresh names for a test."""
    tag = uuid.uuid4().hex[:6]
    scenario = Scenario(tag=tag)
    scenario.students = {
        "elodie": f"Élodie {tag}",
        "bruno": f"Bruno {tag}",
        "chloe": f"Chloé {tag}",
        "outsider": f"Outsider {tag}",
    }
    scenario.titles = {
        "article": f"Travail du clic {tag}",
        "talk": f"Discussion:Travail du clic {tag}",
        "sandbox": f"Utilisateur:Élodie {tag}/Brouillon",
        "published": f"Plateformes numériques {tag}",
        "doomed": f"Page éphémère {tag}",
        "before": f"Avant le séminaire {tag}",
        "template": f"Modèle:Boîte {tag}",
    }
    return scenario


def import_seminar_edits(wiki: LocalWiki, sc: Scenario) -> None:
    """The standard history: students' edits inside and outside the dates, others' edits."""
    e, b, o = sc.user("elodie"), sc.user("bruno"), sc.user("outsider")
    t = sc.titles
    wiki.create_users([sc.user("chloe")])
    wiki.import_pages([
        PageSpec(t["before"], [Rev(e, ts("2023-12-20"), "Texte écrit avant le séminaire.")]),
        PageSpec(t["article"], [
            Rev(e, ts("2024-01-10"), "Le '''travail du clic''' désigne des micro-tâches.\n\n== Histoire ==\nLes plateformes.", "Création"),
            Rev(b, ts("2024-01-12"), "Le '''travail du clic''' désigne des micro-tâches<ref>Casilli, 2019.</ref>.\n\n== Histoire ==\nLes plateformes.\n\n== Notes et références ==\n<references />", "Source"),
            Rev(o, ts("2024-01-13"), "Le '''travail du clic''' désigne des micro-tâches rémunérées<ref>Casilli, 2019.</ref>.\n\n== Histoire ==\nLes plateformes.\n\n== Notes et références ==\n<references />", "précision"),
            Rev(e, ts("2024-01-15"), "Le '''travail du clic''' désigne des micro-tâches rémunérées<ref>Casilli, 2019.</ref>.\n\n== Histoire ==\nLes plateformes de micro-travail apparaissent vers 2005.\n\n== Notes et références ==\n<references />", "Histoire"),
            Rev(b, ts("2024-04-05"), "Après la fin du séminaire.", "après"),
        ]),
        PageSpec(t["talk"], [Rev(b, ts("2024-01-14"), "Une question sur le plan.", "question")], ns=1),
        PageSpec(t["sandbox"], [
            Rev(e, ts("2024-01-20"), "Brouillon sur les '''plateformes numériques'''.", "brouillon"),
            Rev(e, ts("2024-01-21"), "Brouillon sur les '''plateformes numériques''' et le travail.", "suite"),
        ], ns=2),
        PageSpec(t["doomed"], [Rev(b, ts("2024-01-25"), "Une page qui sera supprimée.", "création")]),
        PageSpec(t["template"], [Rev(e, ts("2024-01-16"), "{{{1}}}", "modèle")], ns=10),
    ])


def expected_revisions(wiki: LocalWiki, sc: Scenario, *, deleted: bool = False) -> dict[int, str]:
    """rev id -> title of the students' in-window edits, read from the wiki's own API."""
    site = wiki.bot()
    users = [sc.user("elodie"), sc.user("bruno"), sc.user("chloe")]
    found = {}
    for item in site.usercontributions("|".join(users), namespace="0|1|2|3"):
        stamp = dt.datetime.fromisoformat(item["timestamp"].replace("Z", "+00:00")) \
            if isinstance(item["timestamp"], str) else dt.datetime(*item["timestamp"][:6], tzinfo=dt.UTC)
        if dt.datetime(2024, 1, 8, tzinfo=dt.UTC) <= stamp < dt.datetime(2024, 4, 1, tzinfo=dt.UTC):
            found[int(item["revid"])] = item["title"]
    return found


def make_seminar(app: Flask, wiki: LocalWiki, sc: Scenario, *, slug: str | None = None) -> int:
    """A seminar on the local wiki with Élodie, Bruno and Chloé as students."""
    with app.app_context():
        client = client_for(wiki.api_url, app.config)
        seminar = create_seminar(
            db.session, slug=slug or f"sem-{sc.tag}", title=f"Cultures numériques {sc.tag}",
            api_url=wiki.api_url, start=START, end=END, client=client, timezone="UTC",
        )
        for key in ("elodie", "bruno", "chloe"):
            db.session.add(Participant(seminar=seminar, name=key.title(), role=Role.STUDENT,
                                       wiki_username=sc.user(key)))
        db.session.commit()
        return seminar.id


def run_sync(app: Flask, seminar_id: int, client: WikiClient | None = None,
             **options: object) -> dict[str, object]:
    """Sync one seminar inline, as cron would; return the SyncRun's figures."""
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        assert seminar is not None
        client = client or client_for(seminar.wiki.api_url, app.config, sleep=lambda s: None)
        run = sync_seminar(db.session, seminar, client,
                           SyncOptions.from_config(app.config, **options))
        return {c: getattr(run, c) for c in (
            "status", "api_requests", "revisions_added", "texts_fetched", "error")}


def stored_revisions(app: Flask, seminar_id: int) -> dict[int, tuple[str, int, bool]]:
    """rev id -> (current title, namespace at edit time, deleted) of the seminar's revisions."""
    from wikiseminar.scope import seminar_revisions

    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        rows = db.session.execute(seminar_revisions(seminar)).all()
        return {r.rev_id: (r.page.title, r.namespace, r.deleted) for r, _ in rows}


def table_counts(app: Flask) -> dict[str, int]:
    """Rows per table: two syncs that should agree leave the same counts."""
    with app.app_context():
        return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) or 0
                for t in db.metadata.sorted_tables if t.name not in ("sync_run",)}
