"""Create and edit a seminar, its invitation, and its instructors."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...models import AssignmentStatus, Participant, Role, Seminar, User
from ...services.accounts import AccountError, create_instructor, find_user, setup_token
from ...services.calendar import split_upcoming
from ...services.enrolment import renew_invitation, set_auditor_link
from ...services.seminars import SeminarError, add_instructor, create_seminar, new_passcode
from ...services.wikis import WikiNotAllowed, check_wiki_allowed
from ...sync.pipeline import client_for
from ...wiki.client import split_api_url
from ...wiki.errors import WikiError
from ..messages import form_error
from ..permissions import instructor_required, seminar_role
from . import bp
from .forms import STATUS_LABELS, InstructorForm, SeminarCreateForm, SeminarEditForm


@bp.route("/new", methods=["GET", "POST"])
@instructor_required
def create() -> ResponseReturnValue:
    """A new seminar; its creator is its first instructor."""
    form = SeminarCreateForm()
    if request.method == "GET":
        form.api_url.data = current_app.config["DEFAULT_WIKI_API"]
        form.timezone.data = current_app.config["TIMEZONE"]
        form.allow_auditors.data = True
    if form.validate_on_submit():
        slug = (form.slug.data or "").strip().lower()
        api_url = (form.api_url.data or "").strip()
        if db.session.scalar(sa.select(Seminar.id).where(Seminar.slug == slug)) is not None:
            form.slug.errors.append(_("A seminar with this short name already exists."))
        else:
            try:
                split_api_url(api_url)
            except WikiError:
                form.api_url.errors.append(
                    _("Give the address of the wiki's api.php, such as %(example)s.",
                      example="https://fr.wikipedia.org/w/api.php"))
        if not form.errors:
            try:
                check_wiki_allowed(db.session, api_url, admin=current_user.is_admin)
            except WikiNotAllowed as exc:
                form_error(form, exc)
        if not form.errors:
            # InputRequired, and the form validated:
            assert form.start_date.data is not None and form.end_date.data is not None
            try:
                seminar = create_seminar(
                    db.session, slug=slug, title=form.title.data or "", api_url=api_url,
                    start=form.start_date.data, end=form.end_date.data,
                    client=client_for(api_url, current_app.config),
                    timezone=(form.timezone.data or "").strip(),
                    description=(form.description.data or "").strip(),
                    restitution_at=form.restitution_utc(),
                    restitution_place=(form.restitution_place.data or "").strip())
            except WikiError as exc:
                db.session.rollback()
                form.api_url.errors.append(
                    _("The wiki did not answer at this address (%(detail)s).", detail=exc))
            except SeminarError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                set_auditor_link(seminar, bool(form.allow_auditors.data))
                seminar.public = bool(form.public.data)
                seminar.publish_topics = bool(form.publish_topics.data)
                db.session.add(Participant(seminar=seminar, user_id=current_user.id,
                                           name=current_user.name or current_user.email,
                                           email=current_user.email, role=Role.INSTRUCTOR))
                db.session.commit()
                flash(_("Seminar created. Share the invitation link and the passcode with "
                        "your students."), "success")
                return redirect(url_for("seminars.overview", slug=seminar.slug))
    return render_template("seminars/create.html", form=form)


@bp.get("/<slug>/")
@seminar_role(Role.INSTRUCTOR)
def overview(seminar: Seminar) -> ResponseReturnValue:
    """The instructor's page: people, proposals to decide, calendar, invitation."""
    participants = [p for p in seminar.participants if p.role != Role.INSTRUCTOR]
    enrolled = [p for p in participants if p.removed_at is None]
    waiting = [p for p in enrolled if p.assignment is not None
               and p.assignment.status == AssignmentStatus.PROPOSED]
    # Pending claimants are not counted (scope.counted); the participants page lists them.
    active = [p for p in enrolled if not p.pending_claim]
    counts = {status: sum(1 for p in active if p.account_status == status)
              for status in ("verified", "unverified", "missing")}
    upcoming, _past = split_upcoming(seminar.sessions, dt.date.today())
    return render_template(
        "seminars/overview.html", seminar=seminar, participants=active, waiting=waiting,
        counts=counts, upcoming=upcoming[:5], status_labels=STATUS_LABELS,
        has_dashboard="dashboard.dashboard" in current_app.view_functions)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def edit(seminar: Seminar) -> ResponseReturnValue:
    """Change the seminar's title, dates, restitution and time zone."""
    form = SeminarEditForm(obj=seminar)
    if request.method == "GET":
        form.start_date.data, form.end_date.data = seminar.start_date, seminar.end_date
        form.allow_auditors.data = seminar.auditor_invite_token is not None
        form.public.data, form.publish_topics.data = seminar.public, seminar.publish_topics
        if seminar.restitution_at is not None:
            from zoneinfo import ZoneInfo

            local = seminar.restitution_at.astimezone(ZoneInfo(seminar.timezone))
            form.restitution_date.data, form.restitution_time.data = local.date(), local.time()
    if form.validate_on_submit():
        seminar.title = (form.title.data or "").strip()
        seminar.description = (form.description.data or "").strip()
        assert form.start_date.data is not None and form.end_date.data is not None  # InputRequired
        seminar.start_date, seminar.end_date = form.start_date.data, form.end_date.data
        seminar.timezone = (form.timezone.data or "").strip()
        seminar.restitution_at = form.restitution_utc()
        seminar.restitution_place = (form.restitution_place.data or "").strip()
        set_auditor_link(seminar, bool(form.allow_auditors.data))
        seminar.public, seminar.publish_topics = bool(form.public.data), bool(form.publish_topics.data)
        db.session.commit()
        flash(_("Seminar saved."), "success")
        return redirect(url_for("seminars.overview", slug=seminar.slug))
    return render_template("seminars/edit.html", seminar=seminar, form=form)


@bp.post("/<slug>/invitation")
@seminar_role(Role.INSTRUCTOR)
def invitation(seminar: Seminar) -> ResponseReturnValue:
    """Renew the links and passcode (after a leak), or open/close the auditors' link."""
    action = request.form.get("action", "")
    if action == "renew":
        renew_invitation(seminar, new_passcode())
        flash(_("New invitation links and passcode: the old ones no longer work."), "success")
    elif action in ("open-auditors", "close-auditors"):
        set_auditor_link(seminar, action == "open-auditors")
        flash(_("Auditors' invitation link opened.") if action == "open-auditors"
              else _("Auditors' invitation link closed."), "success")
    else:
        flash(_("Unknown action."), "error")
    db.session.commit()
    return redirect(url_for("seminars.overview", slug=seminar.slug))


@bp.route("/<slug>/instructors", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def instructors(seminar: Seminar) -> ResponseReturnValue:
    """Co-instructors: add an existing instructor account, or invite a new one."""
    form = InstructorForm()
    setup_link = None
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        user = find_user(db.session, email)
        if user is not None and not user.is_instructor:
            form.email.errors.append(_("This account is not an instructor account: the server's "
                                       "operator can make it one with `wikiseminar user "
                                       "create-instructor`."))
        else:
            try:
                if user is None:
                    user, _created = create_instructor(
                        db.session, email, name=(form.name.data or "").strip(), password=None)
                    db.session.flush()
                    token = setup_token(current_app.config["SECRET_KEY"], user)
                    if not _mail_invitation(seminar, user, token):
                        setup_link = url_for("account.setup", token=token, _external=True)
                add_instructor(db.session, seminar, user)
                db.session.commit()
            except AccountError as exc:
                db.session.rollback()
                form_error(form, exc, "email")
            else:
                flash(_("%(name)s is an instructor of this seminar.",
                        name=user.name or user.email), "success")
                if user.password_hash is None and setup_link is None:
                    flash(_("A personal link to choose a password was mailed to %(email)s.",
                            email=user.email), "info")
                if setup_link is None:
                    return redirect(url_for("seminars.instructors", slug=seminar.slug))
                form = InstructorForm(formdata=None)
    people = [p for p in seminar.participants if p.role == Role.INSTRUCTOR]
    return render_template("seminars/instructors.html", seminar=seminar, form=form,
                           people=people, setup_link=setup_link)


def _mail_invitation(seminar: Seminar, user: User, token: str) -> bool:
    """Mail the invited co-instructor their setup link; False when the server sends no mail."""
    from ...mail import mail_enabled
    from ...mail.compose import external_url, recipient_locale, send_templated

    if not mail_enabled():
        return False
    send_templated(user.email, "invite", subject=lambda: _("You are invited to teach %(title)s",
                                                           title=seminar.title),
                   kind="invite", locale=recipient_locale(user.locale),
                   name=user.name or user.email, inviter=current_user.name or current_user.email,
                   seminar_title=seminar.title, url=external_url("account.setup", token=token))
    return True
