"""The seminar calendar: sessions for members, editing for instructors, an .ics subscription."""

from __future__ import annotations

import datetime as dt
import hmac
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...models import Role, Seminar, SeminarSession, SessionKind
from ...models._types import utcnow
from ...services.calendar import open_to, render_ics, seminar_events, split_upcoming
from ...services.enrolment import renew_calendar_token
from ...services.registrations import fill_places, registration_counts
from ..permissions import current_participant, seminar_member, seminar_role
from . import bp
from .common import session_or_404
from .forms import SESSION_KIND_LABELS, SessionForm


def feed_url(seminar: Seminar) -> str:
    """The subscription address; made on first use so every member sees the same one."""
    if not seminar.calendar_token:
        renew_calendar_token(seminar)
        db.session.commit()
    return url_for("seminars.calendar_ics", slug=seminar.slug, token=seminar.calendar_token,
                   _external=True)


@bp.get("/<slug>/calendar")
@seminar_member
def calendar(seminar: Seminar) -> ResponseReturnValue:
    """Upcoming sessions first; auditors see which ones are open to them."""
    upcoming, past = split_upcoming(seminar.sessions, dt.date.today())
    counts = registration_counts(db.session, seminar) \
        if g.participant.role == Role.INSTRUCTOR else {}
    return render_template(
        "seminars/calendar.html", seminar=seminar, upcoming=upcoming, past=past,
        role=g.participant.role, open_to=open_to, kind_labels=SESSION_KIND_LABELS,
        feed=feed_url(seminar), counts=counts)


@bp.route("/<slug>/calendar/new", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def session_new(seminar: Seminar) -> ResponseReturnValue:
    """Add a session to the calendar."""
    form = SessionForm()
    if request.method == "GET" and seminar.start_date:
        form.date.data = max(seminar.start_date, dt.date.today())
    if form.validate_on_submit():
        item = SeminarSession(seminar=seminar, title="")
        _fill(item, form)
        db.session.add(item)
        db.session.commit()
        flash(_("Session added."), "success")
        return redirect(url_for("seminars.calendar", slug=seminar.slug))
    return render_template("seminars/session_form.html", seminar=seminar, form=form, item=None)


@bp.route("/<slug>/calendar/<int:session_id>/edit", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def session_edit(seminar: Seminar, session_id: int) -> ResponseReturnValue:
    """Change a session."""
    item = session_or_404(seminar, session_id)
    form = SessionForm(obj=item)
    if request.method == "GET":
        form.kind.data = item.kind.value
        if item.registration_closes_at is not None:
            local = item.registration_closes_at.astimezone(ZoneInfo(seminar.timezone))
            form.registration_closes_date.data = local.date()
            form.registration_closes_time.data = local.time()
    if form.validate_on_submit():
        _fill(item, form)
        db.session.flush()
        fill_places(db.session, item)  # more places: the waiting list moves up
        db.session.commit()
        flash(_("Session saved."), "success")
        return redirect(url_for("seminars.calendar", slug=seminar.slug))
    return render_template("seminars/session_form.html", seminar=seminar, form=form, item=item)


@bp.post("/<slug>/calendar/<int:session_id>/delete")
@seminar_role(Role.INSTRUCTOR)
def session_delete(seminar: Seminar, session_id: int) -> ResponseReturnValue:
    """Remove a session from the calendar."""
    db.session.delete(session_or_404(seminar, session_id))
    db.session.commit()
    flash(_("Session deleted."), "success")
    return redirect(url_for("seminars.calendar", slug=seminar.slug))


@bp.post("/<slug>/calendar/feed")
@seminar_role(Role.INSTRUCTOR)
def calendar_feed_renew(seminar: Seminar) -> ResponseReturnValue:
    """Replace the subscription address (after it was shared too widely)."""
    renew_calendar_token(seminar)
    db.session.commit()
    flash(_("New subscription address: the old one no longer works."), "success")
    return redirect(url_for("seminars.calendar", slug=seminar.slug))


def _fill(item: SeminarSession, form: SessionForm) -> None:
    """Copy the form into a session."""
    assert form.date.data is not None  # InputRequired, and the form validated
    item.date = form.date.data
    item.start_time, item.end_time = form.start_time.data, form.end_time.data
    item.place = (form.place.data or "").strip()
    item.kind = SessionKind(form.kind.data)
    item.title = (form.title.data or "").strip()
    item.speakers = (form.speakers.data or "").strip()
    item.description = (form.description.data or "").strip()
    item.address = (form.address.data or "").strip()
    item.places = form.places.data
    closes = None
    if form.registration_closes_date.data and form.registration_closes_time.data:
        closes = dt.datetime.combine(form.registration_closes_date.data,
                                     form.registration_closes_time.data,
                                     tzinfo=ZoneInfo(item.seminar.timezone)).astimezone(dt.UTC)
    item.registration_closes_at = closes


@bp.get("/<slug>/calendar.ics")
def calendar_ics(slug: str) -> ResponseReturnValue:
    """The calendar as iCalendar, for members signed in or for anyone with the feed's secret.

    Calendar apps send no cookie, hence the secret in the URL; the feed holds the sessions
    only (no participant's data), and an instructor can replace the secret at any time.
    """
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
    if seminar is None:
        abort(404)
    token = request.args.get("token", "")
    if token:
        if not seminar.calendar_token or not hmac.compare_digest(
                token.encode(), seminar.calendar_token.encode()):
            abort(404)
    elif not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    elif current_participant(seminar) is None:
        abort(403)
    events = seminar_events(seminar, seminar.sessions, _describe, _("Restitution session"))
    body = render_ics(events, name=seminar.title, now=utcnow())
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{seminar.slug}.ics"',
        "Cache-Control": "private, max-age=300",
    })


def _describe(item: SeminarSession) -> tuple[str, str]:
    """(category, description) of a session in the reader's language."""
    category = str(SESSION_KIND_LABELS[item.kind])
    parts = [category]
    if item.speakers:
        parts.append(_("Speakers: %(names)s", names=item.speakers))
    if item.description:
        parts.append(item.description)
    return category, "\n".join(parts)


@bp.get("/<slug>/calendar/registrations.<fmt>")
@seminar_role(Role.INSTRUCTOR)
def registrations_export(seminar: Seminar, fmt: str) -> ResponseReturnValue:
    """The venue's guest lists (all sessions with places, or ?session=ID) as CSV or PDF."""
    from ...reports.documents import report_language
    from ...reports.pdf import PdfUnavailable, html_to_pdf
    from ...reports.tabular import csv_bytes
    from ...reports.venue import VENUE_COLUMNS, render_venue_lists, venue_lists, venue_rows

    if fmt not in ("csv", "pdf"):
        abort(404)
    try:
        lists = venue_lists(db.session, seminar, request.args.get("session", type=int))
    except LookupError:
        abort(404)
    name = f"{seminar.slug}-registrations.{fmt}"
    if fmt == "csv":
        return Response(csv_bytes(VENUE_COLUMNS, venue_rows(lists)), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    try:
        data = html_to_pdf(render_venue_lists(seminar, lists, lang=report_language(seminar)))
    except PdfUnavailable as exc:
        return render_template("reports/pdf_unavailable.html", detail=str(exc)), 503
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/<slug>/calendar/<int:session_id>/attendance", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def attendance(seminar: Seminar, session_id: int) -> ResponseReturnValue:
    """Tick who came, on a phone during the session: one big checkbox per person, one button."""
    from flask_babel import ngettext
    from flask_wtf import FlaskForm

    from ...services.attendance import attendance_sheet, record_attendance

    item = session_or_404(seminar, session_id)
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        present = {key for key in request.form if key.startswith(("p-", "r-"))}
        count = record_attendance(db.session, item, present)
        db.session.commit()
        flash(ngettext("Attendance saved: %(num)d present.", "Attendance saved: %(num)d present.",
                       count), "success")
        return redirect(url_for("seminars.attendance", slug=seminar.slug, session_id=item.id))
    return render_template("seminars/attendance.html", seminar=seminar, item=item, form=form,
                           lines=attendance_sheet(db.session, item))
