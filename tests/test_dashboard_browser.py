"""The dashboard in a real headless Chromium: a seminar synced from the local MediaWiki, sorted,
a student's page opened; and the demo seminar on a phone-sized screen. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.demo import DEMO_SLUG
from wikiseminar.extensions import db
from wikiseminar.models import Page

from .browserkit import live_server, screenshot
from .dashkit import PASSWORD, synced_seminar
from .localwiki import LocalWiki

pytestmark = [pytest.mark.browser, pytest.mark.wiki]

def sign_in(page: object, base: str, email: str, password: str) -> None:
    """Sign in through the real form (CSRF on)."""
    page.goto(f"{base}/auth/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("form button[type=submit], form input[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def test_dashboard_sort_and_student_page_in_chromium(sqlite_app: Flask, wiki: LocalWiki,
                                                     browser: object) -> None:
    world = synced_seminar(sqlite_app, wiki)
    slug = world.people.slug
    with live_server(sqlite_app) as base:
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, base, "prof@example.org", PASSWORD)
        page.goto(f"{base}/seminars/{slug}/dashboard")
        assert page.title().startswith("Dashboard")
        assert page.locator("table.progress-table tbody tr").count() == 4
        assert page.locator("svg[role=img]").count() == 3
        screenshot(page, "dashboard-synced")

        page.click("th a:has-text('Words added')")  # numbers sort largest first
        page.wait_for_load_state()
        assert "sort=words" in page.url and "dir=desc" in page.url
        header = page.locator("th[aria-sort]")
        assert header.count() == 1 and header.get_attribute("aria-sort") == "descending"
        names = page.locator("table.progress-table tbody th[scope=row] a").all_inner_texts()
        assert names[0] == "Elodie"  # she wrote the most lasting words
        page.click("th a:has-text('Words added')")
        page.wait_for_load_state()
        assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
        screenshot(page, "dashboard-sorted")

        page.click("table.progress-table tbody th[scope=row] a:has-text('Bruno')")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Bruno"
        assert page.locator("table.revisions tr.reverted").count() == 1
        assert page.locator("table.revisions a[href*='diff=prev']").count() >= 3
        screenshot(page, "student-page")
        context.close()


def test_demo_dashboard_on_a_phone(sqlite_app: Flask, browser: object) -> None:
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["demo", "--password", PASSWORD]).exit_code == 0
    with live_server(sqlite_app) as base:
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844},  # type: ignore[attr-defined]
                                      device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        sign_in(page, base, "enseignante@demo.example.org", PASSWORD)
        page.goto(f"{base}/seminars/{DEMO_SLUG}/dashboard")
        assert page.locator("h1").inner_text().startswith("Tableau de bord")
        assert page.locator(".alert-list li").count() >= 9
        # The page does not scroll sideways on a phone: only the table's own box does.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1
        screenshot(page, "demo-dashboard-phone")
        with sqlite_app.app_context():
            article = db.session.scalar(sa.select(Page.id).where(Page.title == "Modération de contenu"))
        page.goto(f"{base}/seminars/{DEMO_SLUG}/articles/{article}")
        assert page.locator(".authorship-legend").count() == 1
        screenshot(page, "demo-article")
        context.close()
