"""The student's (or auditor's) own space: calendar, wiki account linking, topic and articles.

Nothing here reads another participant's row: every view works on `g.participant`.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...extensions import db
from ...mail import mail_enabled
from ...models import ArticleKind, Participant, Role, Seminar, Topic
from ...reports.integrity import confirmed_findings
from ...services import verification
from ...services.calendar import open_to, split_upcoming
from ...services.linking import (
    CODE_TTL,
    LinkError,
    check_onwiki_link,
    code_expired,
    edit_url,
    link_page_title,
    start_onwiki_link,
)
from ...services.topics import (
    EDITABLE,
    MAX_ARTICLES,
    ArticleRequest,
    TopicError,
    check_articles,
    save_proposal,
)
from ...wiki.errors import WikiError
from ..inputs import bounded_int_arg
from ..messages import form_error, translate
from ..permissions import seminar_role
from ..wikimedia import oauth_available, start_oauth
from . import bp
from .common import wiki_client
from .forms import (
    ARTICLE_KIND_LABELS,
    SESSION_KIND_LABELS,
    STATUS_LABELS,
    LinkStartForm,
    ProposalForm,
    choices,
)

member_roles = (Role.STUDENT, Role.AUDITOR)


@bp.get("/<slug>/me")
@seminar_role(Role.STUDENT, Role.AUDITOR, Role.INSTRUCTOR)
def me(seminar: Seminar) -> ResponseReturnValue:
    """The participant's page: what to do next, their sessions, account, topic and articles."""
    participant: Participant = g.participant
    if participant.role == Role.INSTRUCTOR:
        return redirect(url_for("seminars.overview", slug=seminar.slug))
    upcoming, past = split_upcoming(seminar.sessions, dt.date.today())
    return render_template(
        "seminars/me.html", seminar=seminar, me=participant, upcoming=upcoming, past=past,
        claim_by_mail=_claim_confirmable_by_mail(participant),
        confirmed=confirmed_findings(db.session, seminar, participant),
        open_to=open_to, kind_labels=SESSION_KIND_LABELS, status_labels=STATUS_LABELS,
        article_labels=ARTICLE_KIND_LABELS, siteinfo=seminar.wiki.siteinfo,
        editable=EDITABLE)


def _claim_confirmable_by_mail(participant: Participant) -> bool:
    """Whether confirming the account's address would bind this pending claim (mail is on)."""
    user = participant.user
    if not participant.pending_claim or user is None or user.email_verified_at is not None:
        return False
    return mail_enabled() and participant in verification.pending_for(db.session, user)


def _account_page(seminar: Seminar, form: LinkStartForm, status: int = 200) -> ResponseReturnValue:
    participant: Participant = g.participant
    siteinfo = seminar.wiki.siteinfo
    pending = participant.link_code and not code_expired(participant)
    page = link_page_title(siteinfo, participant.link_username or "") if pending else None
    return render_template(
        "seminars/account.html", seminar=seminar, me=participant, form=form,
        pending=pending, page=page, siteinfo=siteinfo,
        edit_link=edit_url(siteinfo, page, participant.link_code or "") if page else None,
        page_link=siteinfo.page_url(page) if page else None,
        ttl_hours=int(CODE_TTL.total_seconds() // 3600),
        oauth=oauth_available(seminar)), status


@bp.route("/<slug>/me/account", methods=["GET", "POST"])
@seminar_role(*member_roles)
def account(seminar: Seminar) -> ResponseReturnValue:
    """Link the wiki account: type the username, get a one-time code to save on the wiki."""
    participant: Participant = g.participant
    form = LinkStartForm()
    if request.method == "GET" and participant.wiki_username:
        form.username.data = participant.wiki_username
    if form.validate_on_submit():
        try:
            start_onwiki_link(db.session, participant, form.username.data or "",
                              wiki_client(seminar))
        except LinkError as exc:
            db.session.rollback()
            form_error(form, exc, "username")
        except WikiError:
            db.session.rollback()
            form.username.errors.append(_("The wiki could not be reached. Try again later."))
        else:
            db.session.commit()
            return redirect(url_for("seminars.account", slug=seminar.slug))
    return _account_page(seminar, form)


@bp.post("/<slug>/me/account/check")
@seminar_role(*member_roles)
def account_check(seminar: Seminar) -> ResponseReturnValue:
    """Look for the code on the wiki page and, if the account saved it, verify the account."""
    participant: Participant = g.participant
    try:
        check_onwiki_link(db.session, participant, wiki_client(seminar))
    except LinkError as exc:
        db.session.commit()  # an expired code is cleared
        flash(translate(exc.message), "error")
        return redirect(url_for("seminars.account", slug=seminar.slug))
    except WikiError:
        db.session.rollback()
        flash(_("The wiki could not be reached. Try again later."), "error")
        return redirect(url_for("seminars.account", slug=seminar.slug))
    name = participant.wiki_username  # a pending claimant may have become its roster line
    db.session.commit()
    flash(_("Your account %(name)s is verified.", name=name), "success")
    return redirect(url_for("seminars.me", slug=seminar.slug))


@bp.post("/<slug>/me/account/wikimedia")
@seminar_role(*member_roles)
def account_wikimedia(seminar: Seminar) -> ResponseReturnValue:
    """Link the account by signing in with Wikimedia (where it is configured)."""
    if not oauth_available(seminar):
        flash(_("Signing in with Wikimedia is not available for this seminar."), "error")
        return redirect(url_for("seminars.account", slug=seminar.slug))
    return start_oauth({"purpose": "link", "participant_id": g.participant.id})


@bp.route("/<slug>/me/topic", methods=["GET", "POST"])
@seminar_role(*member_roles)
def proposal(seminar: Seminar) -> ResponseReturnValue:
    """Propose a topic and its articles (new, or from the catalogue), or revise the proposal."""
    participant: Participant = g.participant
    assignment = participant.assignment
    catalogue = [t for t in seminar.topics if t.in_catalogue]
    if assignment is not None and assignment.status not in EDITABLE:
        flash(_("Your topic is approved: ask the instructor if it must change."), "info")
        return redirect(url_for("seminars.me", slug=seminar.slug))
    form = ProposalForm()
    form.topic.choices = choices([(0, _("My own topic (describe it below)"))] + [
        (t.id, t.title) for t in catalogue])
    if request.method == "GET":
        _prefill(form, participant, catalogue)
    if form.validate_on_submit():
        saved = _save(seminar, participant, form, catalogue)
        if saved:
            return redirect(url_for("seminars.me", slug=seminar.slug))
    return render_template("seminars/proposal.html", seminar=seminar, me=participant,
                           form=form, catalogue=catalogue, assignment=assignment,
                           status_labels=STATUS_LABELS, siteinfo=seminar.wiki.siteinfo,
                           max_articles=MAX_ARTICLES)


def _prefill(form: ProposalForm, participant: Participant, catalogue: list[Topic]) -> None:
    """The current proposal, or the catalogue topic the student clicked (?topic=ID)."""
    assignment = participant.assignment
    rows: list[tuple[str, str, str]] = []
    chosen = bounded_int_arg("topic")
    topic = next((t for t in catalogue if t.id == chosen), None)
    if topic is not None:
        form.topic.data = topic.id
        rows = [(title, ArticleKind.IMPROVE.value, "") for title in topic.suggested_list]
    elif assignment is not None:
        current = assignment.topic
        if current is not None and current.in_catalogue:
            form.topic.data = current.id
        elif current is not None:
            form.new_title.data, form.new_description.data = current.title, current.description
        form.note.data = assignment.student_note
        rows = [(a.title, a.kind.value, a.sandbox_title or "") for a in assignment.articles]
    for entry, (title, kind, sandbox) in zip(form.articles.entries, rows, strict=False):
        entry.form.title.data, entry.form.kind.data, entry.form.sandbox.data = title, kind, sandbox


def _save(seminar: Seminar, participant: Participant, form: ProposalForm,
          catalogue: list[Topic]) -> bool:
    """Check the articles with the wiki; store the proposal when all is well."""
    topic = next((t for t in catalogue if t.id == form.topic.data), None)
    if form.topic.data and topic is None:
        form.topic.errors.append(_("This topic is no longer in the catalogue."))
        return False
    requests: list[ArticleRequest] = []
    rows = []
    for entry in form.articles.entries:
        title = (entry.form.title.data or "").strip()
        sandbox = (entry.form.sandbox.data or "").strip()
        if not title:
            if sandbox:
                entry.form.title.errors = [_("Give the article's title for this draft.")]
                return False
            continue
        requests.append(ArticleRequest(title=title, kind=ArticleKind(entry.form.kind.data),
                                       sandbox=sandbox))
        rows.append(entry)
    if not requests:
        form.form_errors.append(_("Give at least one article to create or improve."))
        return False
    if topic is None and not (form.new_title.data or "").strip():
        form.new_title.errors = [_("Give your topic a title, or choose one from the catalogue.")]
        return False
    wiki = seminar.wiki
    try:
        checks = check_articles(wiki_client(seminar), wiki.siteinfo, requests,
                                participant.wiki_username, wiki.sitename or wiki.api_url)
    except WikiError:
        form.form_errors.append(_("The wiki could not be reached to check the titles. "
                                  "Nothing was saved; try again later."))
        return False
    failed = False
    for entry, check in zip(rows, checks, strict=True):
        for name, message in check.errors.items():
            getattr(entry.form, name).errors = [translate(message)]
            failed = True
    if failed:
        return False
    try:
        save_proposal(db.session, participant, topic=topic, new_title=form.new_title.data or "",
                      new_description=form.new_description.data or "",
                      note=form.note.data or "", checks=checks)
    except TopicError as exc:
        db.session.rollback()
        form_error(form, exc)
        return False
    db.session.commit()
    for check in checks:
        for warning in check.warnings:
            flash(translate(warning), "warning")
    flash(_("Your proposal was sent to the instructor."), "success")
    return True
