"""Notifications after a sync, on the real local MediaWiki and a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import (
    ArticleKind,
    AssignmentStatus,
    NotificationOptOut,
    Participant,
    Role,
    Seminar,
    SentNotification,
)
from wikiseminar.models._types import utcnow

from .dashkit import add_user, assign
from .localwiki import LocalWiki, PageSpec, Rev
from .mailkit import SMTPServer
from .scenarios import make_seminar, new_scenario, run_sync, ts

ARTICLE = ("Le '''travail de plateforme''' désigne le travail organisé par une application."
           "\n\n== Histoire ==\nDepuis 2010.")


def _setup(app: Flask, wiki: LocalWiki) -> dict[str, object]:
    """A synced seminar: Élodie (student, French) wrote an article; Inès teaches."""
    sc = new_scenario()
    title = f"Travail de plateforme {sc.tag}"
    wiki.import_pages([PageSpec(title, [Rev(sc.user("elodie"), ts("2024-01-10"), ARTICLE,
                                            "création")])])
    seminar_id = make_seminar(app, wiki, sc)
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        elodie = db.session.scalar(sa.select(Participant).where(
            Participant.seminar_id == seminar_id, Participant.name == "Elodie"))
        student = add_user(f"elodie-{sc.tag}@example.org", "Élodie")
        student.email_verified_at = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)  # proven by mail
        elodie.user = student
        teacher = add_user(f"ines-{sc.tag}@example.org", "Inès", instructor=True)
        teacher.locale = "en"
        db.session.add(Participant(seminar=seminar, user=teacher, name="Inès",
                                   role=Role.INSTRUCTOR))
        db.session.commit()
        ids = {"seminar": seminar_id, "slug": seminar.slug, "elodie": elodie.id,
               "student": student.id, "student_email": student.email,
               "teacher_email": teacher.email, "title": title}
    assign(app, ids["elodie"], AssignmentStatus.APPROVED, (title, ArticleKind.IMPROVE, None))
    assert run_sync(app, seminar_id)["status"] == "success"
    return ids


def _notify(app: Flask, slug: str, *extra: str) -> str:
    result = app.test_cli_runner().invoke(args=["notify", *extra, slug])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.wiki
def test_deletion_proposal_reaches_the_student_within_one_sync(
        mail_app: Flask, smtp: SMTPServer, wiki: LocalWiki) -> None:
    ids = _setup(mail_app, wiki)
    _notify(mail_app, ids["slug"])
    assert smtp.to(ids["student_email"]) == []  # nothing to tell the student yet
    [first_alerts] = smtp.to(ids["teacher_email"])  # the instructor hears of the open alerts
    assert first_alerts.message["Content-Language"] == "en"
    assert "Account not verified" in first_alerts.text or "not verified" in first_alerts.text

    # Someone tags the article for a deletion debate on the wiki; one sync later, the mail.
    wiki.edit_as(f"Patrouilleur {ids['title'][-6:]}", ids["title"], "{{Suppression}}\n" + ARTICLE,
                 "proposition de suppression")
    assert run_sync(mail_app, ids["seminar"])["status"] == "success"
    dry = _notify(mail_app, ids["slug"], "--dry-run")
    assert f"would send\t{ids['student_email']}\tdeletion_proposed" in dry
    assert smtp.to(ids["student_email"]) == []  # a dry run sends nothing
    _notify(mail_app, ids["slug"])
    [mail] = smtp.to(ids["student_email"])
    assert mail.subject == "Une page sur laquelle vous travaillez est proposée à la suppression"
    assert mail.message["Content-Language"] == "fr"
    for body in (mail.text, mail.html):
        assert ids["title"] in body and "Suppression" in body
        assert "sources secondaires" in body  # the student's next step, in French
    unsubscribe = mail.message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://localhost/unsubscribe/")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all(link.startswith("http://localhost/") for link in mail.links())
    teacher_mails = smtp.to(ids["teacher_email"])
    assert len(teacher_mails) == 2 and "proposed for deletion" in teacher_mails[1].text

    # The same event is never mailed twice, however many syncs and passes follow.
    assert run_sync(mail_app, ids["seminar"])["status"] == "success"
    _notify(mail_app, ids["slug"])
    assert len(smtp.to(ids["student_email"])) == 1 and len(smtp.to(ids["teacher_email"])) == 2
    with mail_app.app_context():
        keys = set(db.session.scalars(sa.select(SentNotification.event_key).where(
            SentNotification.user_id == ids["student"])))
        assert keys == {f"deletion_proposed:article-nominated:{ids['elodie']}:"
                        + k.rsplit(":", 1)[1] for k in keys}

    # One click (RFC 8058 POST, no session, no CSRF token) turns that kind off.
    client = mail_app.test_client()
    path = unsubscribe[len("http://localhost"):]
    page = client.get(path, headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Se désabonner" in page.get_data(as_text=True)
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with mail_app.app_context():
        [off] = db.session.scalars(sa.select(NotificationOptOut)).all()
        assert (off.user_id, off.kind) == (ids["student"], "deletion_proposed")
    assert client.get("/unsubscribe/forged-token").status_code == 404


def test_preferences_page_turns_kinds_off_one_by_one(mail_app: Flask) -> None:
    from .webkit import login_as, seed

    world = seed(mail_app)
    client = mail_app.test_client()
    login_as(client, world.users["student"])
    page = client.get("/account/notifications", headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert "Une page sur laquelle je travaille est proposée à la suppression" in text
    assert "récapitulatif hebdomadaire" not in text  # a student gets no digest
    kept = {"topic_decision": "y", "deletion_proposed": "y", "restitution_slot": "y"}
    assert client.post("/account/notifications", data=kept).status_code == 302
    with mail_app.app_context():
        off = set(db.session.scalars(sa.select(NotificationOptOut.kind).where(
            NotificationOptOut.user_id == world.users["student"])))
    assert off == {"edit_reverted", "draft_reminder"}


def test_topic_decision_and_restitution_slot_are_mailed_once(mail_app: Flask,
                                                             smtp: SMTPServer) -> None:
    from wikiseminar.models import Assignment, User

    from .webkit import seed

    world = seed(mail_app)
    with mail_app.app_context():
        assignment = db.session.get(Assignment, world.assignment_id)
        assignment.status = AssignmentStatus.REJECTED
        assignment.instructor_comment = "Trop large : choisissez une plateforme précise."
        assignment.decided_at = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        restitution = dt.datetime.combine(seminar.end_date - dt.timedelta(days=3), dt.time(13),
                                          tzinfo=dt.UTC)
        seminar.restitution_at = restitution
        student = db.session.get(User, world.users["student"])
        student.locale = "en"
        db.session.commit()
    # An unconfirmed address gets nothing, and nothing is marked as sent ...
    assert "elodie@example.org" not in _notify(mail_app, "sem-a")
    assert smtp.to("elodie@example.org") == []
    with mail_app.app_context():
        assert not db.session.scalars(sa.select(SentNotification).where(
            SentNotification.user_id == world.users["student"])).all()
        db.session.get(User, world.users["student"]).email_verified_at = utcnow()
        db.session.commit()
    # ... so once it is confirmed, what is still due leaves.
    output = _notify(mail_app, "sem-a")
    assert "elodie@example.org\ttopic_decision" in output
    mails = {m.subject: m for m in smtp.to("elodie@example.org")}
    decision = mails["The instructor answered your topic proposal"]
    for body in (decision.text, decision.html):
        assert "Your topic “Plateformes” is refused." in body
        assert "Trop large : choisissez une plateforme précise." in body  # their own words
    slot = mails["Your slot in the restitution programme"]
    from zoneinfo import ZoneInfo

    local = restitution.astimezone(ZoneInfo("Europe/Paris"))  # the seminar's clock
    assert "You present in position 1" in slot.text
    assert f"at {local.hour - 12}:00\u202fPM" in slot.text or f"at {local.hour - 12}:00 PM" in slot.text
    assert decision.message["List-Unsubscribe"] != slot.message["List-Unsubscribe"]  # per kind
    before = len(smtp.messages)
    _notify(mail_app, "sem-a")
    assert len(smtp.messages) == before  # nothing twice
    # A new decision is a new event.
    with mail_app.app_context():
        assignment = db.session.get(Assignment, world.assignment_id)
        assignment.status = AssignmentStatus.APPROVED
        assignment.instructor_comment = ""
        assignment.decided_at = dt.datetime(2026, 1, 9, 9, tzinfo=dt.UTC)
        db.session.commit()
    _notify(mail_app, "sem-a")
    assert [m.subject for m in smtp.messages[before:]
            if "elodie@example.org" in m.rcpt_tos] == ["The instructor answered your topic proposal"]


@pytest.mark.wiki
@pytest.mark.redis
def test_the_worker_mails_the_deletion_notice_after_its_sync(
        mail_app: Flask, smtp: SMTPServer, wiki: LocalWiki) -> None:
    import signal

    from wikiseminar.sync.jobs import run_worker, sync_job

    from .queuekit import RedisSpace

    space = RedisSpace(hosts=[f"127.0.0.1:{wiki.port}"])
    space.cleanup()
    try:
        ids = _setup(mail_app, wiki)
        mail_app.config.update(REDIS_URL=space.url, QUEUE_NAME=space.queue_name)
        wiki.edit_as(f"Patrouilleuse {ids['title'][-6:]}", ids["title"],
                     "{{Suppression}}\n" + ARTICLE, "débat d'admissibilité")
        with mail_app.app_context():
            assert sync_job(ids["seminar"])["status"] == "success"  # as the worker runs it
        assert smtp.to(ids["student_email"]) == []  # queued as a mail job, not sent inline
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            run_worker(mail_app, space.redis, name=space.worker_name(1), burst=True,
                       logging_level="WARNING", burst_wait=0.5)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
        [mail] = smtp.to(ids["student_email"])
        assert mail.subject == "Une page sur laquelle vous travaillez est proposée à la suppression"
    finally:
        space.cleanup()
