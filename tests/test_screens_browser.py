"""The dashboard fits the screens it is used on (issue 12, item 7), in a real Chromium.

The demo seminar at 1366x768 (a laptop) and 390 px (a phone), in French and English: no
sideways scroll at 1366, the first column stays in view, columns can be hidden with the
static script, and the favicon is served. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from flask import Flask

from wikiseminar.demo import DEMO_SLUG

from .browserkit import live_server, screenshot
from .dashkit import PASSWORD
from .test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser]

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
