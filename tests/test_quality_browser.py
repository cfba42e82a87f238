"""The article page's quality transition in a real headless Chromium (screenshot kept in
test-artifacts/quality-article.png)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Page

from .browserkit import live_server, screenshot
from .dashkit import PASSWORD, add_people
from .localwiki import LocalWiki
from .qualitykit import halles
from .test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.wiki]


def test_article_page_shows_the_quality_transition(sqlite_app: Flask, wiki: LocalWiki,
                                                   browser: object) -> None:
    sc, seminar_id, title, _created, assessor = halles(sqlite_app, wiki)
    people = add_people(sqlite_app, seminar_id)
    with sqlite_app.app_context():
        page_pk = db.session.scalars(sa.select(Page.id).where(Page.title == title)).one()
    with live_server(sqlite_app) as base:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, base, "prof@example.org", PASSWORD)
        page.goto(f"{base}/seminars/{people.slug}/articles/{page_pk}")
        section = page.locator("section.quality-section")
        assert section.locator("h2").inner_text() == "Qualité, avant et après"
        transitions = section.locator("strong.quality-transition").all_inner_texts()
        assert transitions == ["ébauche → B", "ébauche → B"]
        assert assessor in section.locator("ul.rating-changes").inner_text()
        chart = section.locator("svg[role=img]")
        assert chart.count() == 1 and chart.locator("circle").count() == 3
        section.scroll_into_view_if_needed()
        screenshot(page, "quality-article")
        context.close()
