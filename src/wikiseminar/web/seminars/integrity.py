"""The instructor's integrity review: each finding beside its source, and the verdicts."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from ...extensions import db
from ...models import Role, Seminar, Verdict
from ...reports.integrity import findings, judge, level
from ..permissions import seminar_role
from . import bp

KIND_LABELS = {
    "copy": _l("text copied from a cited source"),
    "copy-seminar": _l("text found in another page of the seminar"),
    "copy-wiki": _l("text copied from a linked wiki article"),
    "dead-link": _l("link dead when cited"),
    "isbn": _l("ISBN with a wrong check digit"),
    "doi": _l("DOI that is malformed or does not resolve"),
    "future-date": _l("date in the future"),
    "ai-trace": _l("trace left by an AI tool"),
    "markdown": _l("Markdown syntax pasted into wikitext"),
    "ai-detector": _l("external detector score"),
}
VERDICT_LABELS = {
    Verdict.CONFIRMED: _l("confirmed"),
    Verdict.FALSE_POSITIVE: _l("false positive"),
    Verdict.DISCUSS: _l("to discuss"),
}
LEVEL_LABELS = {"suspected": _l("suspected"), "possible": _l("possible")}


class VerdictForm(FlaskForm):
    """The instructor's verdict on one finding, with a note for the student."""

    # Rendered by hand as a <select> in the template; empty means "not judged".
    verdict = StringField(_l("Verdict"), validators=[Optional(), AnyOf(Verdict.ALL)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


@bp.get("/<slug>/integrity")
@seminar_role(Role.INSTRUCTOR)
def integrity(seminar: Seminar) -> ResponseReturnValue:
    """Every finding, unjudged first, each with the passages side by side."""
    show = request.args.get("show", "open")
    rows = findings(db.session, seminar)
    if show == "open":
        rows = [r for r in rows if r.verdict != Verdict.FALSE_POSITIVE]
    rows.sort(key=lambda r: (r.verdict is not None, -(r.confidence or 0)))
    return render_template(
        "seminars/integrity.html", seminar=seminar, rows=rows, show=show,
        kind_labels=KIND_LABELS, verdict_labels=VERDICT_LABELS, level_labels=LEVEL_LABELS,
        level=lambda c: level(c, current_app.config))


@bp.post("/<slug>/integrity/<int:finding_id>")
@seminar_role(Role.INSTRUCTOR)
def integrity_verdict(seminar: Seminar, finding_id: int) -> ResponseReturnValue:
    """Record a verdict and its note (who and when are recorded with it)."""
    form = VerdictForm()
    if not form.validate_on_submit():
        flash(_("The verdict was not saved: choose a verdict and keep the note under "
                "2000 characters."), "error")
    else:
        try:
            judge(db.session, seminar, finding_id, form.verdict.data or None,
                  form.note.data or "", current_user)
        except LookupError:
            abort(404)
        flash(_("Verdict saved."), "success")
    return redirect(url_for("seminars.integrity", slug=seminar.slug) + f"#finding-{finding_id}")
