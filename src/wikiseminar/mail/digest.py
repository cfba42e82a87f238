"""The weekly digest: per instructor, what changed in each seminar since the last one."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext

from ..dbsession import DbSession
from ..models import DigestRecord, Participant, Role, Seminar, User
from ..models._types import utcnow
from ..reports.alerts import RULES_BY_ID, settings_for
from ..reports.figures import student_figures
from ..reports.progress import progress_charts, seminar_progress
from .compose import external_url, recipient_locale, render_mail
from .kinds import is_opted_out, unsubscribe_headers, unsubscribe_token
from .outbox import InlineImage, enqueue

__all__ = ["DigestPlan", "SeminarDigest", "due_digests", "send_digests"]

log = logging.getLogger(__name__)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A digest is due once this long after the previous one (six days: a cron drifting by hours
# still sends one a week).
MIN_INTERVAL = dt.timedelta(days=6)


@dataclass
class SeminarDigest:
    """What one seminar's section of a digest says."""

    seminar: Seminar
    since: dt.datetime
    edits: int
    words: int
    new_articles: int
    idle: list[str]
    opened: list[tuple[str, str, str]]  # (alert id, rule, who)
    closed: list[tuple[str, str, str]]
    open_now: dict[str, dict[str, str]]
    charts: list[tuple[str, str]] = field(default_factory=list)  # (cid, title)
    images: list[InlineImage] = field(default_factory=list)


@dataclass
class DigestPlan:
    """One digest mail to one instructor."""

    user: User
    sections: list[SeminarDigest]

    def describe(self) -> str:
        """One line for --dry-run."""
        parts = [f"{s.seminar.slug} ({s.edits} edits, {s.words} words, +{len(s.opened)}/"
                 f"-{len(s.closed)} alerts)" for s in self.sections]
        return f"{self.user.email}\tweekly_digest\t" + "; ".join(parts)


def _is_due(user: User, now: dt.datetime, day: str) -> bool:
    """Never sent, or sent at least six days ago; and today is the digest day."""
    if day != "any" and WEEKDAYS[now.weekday()] != day:
        return False
    return user.last_digest_at is None or now - user.last_digest_at >= MIN_INTERVAL


def _seminars_of(session: DbSession, user: User) -> list[Seminar]:
    """Active seminars the user teaches."""
    return list(session.scalars(
        sa.select(Seminar).join(Participant, Participant.seminar_id == Seminar.id)
        .where(Participant.user_id == user.id, Participant.role == Role.INSTRUCTOR,
               Participant.removed_at.is_(None), Seminar.active.is_(True))
        .order_by(Seminar.id)))


def _chart_png(svg: str) -> bytes | None:
    """The SVG chart as PNG (mail clients do not show SVG); None if cairosvg is missing."""
    try:
        import cairosvg
    except (ImportError, OSError):  # the library, or the system's libcairo, is missing
        log.warning("cairosvg unavailable: digest charts are left out")
        return None
    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=1.5,
                                  background_color="white"))


def _section(session: DbSession, user: User, seminar: Seminar, now: dt.datetime,
             locale: str) -> SeminarDigest:
    """Figures since the last digest of this seminar, alerts opened/closed, charts."""
    last = session.scalar(sa.select(DigestRecord).where(
        DigestRecord.user_id == user.id, DigestRecord.seminar_id == seminar.id)
        .order_by(DigestRecord.sent_at.desc()).limit(1))
    since = last.sent_at if last else now - dt.timedelta(days=7)
    week = student_figures(session, seminar, since=since, until=now)
    students = [f for f in week if f.role == Role.STUDENT]
    from ..web.dashboard import today_for

    settings = settings_for(seminar, current_app.config, today_for(seminar))
    progress = seminar_progress(session, seminar, settings)
    names = {row.participant_id: row.figures.name for row in progress.rows}
    open_now = {a.id: {"rule": a.rule, "who": names.get(a.participant_id, "")}
                for row in progress.rows for a in row.alerts}
    before: dict[str, dict[str, str]] = json.loads(last.open_alerts) if last else {}
    opened = [(k, v["rule"], v["who"]) for k, v in open_now.items() if k not in before]
    closed = [(k, v.get("rule", ""), v.get("who", "")) for k, v in before.items()
              if k not in open_now]
    section = SeminarDigest(
        seminar=seminar, since=since, edits=sum(f.edits for f in week),
        words=sum(f.words_added for f in week),
        new_articles=sum(f.articles_created for f in week),
        idle=sorted(f.name for f in students if not f.edits),
        opened=sorted(opened, key=lambda x: (x[2], x[1])),
        closed=sorted(closed, key=lambda x: (x[2], x[1])), open_now=open_now)
    from ..web.dashboard import chart_texts

    with force_locale(locale):
        charts = progress_charts(session, seminar, progress.rows, chart_texts(),
                                 today=settings.today)
        titles = [(charts.total, gettext("Words added, whole seminar")),
                  (charts.words, gettext("Words added per student")),
                  (charts.edits, gettext("Edits per week"))]
    for n, (svg, title) in enumerate(titles, start=1):
        png = _chart_png(str(svg))
        if png is None:
            continue
        cid = f"chart{n}-{seminar.id}@wikiseminar"
        section.images.append(InlineImage(cid, png, "image/png", f"chart{n}.png"))
        section.charts.append((cid, title))
    return section


def due_digests(session: DbSession, now: dt.datetime | None = None, *,
                force: bool = False) -> list[DigestPlan]:
    """Every digest due now (instructors of active seminars who did not turn it off)."""
    now = now or utcnow()
    day = str(current_app.config.get("MAIL_DIGEST_DAY") or "monday")
    plans = []
    instructors = session.scalars(sa.select(User).where(User.is_instructor.is_(True))
                                  .order_by(User.id))
    for user in instructors:
        if not force and not _is_due(user, now, day):
            continue
        if is_opted_out(session, user.id, "weekly_digest"):
            continue
        seminars = _seminars_of(session, user)
        if not seminars:
            continue
        locale = recipient_locale(user.locale)
        plans.append(DigestPlan(user, [_section(session, user, s, now, locale)
                                       for s in seminars]))
    return plans


def _queue(session: DbSession, plan: DigestPlan, now: dt.datetime) -> int:
    """Render and queue one digest; record what it reported (same transaction)."""
    user = plan.user
    locale = recipient_locale(user.locale)
    unsubscribe = external_url("mailflows.unsubscribe",
                               token=unsubscribe_token(user, "weekly_digest"))
    links = {s.seminar.id: external_url("dashboard.dashboard", slug=s.seminar.slug)
             for s in plan.sections}
    rule_labels: dict[str, Any] = {rule_id: rule.label for rule_id, rule in RULES_BY_ID.items()}
    title, text, html = render_mail(
        "digest", locale, lambda: gettext("Your seminars this week"),
        name=user.name or user.email, sections=plan.sections, links=links,
        rule_labels=rule_labels, unsubscribe=unsubscribe,
        preferences=external_url("mailflows.notifications"))
    images = [image for s in plan.sections for image in s.images]
    outbox_id = enqueue(user.email, title, text, html, kind="weekly_digest", locale=locale,
                        headers=unsubscribe_headers(unsubscribe), images=images)
    for s in plan.sections:
        session.add(DigestRecord(user_id=user.id, seminar_id=s.seminar.id, sent_at=now,
                                 open_alerts=json.dumps(s.open_now, ensure_ascii=False),
                                 outbox_id=outbox_id))
    user.last_digest_at = now
    return outbox_id


def send_digests(session: DbSession, *, dry_run: bool = False, force: bool = False,
                 now: dt.datetime | None = None) -> list[DigestPlan]:
    """Queue every due digest (committed per instructor), or only list them with dry_run."""
    now = now or utcnow()
    plans = due_digests(session, now, force=force)
    if dry_run:
        session.rollback()
        return plans
    for plan in plans:
        _queue(session, plan, now)
        session.commit()
    return plans
