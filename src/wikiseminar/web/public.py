"""The public programme (/programme/<slug>): sessions, .ics, ready-to-paste text, registrations.

Nothing here needs a sign-in, so nothing here reads participants: the pages are built from
the seminar, its sessions and (if the instructor publishes them) its catalogue topics only.
A seminar that is not public answers 404 on every route, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..extensions import db
from ..models import LoginAttempt, Registration, RegistrationState, Seminar, SeminarSession, Topic
from ..models._types import utcnow
from ..services import registrations as regs
from ..services.calendar import render_ics, seminar_events

bp = Blueprint("public", __name__)

__all__ = ["bp"]

KIND_LABELS = {
    "thematic": _l("Thematic session: enrolled students first, auditors within the places available"),
    "in_depth": _l("In-depth session: open to all"),
    "restitution": _l("Restitution session"),
}
STATE_LABELS = {
    RegistrationState.UNCONFIRMED: _l("waiting for the confirmation of your address"),
    RegistrationState.CONFIRMED: _l("your place is confirmed"),
    RegistrationState.WAITING: _l("you are on the waiting list"),
    RegistrationState.CANCELLED: _l("cancelled"),
}


class RegistrationForm(FlaskForm):
    """Name, email and optional affiliation: all a venue's guest list needs."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    affiliation = StringField(_l("Affiliation (optional)"), validators=[Optional(), Length(max=300)])


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""


def public_seminar_or_404(slug: str) -> Seminar:
    """The seminar if it exists and is public; 404 otherwise (private looks like missing)."""
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
    if seminar is None or not seminar.public:
        abort(404)
    return seminar


def _session_or_404(seminar: Seminar, session_id: int) -> SeminarSession:
    item = db.session.get(SeminarSession, session_id)
    if item is None or item.seminar_id != seminar.id:
        abort(404)
    return item


def _topics(seminar: Seminar) -> list[str]:
    """Catalogue topic titles when the instructor publishes them (never who took them)."""
    if not seminar.publish_topics:
        return []
    return list(db.session.scalars(sa.select(Topic.title).where(
        Topic.seminar_id == seminar.id, Topic.in_catalogue.is_(True),
        Topic.proposed_by_id.is_(None)).order_by(Topic.title)))


def _restitution_apart(seminar: Seminar) -> bool:
    """Whether the restitution is shown from the seminar's settings (no session stands for it)."""
    return seminar.restitution_at is not None and not any(
        s.kind == "restitution" for s in seminar.sessions)


def _context(seminar: Seminar) -> dict[str, object]:
    now = utcnow()
    rows = []
    for item in seminar.sessions:
        rows.append({
            "item": item,
            "open": regs.registration_open(item, now),
            "left": regs.places_left(db.session, item) if item.places else 0,
            "closes": regs.closes_at(item),
        })
    return {"seminar": seminar, "rows": rows, "topics": _topics(seminar),
            "kind_labels": KIND_LABELS, "restitution_apart": _restitution_apart(seminar)}


@bp.get("/programme/<slug>")
def programme(slug: str) -> ResponseReturnValue:
    """The seminar's public programme, with a registration form on sessions open to it."""
    seminar = public_seminar_or_404(slug)
    return render_template("public/programme.html", form=RegistrationForm(),
                           mail=regs.mail_enabled(), **_context(seminar))


@bp.get("/programme/<slug>.ics")
def programme_ics(slug: str) -> ResponseReturnValue:
    """The public sessions as an iCalendar feed anyone may subscribe to."""
    seminar = public_seminar_or_404(slug)
    events = seminar_events(seminar, seminar.sessions, _describe, _("Restitution session"))
    body = render_ics(events, name=seminar.title, now=utcnow())
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{seminar.slug}.ics"',
        "Cache-Control": "public, max-age=300",
    })


def _describe(item: SeminarSession) -> tuple[str, str]:
    """(category, description) of a session for the public feed."""
    category = str(KIND_LABELS[item.kind.value])
    parts = [category]
    if item.address:
        parts.append(item.address)
    if item.speakers:
        parts.append(_("Guests: %(names)s", names=item.speakers))
    if item.description:
        parts.append(item.description)
    return category, "\n".join(parts)


@bp.get("/programme/<slug>/text")
def programme_text(slug: str) -> ResponseReturnValue:
    """The programme as ready-to-paste HTML and Markdown, for a blog or a mailing list."""
    seminar = public_seminar_or_404(slug)
    context = _context(seminar)
    page_url = url_for("public.programme", slug=seminar.slug, _external=True)
    html = render_template("public/programme_snippet.html", page_url=page_url, **context)
    markdown = render_template("public/programme.md", page_url=page_url, **context)
    if request.args.get("format") == "md":
        return Response(markdown, mimetype="text/markdown")
    if request.args.get("format") == "html":
        return Response(html, mimetype="text/plain")
    return render_template("public/text.html", seminar=seminar, html=html, markdown=markdown)


def _throttled() -> bool:
    """True when this client address made too many registration requests in the window."""
    key = f"registration:ip:{request.remote_addr or '?'}"
    window = dt.timedelta(seconds=current_app.config["PUBLIC_REGISTRATION_WINDOW_SECONDS"])
    now = utcnow()
    recent = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.key == key, LoginAttempt.at >= now - window)) or 0
    if recent >= current_app.config["PUBLIC_REGISTRATION_ATTEMPTS"]:
        return True
    db.session.add(LoginAttempt(key=key, at=now, success=True))
    db.session.commit()
    return False


@bp.post("/programme/<slug>/sessions/<int:session_id>/register")
def register(slug: str, session_id: int) -> ResponseReturnValue:
    """Ask for a place; the answer never tells whether the address was already registered."""
    seminar = public_seminar_or_404(slug)
    item = _session_or_404(seminar, session_id)
    form = RegistrationForm()
    if not form.validate_on_submit():
        return render_template("public/programme.html", form=form, form_session=item.id,
                               mail=regs.mail_enabled(), **_context(seminar)), 400
    if _throttled():
        return render_template("public/message.html", seminar=seminar, title=_("Too many requests"),
                               text=_("Too many registrations from your connection. Try again later.")), 429
    with_mail = regs.mail_enabled()
    try:
        outcome = regs.register(
            db.session, item.id, name=form.name.data or "", email=form.email.data or "",
            affiliation=form.affiliation.data or "", locale=str(get_locale() or "fr"),
            with_mail=with_mail)
    except regs.RegistrationError:
        return render_template("public/message.html", seminar=seminar,
                               title=_("Registration is closed"),
                               text=_("Registration for this session is closed.")), 409
    if with_mail:
        _send_links(seminar, outcome.registration, new=outcome.new)
        db.session.commit()  # the outbox sends on commit
        return render_template("public/message.html", seminar=seminar, title=_("Check your mailbox"),
                               text=_("We sent a message to the address you gave. Your registration "
                                      "counts once you open the confirmation link it contains; "
                                      "the message also has the link to cancel."))
    return redirect(url_for("public.registration", slug=seminar.slug,
                            token=outcome.registration.token), code=303)


def _send_links(seminar: Seminar, reg: Registration, *, new: bool) -> None:
    """Mail the confirmation (new request) or a reminder of the links (known address)."""
    from .. import mail
    from ..mail.compose import external_url

    link = external_url("public.registration", slug=seminar.slug, token=reg.token)
    title = reg.session.title
    if new:
        subject = _("Confirm your registration: %(title)s", title=title)
        text = _("To confirm your registration for “%(title)s” (%(seminar)s), open this link; "
                 "the same page lets you cancel:\n%(link)s", title=title, seminar=seminar.title,
                 link=link)
    else:
        subject = _("Your registration: %(title)s", title=title)
        text = _("This address is already registered for “%(title)s” (%(seminar)s). To see, "
                 "confirm or cancel the registration, open:\n%(link)s", title=title,
                 seminar=seminar.title, link=link)
    mail.enqueue(reg.email, subject, text, kind="registration", locale=reg.locale)


def _registration_or_404(seminar: Seminar, token: str) -> Registration:
    reg = db.session.scalar(sa.select(Registration).where(Registration.token == token)) \
        if 0 < len(token) <= 64 else None
    if reg is None or reg.session.seminar_id != seminar.id:
        abort(404)
    return reg


@bp.get("/programme/<slug>/r/<token>")
def registration(slug: str, token: str) -> ResponseReturnValue:
    """One registration, seen through its secret link: its state, confirm and cancel buttons."""
    seminar = public_seminar_or_404(slug)
    reg = _registration_or_404(seminar, token)
    return render_template("public/registration.html", seminar=seminar, reg=reg,
                           form=ActionForm(), state_labels=STATE_LABELS,
                           kind_labels=KIND_LABELS), 200, {"Cache-Control": "no-store",
                                                           "Referrer-Policy": "no-referrer"}


@bp.post("/programme/<slug>/r/<token>/confirm")
def registration_confirm(slug: str, token: str) -> ResponseReturnValue:
    """Confirm the address (the link came by mail): a place, or the waiting list."""
    seminar = public_seminar_or_404(slug)
    _registration_or_404(seminar, token)
    if ActionForm().validate_on_submit():
        regs.confirm(db.session, token)
    return redirect(url_for("public.registration", slug=slug, token=token), code=303)


@bp.post("/programme/<slug>/r/<token>/cancel")
def registration_cancel(slug: str, token: str) -> ResponseReturnValue:
    """Give the place back; the first person waiting takes it."""
    seminar = public_seminar_or_404(slug)
    _registration_or_404(seminar, token)
    if ActionForm().validate_on_submit():
        _, promoted = regs.cancel(db.session, token)
        if promoted and regs.mail_enabled():
            _tell_promoted(seminar, promoted)
            db.session.commit()  # the outbox sends on commit
    return redirect(url_for("public.registration", slug=slug, token=token), code=303)


def _tell_promoted(seminar: Seminar, promoted: list[Registration]) -> None:
    """Mail the people who moved up from the waiting list."""
    from .. import mail
    from ..mail.compose import external_url

    for reg in promoted:
        link = external_url("public.registration", slug=seminar.slug, token=reg.token)
        with force_locale(reg.locale):  # their language, not the canceller's
            subject = _("A place is free: %(title)s", title=reg.session.title)
            text = _("A place became free and it is yours. To cancel:\n%(link)s", link=link)
        mail.enqueue(reg.email, subject, text, kind="registration", locale=reg.locale)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


@bp.app_template_filter("md")
def markdown_text(value: object) -> str:
    """Plain text made safe inside Markdown: markup characters escaped, newlines kept."""
    return str(value).translate(_MD_SPECIAL)
