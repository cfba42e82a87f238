"""The outbox against a real SMTP server: multipart mail, sent on commit, never lost, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.config import ConfigError, load_settings
from wikiseminar.extensions import db
from wikiseminar.mail import InlineImage, LinkOutsideBaseUrl, enqueue, mail_enabled
from wikiseminar.mail.outbox import send_due
from wikiseminar.models import OutboxMessage
from wikiseminar.models._types import utcnow

from .mailkit import SMTPServer


def _rows() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_message_is_sent_on_commit_as_multipart(mail_app: Flask, smtp: SMTPServer) -> None:
    with mail_app.app_context():
        assert mail_enabled()
        message_id = enqueue("ana@example.org", "Bienvenue — séminaire", "Bonjour Ana\nhttp://localhost/x",
                             "<p>Bonjour <b>Ana</b></p>", kind="test", locale="fr",
                             headers={"List-Unsubscribe": "<http://localhost/u/1>"},
                             images=[InlineImage("chart1@ws", b"\x89PNG fake", "image/png")])
        assert smtp.messages == []  # nothing leaves before the transaction commits
        db.session.commit()
        [got] = smtp.to("ana@example.org")
        assert got.subject == "Bienvenue — séminaire"
        assert "Bonjour Ana" in got.text and "<b>Ana</b>" in got.html
        assert got.message["Content-Language"] == "fr"
        assert got.message["List-Unsubscribe"] == "<http://localhost/u/1>"
        assert got.message["From"].addresses[0].addr_spec == "noreply@seminaire.test"
        assert got.message.get_content_type() == "multipart/alternative"
        related = [p for p in got.message.walk() if p.get("Content-ID") == "<chart1@ws>"]
        assert related and related[0].get_content() == b"\x89PNG fake"
        row = db.session.get(OutboxMessage, message_id)
        db.session.refresh(row)
        assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
        assert got.message["Message-ID"] == row.message_id


def test_rolled_back_message_is_never_sent(mail_app: Flask, smtp: SMTPServer) -> None:
    with mail_app.app_context():
        enqueue("bob@example.org", "x", "y", kind="test")
        db.session.rollback()
        db.session.commit()
        assert smtp.messages == [] and _rows() == []


def test_smtp_outage_loses_nothing_and_sends_each_once(mail_app: Flask, smtp: SMTPServer) -> None:
    smtp.stop()
    with mail_app.app_context():
        addresses = [f"s{i}@example.org" for i in range(4)]
        for address in addresses:
            enqueue(address, f"Sujet {address}", "corps", "<p>corps</p>", kind="test")
        db.session.commit()
        rows = _rows()
        assert [r.status for r in rows] == ["queued"] * 4
        assert all(r.attempts == 1 and "Connection" in (r.last_error or "") for r in rows)
        assert all(r.next_attempt_at > utcnow() for r in rows)
        # Not yet due: a send pass now leaves them alone.
        assert send_due(db.session, mail_app.config).sent == []
        smtp.start()
        later = utcnow() + dt.timedelta(minutes=5)
        report = send_due(db.session, mail_app.config, now=later)
        assert sorted(report.sent) == [r.id for r in rows]
        assert send_due(db.session, mail_app.config, now=later + dt.timedelta(hours=1)).sent == []
    assert sorted(a for m in smtp.messages for a in m.rcpt_tos) == addresses


def test_message_fails_after_the_last_attempt(mail_app: Flask, smtp: SMTPServer) -> None:
    smtp.stop()
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 2
    with mail_app.app_context():
        enqueue("c@example.org", "x", "y", kind="test")
        db.session.commit()
        report = send_due(db.session, mail_app.config, now=utcnow() + dt.timedelta(days=1))
        assert report.failed and _rows()[0].status == "failed"


def test_links_to_another_host_are_refused(mail_app: Flask) -> None:
    with mail_app.app_context():
        with pytest.raises(LinkOutsideBaseUrl):
            enqueue("d@example.org", "x", "see https://evil.example/login", kind="test")
        with pytest.raises(ValueError):
            enqueue("d@example.org", "x\r\nBcc: e@example.org", "y", kind="test")


def test_without_mail_host_nothing_is_sent(app: Flask, smtp: SMTPServer) -> None:
    with app.app_context():
        assert not mail_enabled()
        enqueue("e@example.org", "x", "y", kind="test")
        db.session.commit()
        assert _rows()[0].status == "queued"
        assert send_due(db.session, app.config).sent == []
    assert smtp.messages == []


def test_mail_settings_are_checked(tmp_path) -> None:
    with pytest.raises(ConfigError, match="mail_security"):
        load_settings(tmp_path, {"MAIL_SECURITY": "ssl"})
    with pytest.raises(ConfigError, match="base_url"):
        load_settings(tmp_path, {"BASE_URL": "seminaire.example"})
    with pytest.raises(ConfigError, match="from_address"):
        load_settings(tmp_path, {"MAIL_HOST": "smtp.example"})
    settings = load_settings(tmp_path, {"BASE_URL": "https://s.example/", "MAIL_PORT": 587})
    assert settings["BASE_URL"] == "https://s.example" and settings["MAIL_PORT"] == 587


def test_admin_mail_page_shows_each_status(mail_app: Flask, smtp: SMTPServer) -> None:
    from .webkit import add_user, login_as

    with mail_app.app_context():
        admin = add_user("root@example.org")
        admin.is_admin = True
        enqueue("sent@example.org", "Envoyé", "y", kind="test")
        db.session.commit()
        smtp.stop()
        enqueue("waiting@example.org", "En attente", "y", kind="test")
        db.session.commit()
        admin_id = admin.id
    client = mail_app.test_client()
    login_as(client, admin_id)
    page = client.get("/admin/mail", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "sent@example.org" in page and "waiting@example.org" in page
    assert "ConnectionRefusedError" in page and "envoyé" in page and "en attente" in page
    anonymous = mail_app.test_client()
    assert anonymous.get("/admin/mail").status_code == 403


def test_mail_send_command_retries_after_the_outage(mail_app: Flask, smtp: SMTPServer) -> None:
    smtp.stop()
    with mail_app.app_context():
        enqueue("f@example.org", "x", "y", kind="test")
        db.session.commit()
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    smtp.start()
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output and len(smtp.to("f@example.org")) == 1
    mail_app.config["MAIL_HOST"] = ""
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "[mail] host" in result.output
