"""The dashboard fits the screens it is used on (issue 12, item 7), in a real Chromium.

The demo seminar at 1366x768 (a laptop) and 390 px (a phone), in French and English: no
sideways scroll at 1366, the first column stays in view, columns can be hidden with the
static script, and the favicon is served. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.demo import DEMO_SLUG
from wikiseminar.extensions import db
from wikiseminar.models import Page, Participant, User

from .browserkit import ARTIFACTS, live_server, screenshot
from .dashkit import PASSWORD, login_as
from .test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser]

# The elements reaching furthest right (to tell what overflows when a page is too wide).
WIDEST = """Array.from(document.querySelectorAll('main *')).map(e => [e.getBoundingClientRect().right,
  e.tagName + '.' + e.className]).sort((a, b) => b[0] - a[0]).slice(0, 4)"""
SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def test_favicon_is_served_and_linked(sqlite_app: Flask) -> None:
    """Every page used to ask for a missing /favicon.ico."""
    client = sqlite_app.test_client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    home = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in home and "favicon.svg" in home
    assert client.get("/static/favicon.svg").status_code == 200


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_demo_dashboard_fits_a_laptop_and_a_phone(sqlite_app: Flask, browser: object,
                                                  lang: str) -> None:
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["demo", "--password", PASSWORD]).exit_code == 0
    with live_server(sqlite_app) as base:
        for screen, viewport in SCREENS.items():
            context = browser.new_context(  # type: ignore[attr-defined]
                locale="fr-FR" if lang == "fr" else "en-GB", viewport=viewport)
            page = context.new_page()
            sign_in(page, base, "enseignante@demo.example.org", PASSWORD)
            page.goto(f"{base}/seminars/{DEMO_SLUG}/dashboard")
            table = page.locator("table.progress-table")
            assert table.count() == 1
            first = page.locator("table.progress-table tbody th[scope=row]").first
            assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
            wrap = "document.querySelector('.table-wrap')"
            if screen == "laptop":  # the whole table in view: no sideways scroll at all
                widths = page.evaluate(f"[{wrap}.scrollWidth, {wrap}.clientWidth]")
                if widths[0] > widths[1] + 1:
                    screenshot(page, f"dashboard-{lang}-{screen}-overflow")
                assert widths[0] <= widths[1] + 1, widths
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
            # The column chooser (static script): hiding a column hides its cells.
            toggles = page.locator(".column-chooser input[type=checkbox]")
            assert toggles.count() >= 5
            screenshot(page, f"dashboard-{lang}-{screen}")
            column = toggles.nth(2).get_attribute("data-column")
            cell = page.locator(f"table.progress-table tbody td[data-column='{column}']").first
            assert cell.is_visible()
            page.locator(".column-chooser summary").click()
            toggles.nth(2).uncheck()
            assert not cell.is_visible()
            page.reload()  # the choice is remembered on this device
            cell = page.locator(f"table.progress-table tbody td[data-column='{column}']").first
            assert not cell.is_visible()
            context.close()


def _pdf_page_png(data: bytes, name: str, tmp: Path) -> Path:
    """First page of a PDF as a PNG under test-artifacts/ (poppler's pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("poppler-utils (pdftoppm) is missing: needed to look at the PDFs")
    source = tmp / f"{name}.pdf"
    source.write_bytes(data)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(ARTIFACTS / name)], check=True)
    return ARTIFACTS / f"{name}.png"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_demo_pages_and_pdfs_in_both_languages(sqlite_app: Flask, browser: object, lang: str,
                                               tmp_path: Path) -> None:
    """Student page, article page and report at both widths, and the report PDF, looked at."""
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["demo", "--password", PASSWORD]).exit_code == 0
    with sqlite_app.app_context():
        lea = db.session.scalar(sa.select(Participant.id).where(Participant.name == "Léa Dubois"))
        article = db.session.scalar(sa.select(Page.id).where(Page.title == "Modération de contenu"))
    with live_server(sqlite_app) as base:
        for screen, viewport in SCREENS.items():
            context = browser.new_context(  # type: ignore[attr-defined]
                locale="fr-FR" if lang == "fr" else "en-GB", viewport=viewport)
            page = context.new_page()
            sign_in(page, base, "enseignante@demo.example.org", PASSWORD)
            for name, path in (("student", f"students/{lea}"), ("article", f"articles/{article}"),
                               ("report", f"students/{lea}/report"), ("grades", "grading")):
                page.goto(f"{base}/seminars/{DEMO_SLUG}/{path}")
                screenshot(page, f"{name}-{lang}-{screen}")
                wide = page.evaluate(WIDEST)
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, (
                    name, wide)
            context.close()
    client = sqlite_app.test_client()
    with sqlite_app.app_context():
        teacher = db.session.scalar(sa.select(User.id).where(User.email == "enseignante@demo.example.org"))
    login_as(client, teacher)
    pdf = client.get(f"/seminars/{DEMO_SLUG}/students/{lea}/report.pdf",
                     headers={"Accept-Language": lang})
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    text = " ".join((p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert ("Mots ajoutés" in text) == (lang == "fr")
    assert _pdf_page_png(pdf.data, f"report-pdf-{lang}", tmp_path).stat().st_size > 0
