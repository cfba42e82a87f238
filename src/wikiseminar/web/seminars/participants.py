"""The instructor's people pages: list, roster import, removal, and permanent deletion."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...extensions import db
from ...models import Role, Seminar
from ...services.enrolment import (
    EnrolmentError,
    confirm_claim,
    delete_participant_data,
    pending_claims,
    remove_participant,
    restore_participant,
)
from ...services.roster import (
    ImportPlan,
    RosterError,
    RosterFile,
    apply_plan,
    plan_import,
    read_roster,
)
from ...services.roster_file import decode_roster
from ...wiki.errors import WikiError
from ..messages import translate
from ..permissions import seminar_role
from ..templating import ROLE_LABELS
from . import bp
from .common import participant_or_404, wiki_client
from .forms import STATUS_LABELS, DeleteParticipantForm, RosterConfirmForm, RosterForm


@bp.get("/<slug>/participants")
@seminar_role(Role.INSTRUCTOR)
def participants(seminar: Seminar) -> ResponseReturnValue:
    """Students and auditors with their account status; removed ones apart."""
    people = [p for p in seminar.participants if p.role != Role.INSTRUCTOR]
    return render_template(
        "seminars/participants.html", seminar=seminar,
        claims=pending_claims(db.session, seminar),
        active=[p for p in people if p.removed_at is None],
        removed=[p for p in people if p.removed_at is not None], status_labels=STATUS_LABELS)


@bp.route("/<slug>/participants/import", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def roster_import(seminar: Seminar) -> ResponseReturnValue:
    """Upload a roster: a preview first (nothing written), then the instructor confirms.

    The preview lists what will be added, every bad line, every conflict (with the
    before/after an explicit update would apply) and unknown accounts. Confirming sends
    the file's text back; it is read and checked again before anything is written.
    """
    form = RosterForm()
    confirm = RosterConfirmForm()
    preview = result = None
    if "content" in request.form:
        if confirm.validate_on_submit():
            result = _confirm_import(seminar, confirm)
    elif form.validate_on_submit():
        preview = _preview(seminar, form, confirm)
    return render_template("seminars/roster_import.html", seminar=seminar, form=form,
                           confirm=confirm, preview=preview, result=result)


def _checked(seminar: Seminar, data: bytes | str, update: bool,
             errors: list[str]) -> tuple[RosterFile, ImportPlan] | None:
    """Read the file and plan the import; None (with the reason in `errors`) when impossible."""
    try:
        parsed = read_roster(data)
        plan = plan_import(db.session, seminar, parsed.rows, wiki_client(seminar), update=update)
    except RosterError as exc:
        errors.append(translate(exc.args[0]))
        return None
    except WikiError:
        errors.append(_("The wiki could not be reached to check the usernames. "
                        "Nothing was imported; try again later."))
        return None
    return parsed, plan


def _preview(seminar: Seminar, form: RosterForm, confirm: RosterConfirmForm) -> dict[str, Any] | None:
    """What the import would do, for the instructor to confirm."""
    raw = form.file.data.read()
    checked = _checked(seminar, raw, False, form.file.errors)
    if checked is None:
        return None
    parsed, plan = checked
    text, _encoding = decode_roster(raw)
    confirm.content.data = text
    return {"parsed": parsed, "plan": plan,
            "bad": [(line, translate(why)) for line, why in parsed.errors],
            "conflicts": [(line, translate(why)) for line, why in plan.conflicts],
            "skipped": [(line, translate(why)) for line, why in plan.skipped]}


def _confirm_import(seminar: Seminar, confirm: RosterConfirmForm) -> dict[str, Any] | None:
    """Write the confirmed import (with the updates when the instructor chose them)."""
    update = request.form.get("action") == "update"
    checked = _checked(seminar, confirm.content.data or "", update, confirm.form_errors)
    if checked is None:
        return None
    parsed, plan = checked
    if parsed.errors:
        confirm.form_errors.append(_("The file has bad lines: fix them and upload it again."))
        return None
    outcome = apply_plan(db.session, seminar, plan)
    db.session.commit()
    return {"outcome": outcome,
            "conflicts": [(line, translate(why)) for line, why in outcome.conflicts],
            "skipped": [(line, translate(why)) for line, why in outcome.skipped]}


@bp.post("/<slug>/participants/<int:participant_id>/remove")
@seminar_role(Role.INSTRUCTOR)
def participant_remove(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """Take a participant out of the seminar; their data stays until deleted explicitly."""
    participant = participant_or_404(seminar, participant_id)
    try:
        remove_participant(db.session, participant)
    except EnrolmentError as exc:
        flash(translate(exc.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s was removed from the seminar. Their data is kept.",
                name=participant.name), "success")
    back = "seminars.instructors" if participant.role == Role.INSTRUCTOR else "seminars.participants"
    return redirect(url_for(back, slug=seminar.slug))


@bp.route("/<slug>/participants/<int:participant_id>/merge", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def participant_merge(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """Give a pending claimant the roster line they claim, after a before/after page."""
    pending = participant_or_404(seminar, participant_id)
    line = pending.claim_of
    if line is None:
        abort(404)
    error = None
    if request.method == "POST":
        name = line.name
        try:
            confirm_claim(pending, "instructor")
        except EnrolmentError as exc:
            db.session.rollback()
            error = translate(exc.message)
        else:
            db.session.commit()
            flash(_("The roster line of %(name)s is now bound to its account.", name=name), "success")
            return redirect(url_for("seminars.participants", slug=seminar.slug))
    account = pending.user.email if pending.user else ""
    proven = pending.wiki_username if pending.wiki_verified else None
    rows = [
        (_("Name"), line.name, line.name),
        (_("Email"), line.email, line.email or account),
        (_("Role"), str(ROLE_LABELS.get(line.role, line.role)), str(ROLE_LABELS.get(line.role, line.role))),
        (_("Wiki account"), line.wiki_username, proven or line.wiki_username),
        (_("Sign-in account"), "", account),
    ]
    return render_template("seminars/participant_merge.html", seminar=seminar, pending=pending,
                           line=line, rows=rows, error=error)


@bp.post("/<slug>/participants/<int:participant_id>/restore")
@seminar_role(Role.INSTRUCTOR)
def participant_restore(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """Bring a removed participant back."""
    participant = participant_or_404(seminar, participant_id)
    restore_participant(participant)
    db.session.commit()
    flash(_("%(name)s is back in the seminar.", name=participant.name), "success")
    return redirect(url_for("seminars.participants", slug=seminar.slug))


@bp.route("/<slug>/participants/<int:participant_id>/delete", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def participant_delete(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """Delete a participant's data for good, after typing their name to confirm."""
    participant = participant_or_404(seminar, participant_id)
    form = DeleteParticipantForm()
    if form.validate_on_submit():
        typed = " ".join((form.confirm_name.data or "").split()).casefold()
        if typed != " ".join(participant.name.split()).casefold():
            form.confirm_name.errors.append(_("The name does not match: nothing was deleted."))
        else:
            name = participant.name
            try:
                delete_participant_data(db.session, participant)
            except EnrolmentError as exc:
                db.session.rollback()
                form.confirm_name.errors.append(translate(exc.message))
            else:
                db.session.commit()
                flash(_("The data of %(name)s was deleted.", name=name), "success")
                return redirect(url_for("seminars.participants", slug=seminar.slug))
    return render_template("seminars/participant_delete.html", seminar=seminar,
                           participant=participant, form=form)
