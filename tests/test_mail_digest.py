"""The weekly digest: figures since the last one, alerts opened and closed, charts as images."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.mail.digest import send_digests
from wikiseminar.mail.outbox import send_due
from wikiseminar.models import NotificationOptOut, Participant, Role, Seminar, User

from .browserkit import ARTIFACTS, chromium
from .dashkit import add_user, login_as
from .localwiki import LocalWiki, PageSpec, Rev
from .mailkit import Received, SMTPServer
from .scenarios import make_seminar, new_scenario, run_sync, ts

pytestmark = pytest.mark.wiki
NOW = dt.datetime(2024, 1, 17, 8, tzinfo=dt.UTC)  # since: Jan 10 08:00, before the creation


def _seminar(app: Flask, wiki: LocalWiki) -> dict[str, object]:
    """A synced seminar taught by Inès (English) and Jules (French)."""
    sc = new_scenario()
    title = f"Économie des plateformes {sc.tag}"
    e, b = sc.user("elodie"), sc.user("bruno")
    wiki.import_pages([PageSpec(title, [
        Rev(e, ts("2024-01-10"), "L'''économie des plateformes''' organise des échanges.", "création"),
        Rev(e, ts("2024-01-15"), "L'''économie des plateformes''' organise des échanges "
            "entre offreurs et demandeurs.\n\n== Histoire ==\nDepuis les années 2000.", "histoire"),
        Rev(b, ts("2024-01-16"), "L'''économie des plateformes''' organise des échanges "
            "entre offreurs et demandeurs.\n\n== Histoire ==\nDepuis les années 2000.\n\n"
            "== Critiques ==\nLe travail.", "critiques"),
    ])])
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"
    app.config["ALERTS_TODAY"] = NOW.date()
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        ines = add_user(f"ines-{sc.tag}@example.org", "Inès", instructor=True)
        ines.locale = "en"
        jules = add_user(f"jules-{sc.tag}@example.org", "Jules", instructor=True)
        jules.locale = "fr"
        for user in (ines, jules):
            db.session.add(Participant(seminar=seminar, user=user, name=user.name,
                                       role=Role.INSTRUCTOR))
        db.session.commit()
        return {"seminar": seminar_id, "slug": seminar.slug, "ines": ines.id, "jules": jules.id,
                "ines_email": ines.email, "jules_email": jules.email,
                "title": seminar.title}


def _charts(mail: Received) -> dict[str, bytes]:
    """Content-ID -> PNG bytes of the inline images."""
    return {str(p["Content-ID"]).strip("<>"): p.get_content() for p in mail.message.walk()
            if p.get_content_type() == "image/png"}


def test_instructors_get_one_readable_digest_a_week(mail_app: Flask, smtp: SMTPServer,
                                                    wiki: LocalWiki) -> None:
    ids = _seminar(mail_app, wiki)
    mail_app.config["MAIL_DIGEST_DAY"] = "any"
    with mail_app.app_context():
        plans = send_digests(db.session, dry_run=True, now=NOW)
        assert {p.user.email for p in plans} == {ids["ines_email"], ids["jules_email"]}
        assert smtp.messages == []
        send_digests(db.session, now=NOW)
    [english] = smtp.to(ids["ines_email"])
    [french] = smtp.to(ids["jules_email"])
    assert english.subject == "Your seminars this week"
    assert french.subject == "Vos séminaires cette semaine"
    assert english.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for mail, words in ((english, ("Edits: 3", "New articles: 1", "Students with no edit: Chloe")),
                        (french, ("Modifications : 3", "Nouveaux articles : 1",
                                  "Étudiants sans modification : Chloe"))):
        for expected in words:
            assert expected in mail.text, expected
        assert ids["title"] in mail.html
        charts = _charts(mail)
        assert len(charts) == 3 and all(png.startswith(b"\x89PNG") for png in charts.values())
        for cid in charts:
            assert f'src="cid:{cid}"' in mail.html
        dashboard = f"http://localhost/seminars/{ids['slug']}/dashboard"
        assert dashboard in mail.text and dashboard in mail.html
        assert all(link.startswith("http://localhost/") for link in mail.links())
    assert "New alerts:" in english.text and "Account not verified" in english.text
    # The dashboard link works for the instructor.
    client = mail_app.test_client()
    login_as(client, ids["ines"])
    assert client.get(f"/seminars/{ids['slug']}/dashboard").status_code == 200

    with mail_app.app_context():
        # Not again the next day; a week later, one more, reporting only what changed.
        assert send_digests(db.session, now=NOW + dt.timedelta(days=1)) == []
        db.session.get(User, ids["jules"]).email_verified_at = NOW  # unrelated change
        db.session.add(NotificationOptOut(user_id=ids["jules"], kind="weekly_digest"))
        db.session.commit()
        [plan] = send_digests(db.session, now=NOW + dt.timedelta(days=7))
        assert plan.user.id == ids["ines"]
        [section] = plan.sections
        assert section.opened == [] and section.closed == []
        assert section.since == NOW
    assert len(smtp.to(ids["ines_email"])) == 2 and len(smtp.to(ids["jules_email"])) == 1

    _screenshot(french)


def _screenshot(mail: Received) -> None:
    """Render the HTML part in Chromium with its inline images and keep a screenshot."""
    html = mail.html
    for cid, png in _charts(mail).items():
        html = html.replace(f"cid:{cid}", "data:image/png;base64," + base64.b64encode(png).decode())
    assert not re.search(r'src="cid:', html)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 760, "height": 900})  # type: ignore[attr-defined]
        page.set_content(html)
        widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        assert len(widths) == 3 and all(w > 200 for w in widths)  # every chart decoded
        path = ARTIFACTS / "mail" / "digest-fr.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        page.close()


def test_digest_command_dry_run_and_without_mail(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["digest"])
    assert result.exit_code == 1 and "[mail] host" in result.output
    result = app.test_cli_runner().invoke(args=["digest", "--dry-run"])
    assert result.exit_code == 0
    result = app.test_cli_runner().invoke(args=["notify", "--dry-run"])
    assert result.exit_code == 0


def test_send_pass_is_harmless_when_nothing_is_due(mail_app: Flask) -> None:
    with mail_app.app_context():
        assert send_due(db.session, mail_app.config).sent == []
