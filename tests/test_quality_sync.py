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
from wikiseminar.models import ArticleQuality, Page, Seminar
from wikiseminar.reports.quality import ARTICLE_COLUMNS
from wikiseminar.sync.pipeline import client_for
from wikiseminar.sync.quality import update_quality

from .localwiki import LocalWiki, PageSpec, Rev
from .qualitykit import halles, talk
from .scenarios import make_seminar, new_scenario, run_sync, ts

pytestmark = pytest.mark.wiki

def _row(app: Flask, title: str) -> ArticleQuality:
    page = db.session.scalars(sa.select(Page).where(Page.title == title)).one()
    return db.session.scalars(sa.select(ArticleQuality).where(
        ArticleQuality.page_pk == page.id)).one()


def test_talk_banner_change_during_the_seminar_and_estimate(app: Flask, wiki: LocalWiki) -> None:
    sc, seminar_id, title, created, assessor = halles(app, wiki)
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
        Rev(o, ts("2024-03-15"), talk("A") + "\n== Plan ==\nUne question.", "promotion"),
    ], ns=1)])
    assert run_sync(app, seminar_id)["status"] == "success"
    with app.app_context():  # talk pages are checked once a day by default: not yet seen
        assert _row(app, title).rating_now == "B"
    app.config["SYNC_QUALITY_TALK_HOURS"] = 0
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
        PageSpec(f"Discussion:{titles[0]}", [Rev(e, ts("2024-01-21"), talk("BD"))], ns=1)])
    seminar_id = make_seminar(app, wiki, sc)
    first = run_sync(app, seminar_id)
    within_a_day = run_sync(app, seminar_id)
    app.config["SYNC_QUALITY_TALK_HOURS"] = 0
    checked = run_sync(app, seminar_id)
    checked_again = run_sync(app, seminar_id)
    assert {first["status"], within_a_day["status"], checked["status"]} == {"success"}
    # Checking the talk pages of the 3 articles is one prop=info request; an unchanged talk
    # page is not read again, and within the check interval nothing is asked at all.
    assert int(checked["api_requests"]) == int(within_a_day["api_requests"]) + 1
    assert checked_again["api_requests"] == checked["api_requests"]
    assert int(first["api_requests"]) > int(checked["api_requests"])
    with app.app_context():
        assert _row(app, titles[0]).rating_now == "BD"
        assert _row(app, titles[1]).rating_now is None


def test_export_articles_csv_and_json(app: Flask, wiki: LocalWiki, tmp_path: Path) -> None:
    sc, seminar_id, title, created, _ = halles(app, wiki)
    runner = app.test_cli_runner()
    slug = f"sem-{sc.tag}"
    out = tmp_path / "articles.json"
    result = runner.invoke(args=["export", "articles", slug, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["title"]: r for r in json.loads(out.read_text("utf-8"))}
    halles_row = rows[title]
    assert halles_row["kind"] == "improved" and halles_row["students"] == "Elodie"
    assert (halles_row["quality_start"], halles_row["quality_now"]) == ("ébauche", "B")
    assert (halles_row["estimate_start"], halles_row["estimate_now"]) == ("ébauche", "B")
    assert halles_row["references_start"] == 0 and halles_row["references_now"] == 30
    assert halles_row["sections_start"] == 0 and halles_row["sections_now"] == 6
    assert halles_row["prose_words_now"] > 1000 > halles_row["prose_words_start"]
    assert rows[created]["kind"] == "created" and rows[created]["quality_now"] == ""
    assert rows[created]["students"] == "Bruno"

    csv_out = runner.invoke(args=["export", "articles", slug, "--format", "csv"])
    assert csv_out.exit_code == 0
    lines = list(csv.DictReader(io.StringIO(csv_out.output.lstrip("\ufeff"))))
    assert {line["title"]: line["quality_now"] for line in lines}[title] == "B"
    assert list(lines[0]) == list(ARTICLE_COLUMNS)

    unknown = runner.invoke(args=["export", "articles", "no-such-seminar"])
    assert unknown.exit_code == 1 and "no seminar" in unknown.output


def test_first_read_costs_one_info_request_plus_one_per_existing_talk_page(
        app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    e = sc.user("elodie")
    wiki.create_users([sc.user("chloe"), sc.user("bruno"), sc.user("outsider")])
    titles = [f"Place {i} {sc.tag}" for i in range(4)]
    wiki.import_pages([PageSpec(t, [Rev(e, ts("2024-01-20"), f"La '''{t}''' est une place.")])
                       for t in titles] + [
        PageSpec(f"Discussion:{titles[1]}", [Rev(e, ts("2024-01-21"), talk("ébauche"))], ns=1)])
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        db.session.execute(sa.delete(ArticleQuality).where(ArticleQuality.seminar_id == seminar_id))
        db.session.commit()
        tracked = list(db.session.scalars(sa.select(Page).where(Page.title.in_(titles))))
        client = client_for(wiki.api_url, app.config)
        assert update_quality(db.session, seminar, client, tracked) == 4
        # One prop=info for the 4 talk pages, one read for the only one that exists; the
        # article texts are already stored.
        assert client.requests == 2
        assert _row(app, titles[1]).rating_now == "ébauche"
        assert _row(app, titles[0]).rating_now is None
