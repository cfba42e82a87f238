"""Notifications due after a sync: students' own events and instructors' alerts, each once.

A student is mailed only at a confirmed address (`user.email_verified_at`); instructors'
accounts are made by an operator or another instructor, who typed the address.

What is due is derived from stored data (the dashboard's alerts, topic decisions, the
restitution programme); `sent_notification` keys every event per person, so running the
pass again, after each sync, never mails the same event twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext, ngettext

from ..dbsession import DbSession
from ..models import (
    Assignment,
    AssignmentStatus,
    Participant,
    Role,
    Seminar,
    SentNotification,
    User,
)
from ..reports.alerts import Alert, settings_for
from ..reports.programme import build_programme
from ..reports.progress import seminar_progress
from ..services.messages import Message
from .compose import external_url, recipient_locale, render_mail
from .kinds import is_opted_out, unsubscribe_headers, unsubscribe_token
from .outbox import enqueue

__all__ = ["Item", "Planned", "notify", "plan_seminar"]

# Dashboard alert rule -> the student's notification kind.
STUDENT_RULES = {"article-nominated": "deletion_proposed", "reverted": "edit_reverted",
                 "draft-not-moved": "draft_reminder"}
SUBJECTS: dict[str, Callable[[], str]] = {
    "deletion_proposed": lambda: gettext("A page you work on is proposed for deletion"),
    "edit_reverted": lambda: gettext("One of your edits was reverted"),
    "draft_reminder": lambda: gettext("Your draft is still in your user space"),
    "topic_decision": lambda: gettext("The instructor answered your topic proposal"),
    "restitution_slot": lambda: gettext("Your slot in the restitution programme"),
}
_DECISIONS = {
    AssignmentStatus.APPROVED: lazy_gettext("Your topic “%(topic)s” is approved."),
    AssignmentStatus.REJECTED: lazy_gettext("Your topic “%(topic)s” is refused."),
    AssignmentStatus.CHANGES_REQUESTED: lazy_gettext(
        "The instructor asks for changes to your topic “%(topic)s”."),
}


@dataclass
class Item:
    """One event in a mail: its key and how to say it (rendered in the recipient's language)."""

    key: str
    say: Callable[[], str]
    detail: Callable[[], str] | None = None
    quote: str | None = None  # the instructor's own words, never translated
    who: str | None = None  # the participant an instructor's alert is about


@dataclass
class Planned:
    """One mail to one person: its kind and the events it carries."""

    user: User
    seminar: Seminar
    kind: str
    items: list[Item] = field(default_factory=list)

    def describe(self) -> str:
        """One line for --dry-run."""
        return (f"{self.user.email}\t{self.kind}\t{self.seminar.slug}\t"
                + "; ".join(item.key for item in self.items))


def _message(msg: Message) -> Callable[[], str]:
    """A service Message, translated when the mail is rendered."""
    from ..web.messages import translate

    return lambda: translate(msg)


def _today(seminar: Seminar) -> dt.date:
    """Today in the seminar's time zone (ALERTS_TODAY pins it, as on the dashboard)."""
    from ..web.dashboard import today_for

    return today_for(seminar)


def _student_items(session: DbSession, seminar: Seminar, alerts: dict[int, list[Alert]],
                   days_left: int, config: Any) -> dict[tuple[int, str], list[Item]]:
    """(participant id, kind) -> events of the students' own work."""
    found: dict[tuple[int, str], list[Item]] = defaultdict(list)
    reminder_days = int(config.get("MAIL_DRAFT_REMINDER_DAYS") or 7)
    for pid, rows in alerts.items():
        for alert in rows:
            kind = STUDENT_RULES.get(alert.rule)
            if kind is None or (kind == "draft_reminder" and days_left > reminder_days):
                continue
            key = alert.id
            if alert.rule == "reverted":  # a new revert later is a new event
                key += f":{alert.message.params.get('count')}"
            found[(pid, kind)].append(Item(f"{kind}:{key}", _message(alert.message),
                                           _message(alert.student_step)))
    decided = session.scalars(sa.select(Assignment).join(Participant).where(
        Participant.seminar_id == seminar.id, Assignment.decided_at.is_not(None),
        Assignment.status != AssignmentStatus.PROPOSED))
    for assignment in decided:
        template = _DECISIONS.get(AssignmentStatus(assignment.status))
        if template is None or assignment.decided_at is None:
            continue
        topic = assignment.topic.title if assignment.topic else ""
        stamp = assignment.decided_at.isoformat(timespec="seconds")
        found[(assignment.participant_id, "topic_decision")].append(Item(
            f"topic:{assignment.id}:{assignment.status}:{stamp}",
            partial(_decision_text, template, topic),
            quote=assignment.instructor_comment or None))
    if seminar.restitution_at is not None:
        for entry in build_programme(session, seminar).items:
            if entry.participant_id is None or entry.start is None:
                continue
            start = entry.start
            found[(entry.participant_id, "restitution_slot")].append(Item(
                f"slot:{entry.participant_id}:{start.isoformat(timespec='minutes')}",
                partial(_slot_text, start, entry.position)))
    return found


def _decision_text(template: Any, topic: str) -> str:
    """A topic decision (a lazy `_DECISIONS` template) in the current language."""
    return str(template) % {"topic": topic}


def _slot_text(start: dt.datetime, position: int | None) -> str:
    """'You present in position N, on <date> at <time>.' in the current language."""
    from flask_babel import format_date, format_time

    return gettext("You present in position %(n)s, on %(date)s at %(time)s.",
                   n=position or "?", date=format_date(start.date(), "full"),
                   time=format_time(start.time(), "short"))


def plan_seminar(session: DbSession, seminar: Seminar) -> list[Planned]:
    """Every mail due for this seminar now (events not yet sent, kinds not turned off)."""
    config = current_app.config
    settings = settings_for(seminar, config, _today(seminar))
    progress = seminar_progress(session, seminar, settings)
    alerts = {row.participant_id: row.alerts for row in progress.rows}
    people = {p.id: p for p in session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, Participant.removed_at.is_(None)))}
    sent = _already_sent(session, [p.user_id for p in people.values() if p.user_id])
    planned: list[Planned] = []
    by_kind = _student_items(session, seminar, alerts, settings.days_left, config)
    for (pid, kind), items in sorted(by_kind.items()):
        participant = people.get(pid)
        if participant is None or participant.user is None or participant.role != Role.STUDENT:
            continue
        if participant.user.email_verified_at is None:
            # Anyone can type any address at the join form: a student's news goes only to a
            # proven one. Nothing is recorded, so what is still due leaves once it is proven.
            continue
        fresh = [i for i in items if (participant.user.id, i.key) not in sent]
        if fresh and not is_opted_out(session, participant.user.id, kind):
            planned.append(Planned(participant.user, seminar, kind, fresh))
    instructor_items = []
    names = {p.id: p.name for p in people.values()}
    for pid, rows in alerts.items():
        for alert in rows:
            key = f"alert:{alert.id}"
            if alert.rule == "reverted":
                key += f":{alert.message.params.get('count')}"
            instructor_items.append(Item(key, _message(alert.message), _message(alert.next_step),
                                         who=names.get(pid)))
    for participant in people.values():
        if participant.role != Role.INSTRUCTOR or participant.user is None:
            continue
        user = participant.user
        fresh = [i for i in instructor_items if (user.id, i.key) not in sent]
        if fresh and not is_opted_out(session, user.id, "instructor_alert"):
            planned.append(Planned(user, seminar, "instructor_alert", fresh))
    return planned


def _already_sent(session: DbSession, user_ids: Sequence[int]) -> set[tuple[int, str]]:
    """(user id, event key) of everything already notified to these people."""
    rows = session.execute(sa.select(SentNotification.user_id, SentNotification.event_key)
                           .where(SentNotification.user_id.in_(list(user_ids) or [-1])))
    return {(u, k) for u, k in rows}


def _send(session: DbSession, plan: Planned) -> int:
    """Queue one planned mail and record its events as sent, in the same transaction."""
    user, seminar = plan.user, plan.seminar
    locale = recipient_locale(user.locale)
    unsubscribe = external_url("mailflows.unsubscribe", token=unsubscribe_token(user, plan.kind))
    if plan.kind == "instructor_alert":
        subject: Callable[[], str] = lambda: ngettext(  # noqa: E731
            "%(num)d new alert in %(title)s", "%(num)d new alerts in %(title)s",
            len(plan.items), title=seminar.title)
        link = external_url("dashboard.dashboard", slug=seminar.slug)
    else:
        subject = SUBJECTS[plan.kind]
        link = external_url("seminars.me", slug=seminar.slug)
    title, text, html = render_mail(
        "notification", locale, subject, name=user.name or user.email, seminar=seminar,
        items=plan.items, link=link, kind=plan.kind, unsubscribe=unsubscribe,
        preferences=external_url("mailflows.notifications"))
    outbox_id = enqueue(user.email, title, text, html, kind=plan.kind, locale=locale,
                        headers=unsubscribe_headers(unsubscribe))
    for item in plan.items:
        session.add(SentNotification(user_id=user.id, event_key=item.key[:300], kind=plan.kind,
                                     outbox_id=outbox_id))
    return outbox_id


def notify(session: DbSession, seminars: Iterable[Seminar], *,
           dry_run: bool = False) -> list[Planned]:
    """Plan and (unless dry_run) queue every due notification of these seminars, committed."""
    done: list[Planned] = []
    for seminar in seminars:
        plans = plan_seminar(session, seminar)
        if not dry_run:
            for plan in plans:
                _send(session, plan)
            session.commit()
        done.extend(plans)
    if dry_run:
        session.rollback()
    return done
