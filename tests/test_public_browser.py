"""The public programme in a real headless Chromium, as an anonymous visitor (CSRF on)."""

from __future__ import annotations

import pytest
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import User

from .browserkit import live_server, screenshot
from .publickit import add_open_session, make_public, states
from .webkit import PASSWORD, seed

pytestmark = [pytest.mark.browser]


def test_an_anonymous_visitor_registers_waits_and_moves_up(browser: object, sqlite_app: Flask) -> None:
    app = sqlite_app
    seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=1)
    with live_server(app) as base:
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844},  # type: ignore[attr-defined]
                                      java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{base}/programme/sem-a")
        assert page.locator("h1").inner_text() == "Cultures numériques"
        body = page.locator("main").inner_text()
        assert "Librairie La Colline, 12 rue des Tilleuls, 75011 Paris" in body
        assert "18:30–20:00" in body and "1 place disponible." in body
        assert "Élodie Martin" not in body and "Plateformes" not in body
        screenshot(page, "public/programme")

        form = page.locator(f"#session-{session_id} form")
        form.locator("input[name=name]").fill("Zoé Durand")
        form.locator("input[name=email]").fill("zoe@example.org")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "votre place est confirmée" in page.locator("main").inner_text()
        zoe_page = page.url
        screenshot(page, "public/registered")

        other = context.new_page()
        other.goto(f"{base}/programme/sem-a")
        form = other.locator(f"#session-{session_id} form")
        assert form.locator("button[type=submit]").inner_text() == "S’inscrire sur liste d’attente"
        form.locator("input[name=name]").fill("Marc Petit")
        form.locator("input[name=email]").fill("marc@example.org")
        with other.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "vous êtes sur liste d’attente" in other.locator("main").inner_text()

        page.goto(zoe_page)
        with page.expect_navigation():
            page.get_by_role("button", name="Annuler mon inscription").click()
        assert "annulée" in page.locator("main").inner_text()
        other.reload()
        assert "votre place est confirmée" in other.locator("main").inner_text()
        context.close()
    assert states(app, session_id) == {"Zoé Durand": "cancelled", "Marc Petit": "confirmed"}


def test_attendance_on_a_phone(browser: object, sqlite_app: Flask) -> None:
    app = sqlite_app
    world = seed(app)
    session_id = add_open_session(app, "sem-a", places=5)
    with app.app_context():
        email = db.session.get(User, world.users["instructor"]).email  # type: ignore[union-attr]
    with live_server(app) as base:
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844},  # type: ignore[attr-defined]
                                      java_script_enabled=False, has_touch=True, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{base}/auth/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.goto(f"{base}/seminars/sem-a/calendar/{session_id}/attendance")
        line = page.locator("label.tap", has_text="Élodie Martin")
        box = line.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 300  # a thumb's target
        line.tap()
        screenshot(page, "public/attendance-phone")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer la présence").tap()
        page.locator(".flash").wait_for()
        assert "Présence enregistrée : 1 présent." in page.locator("main").inner_text()
        assert page.locator("label.tap", has_text="Élodie Martin").locator("input").is_checked()
        context.close()
