"""A student recovers a password alone, in Chromium, from the link the SMTP server received."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import User

from .browserkit import live_server, screenshot
from .mailkit import SMTPServer
from .webkit import add_user

pytestmark = pytest.mark.browser


def test_password_reset_and_address_proof_in_chromium(browser: object, sqlite_app: Flask,
                                                      smtp: SMTPServer, tmp_path: Path) -> None:
    app = sqlite_app  # CSRF protection on
    with app.app_context():
        add_user("lea@example.org", "Léa Student")
        db.session.commit()
    with live_server(app) as base:
        app.config.update(smtp.config())
        app.config["BASE_URL"] = base  # the mails link to this live server
        context = browser.new_context(locale="fr-FR")  # type: ignore[attr-defined]
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{base}/auth/login")
        page.click("text=Mot de passe oublié ?")
        page.fill("#email", "lea@example.org")
        page.click("button:has-text('M’envoyer un lien')")
        assert "Si un compte utilise cette adresse" in page.content()
        [mail] = smtp.to("lea@example.org")
        [link] = mail.links()
        assert link.startswith(f"{base}/auth/reset/")
        page.goto(link)
        page.fill("#password", "un-nouveau-mot-de-passe")
        page.fill("#confirm", "un-nouveau-mot-de-passe")
        page.click("button:has-text('Enregistrer mon mot de passe')")
        page.wait_for_load_state()
        assert "Votre nouveau mot de passe est enregistré" in page.content()
        screenshot(page, "mail/reset-done")

        # From the notification settings, ask for an address proof and follow it.
        page.goto(f"{base}/account/notifications")
        assert "Une page sur laquelle je travaille" in page.content()
        with app.app_context():
            db.session.scalar(sa.select(User)).email_verified_at = None
            db.session.commit()
        page.goto(f"{base}/account/notifications")
        page.click("text=M’envoyer un lien de confirmation")
        verify = smtp.to("lea@example.org")[-1]
        assert verify.subject == "Confirmez votre adresse électronique"
        page.goto(verify.links()[0])
        page.click("button:has-text('Confirmer mon adresse')")
        page.wait_for_load_state()
        assert "est confirmée" in page.content()
        context.close()
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.check_password("un-nouveau-mot-de-passe") and user.email_verified_at
