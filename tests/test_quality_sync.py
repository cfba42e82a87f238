"""Quality during the sync, on the real French local wiki: talk banners that change mid-seminar."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import ArticleQuality, Page
from wikiseminar.reports.quality import ARTICLE_COLUMNS

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import Scenario, make_seminar, new_scenario, run_sync, ts

pytestmark = pytest.mark.wiki

STUB = "'''{title}''' est un quartier.\n\n{{{{Ébauche|géographie}}}}\n[[Catégorie:Quartier]]"


def grown_article(title: str, sections: int = 5, per_section: int = 3) -> str:
    """A sourced, sectioned article of about 1,500 words (a B-class shape)."""
    parts = [f"{{{{Infobox Quartier|nom={title}}}}}", f"'''{title}''' est un quartier ancien."]
    sentence = ("Les habitants du quartier ont transformé les anciennes halles en lieux de "
                "rencontre, de commerce et de fête au fil des décennies. ")
    ref = 0
    for s in range(sections):
        parts.append(f"== Partie {s + 1} ==")
        for _ in range(per_section):
            ref += 2
            parts.append(sentence * 5 + f"<ref>{{{{Ouvrage|titre=Étude {ref}|année=2001}}}}</ref>"
                         f"<ref>{{{{Lien web|titre=Archive {ref}|url=https://example.org/{ref}}}}}</ref>")
    parts += ["[[Fichier:Halles.jpg|vignette|Les halles]]", "== Notes et références ==",
              "<references />", "[[Catégorie:Quartier]]"]
    return "\n\n".join(parts)


def _talk(level: str) -> str:
    return f"{{{{Wikiprojet\n|Géographie|faible\n|Urbanisme|moyenne\n|avancement={level}\n}}}}"


def _row(app: Flask, title: str) -> ArticleQuality:
    page = db.session.scalars(sa.select(Page).where(Page.title == title)).one()
    return db.session.scalars(sa.select(ArticleQuality).where(
        ArticleQuality.page_pk == page.id)).one()


def _halles(app: Flask, wiki: LocalWiki) -> tuple[Scenario, int, str, str, str]:
    """An old stub expanded during the seminar and reassessed on its talk page, plus a new article."""
    sc = new_scenario()
    e, b, o = sc.user("elodie"), sc.user("bruno"), sc.user("outsider")
    wiki.create_users([sc.user("chloe"), f"Évaluatrice {sc.tag}"])
    title = f"Quartier des Halles {sc.tag}"
    created = f"Marché couvert {sc.tag}"
    assessor = f"Évaluatrice {sc.tag}"
    wiki.import_pages([
        PageSpec(title, [
            Rev(o, ts("2023-05-02"), STUB.format(title=title), "création"),
            Rev(e, ts("2024-01-20"), grown_article(title, 3, 2), "plan et sources"),
            Rev(e, ts("2024-02-10"), grown_article(title), "développement"),
        ]),
        PageSpec(f"Discussion:{title}", [
            Rev(o, ts("2023-05-03"), _talk("ébauche"), "évaluation"),
            Rev(b, ts("2024-01-25"), _talk("ébauche") + "\n== Plan ==\nUne question. ~~~~", "question"),
            Rev(assessor, ts("2024-02-20"), _talk("B") + "\n== Plan ==\nUne question.", "réévaluation"),
        ], ns=1),
        PageSpec(created, [Rev(b, ts("2024-02-01"), "Le '''marché couvert''' ouvre en 1850.", "création")]),
    ])
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"
    return sc, seminar_id, title, created, assessor


def test_talk_banner_change_during_the_seminar_and_estimate(app: Flask, wiki: LocalWiki) -> None:
    sc, seminar_id, title, created, assessor = _halles(app, wiki)
    o = sc.user("outsider")

    with app.app_context():
        row = _row(app, title)
        assert row.talk_title == f"Discussion:{title}"
        assert (row.rating_start, row.rating_now) == ("ébauche", "B")
        assert row.rating_changed_by == assessor
        assert row.rating_changed_at == ts("2024-02-20")
        assert [(c["before"], c["after"], c["user"]) for c in row.rating_changes] == [
            ("ébauche", "B", assessor)]
        assert row.estimate_start == "ébauche"
        assert row.estimate_now == "B"
        assert row.features_start["prose_words"] < 20 and row.features_start["stub_banner"]
        assert row.features_now["references"] == 30 and row.features_now["infobox"]
        assert [level for _, level in row.series] == ["ébauche", "BD", "B"]
        new = _row(app, created)
        assert new.rating_start is None and new.rating_now is None
        assert new.estimate_start is None and new.estimate_now == "ébauche"

    # Nothing changed on the wiki: the resync reads no talk page again.
    again = run_sync(app, seminar_id)
    assert again["status"] == "success"

    # A later reassessment is appended to the history, read from where the last sync stopped.
    wiki.import_pages([PageSpec(f"Discussion:{title}", [
        Rev(o, ts("2024-03-15"), _talk("A") + "\n== Plan ==\nUne question.", "promotion"),
    ], ns=1)])
    assert run_sync(app, seminar_id)["status"] == "success"
    with app.app_context():
        row = _row(app, title)
        assert (row.rating_start, row.rating_now) == ("ébauche", "A")
        assert [(c["before"], c["after"]) for c in row.rating_changes] == [
            ("ébauche", "B"), ("B", "A")]
        assert row.rating_changed_by == o


def test_resync_without_changes_costs_no_talk_page_read(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    e = sc.user("elodie")
    wiki.create_users([sc.user("chloe"), sc.user("bruno"), sc.user("outsider")])
    titles = [f"Rue {i} {sc.tag}" for i in range(3)]
    wiki.import_pages([PageSpec(t, [Rev(e, ts("2024-01-20"), f"La '''{t}''' est une rue.")])
                       for t in titles] + [
        PageSpec(f"Discussion:{titles[0]}", [Rev(e, ts("2024-01-21"), _talk("BD"))], ns=1)])
    seminar_id = make_seminar(app, wiki, sc)
    first = run_sync(app, seminar_id)
    second = run_sync(app, seminar_id)
    third = run_sync(app, seminar_id)
    assert first["status"] == second["status"] == third["status"] == "success"
    # Steady state: a quiet resync costs the same, and one talk read fewer than the first run.
    assert second["api_requests"] == third["api_requests"]
    assert int(first["api_requests"]) > int(second["api_requests"])
    with app.app_context():
        assert _row(app, titles[0]).rating_now == "BD"
        assert _row(app, titles[1]).rating_now is None


def test_export_articles_csv_and_json(app: Flask, wiki: LocalWiki, tmp_path: Path) -> None:
    sc, seminar_id, title, created, _ = _halles(app, wiki)
    runner = app.test_cli_runner()
    slug = f"sem-{sc.tag}"
    out = tmp_path / "articles.json"
    result = runner.invoke(args=["export", "articles", slug, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["title"]: r for r in json.loads(out.read_text("utf-8"))}
    halles = rows[title]
    assert halles["kind"] == "improved" and halles["students"] == "Elodie"
    assert (halles["quality_start"], halles["quality_now"]) == ("ébauche", "B")
    assert (halles["estimate_start"], halles["estimate_now"]) == ("ébauche", "B")
    assert halles["references_start"] == 0 and halles["references_now"] == 30
    assert halles["sections_start"] == 0 and halles["sections_now"] == 6
    assert halles["prose_words_now"] > 1000 > halles["prose_words_start"]
    assert rows[created]["kind"] == "created" and rows[created]["quality_now"] == ""
    assert rows[created]["students"] == "Bruno"

    csv_out = runner.invoke(args=["export", "articles", slug, "--format", "csv"])
    assert csv_out.exit_code == 0
    lines = list(csv.DictReader(io.StringIO(csv_out.output.lstrip("\ufeff"))))
    assert {line["title"]: line["quality_now"] for line in lines}[title] == "B"
    assert list(lines[0]) == list(ARTICLE_COLUMNS)

    unknown = runner.invoke(args=["export", "articles", "no-such-seminar"])
    assert unknown.exit_code == 1 and "no seminar" in unknown.output
