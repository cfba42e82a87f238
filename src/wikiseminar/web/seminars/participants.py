"""The instructor's people pages: list, roster import, removal, and permanent deletion."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...extensions import db
from ...models import Role, Seminar
from ...services.enrolment import (
    EnrolmentError,
    delete_participant_data,
    remove_participant,
    restore_participant,
)
from ...services.roster import RosterError, import_roster, parse_roster
from ...wiki.errors import WikiError
from ..messages import translate
from ..permissions import seminar_role
from . import bp
from .common import participant_or_404, wiki_client
from .forms import STATUS_LABELS, DeleteParticipantForm, RosterForm


@bp.get("/<slug>/participants")
@seminar_role(Role.INSTRUCTOR)
def participants(seminar: Seminar) -> ResponseReturnValue:
    """Students and auditors with their account status; removed ones apart."""
    people = [p for p in seminar.participants if p.role != Role.INSTRUCTOR]
    return render_template(
        "seminars/participants.html", seminar=seminar,
        active=[p for p in people if p.removed_at is None],
        removed=[p for p in people if p.removed_at is not None], status_labels=STATUS_LABELS)


@bp.route("/<slug>/participants/import", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def roster_import(seminar: Seminar) -> ResponseReturnValue:
    """Upload the roster CSV; a report says what was added, updated, and skipped by line."""
    form = RosterForm()
    result = None
    if form.validate_on_submit():
        try:
            rows = parse_roster(form.file.data.read())
            result = import_roster(db.session, seminar, rows, wiki_client(seminar))
            db.session.commit()
        except RosterError as exc:
            db.session.rollback()
            form.file.errors.append(translate(exc.args[0]))
        except WikiError:
            db.session.rollback()
            form.file.errors.append(_("The wiki could not be reached to check the usernames. "
                                      "Nothing was imported; try again later."))
    skipped = [(line, translate(reason)) for line, reason in result.skipped] if result else []
    return render_template("seminars/roster_import.html", seminar=seminar, form=form,
                           result=result, skipped=skipped)


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
