"""Restitution pages: contribution reports (HTML and PDF), the programme, and the exports.

A student may open their own report (it holds their figures, never a grade); everything
else here is for the seminar's instructors.
"""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import DocumentBuild, Participant, RenderedDocument, Role, Seminar
from ..reports.documents import (
    render_programme,
    render_reports,
    report_language,
    student_charts,
    template_helpers,
)
from ..reports.gradesheet import grades_csv, grades_xlsx
from ..reports.grading import seminar_gradebook
from ..reports.pdf import PdfUnavailable, html_to_pdf, pdf_available
from ..reports.programme import (
    build_programme,
    presenters,
    programme_csv,
    renumber,
)
from ..reports.quality import quality_by_page
from ..reports.records import seminar_record
from ..reports.student import build_reports, report_participants
from ..reports.tabular import json_bytes
from ..scope import counted
from ..services.documents import CLASS_PDF, latest_build, start_class_pdf
from .i18n import LANGUAGES
from .permissions import seminar_member, seminar_role
from .report_forms import ProgrammeSettingsForm, local_instant

bp = Blueprint("reports", __name__)

__all__ = ["bp", "download_name"]

MIMETYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",  # given as content_type: Flask would add a second charset
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def download_name(*parts: str, ext: str) -> str:
    """An ASCII file name from words (accents dropped): report-cultures-num-elodie.pdf."""
    text = "-".join(parts)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "export"
    return f"{text[:80]}.{ext}"


def _file(data: bytes | str, fmt: str, name: str, *, attachment: bool = True) -> Response:
    """A download response with the right type and file name."""
    disposition = "attachment" if attachment else "inline"
    return Response(data, content_type=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


def _pdf(html: str, name: str) -> ResponseReturnValue:
    """Render HTML to a PDF download, or explain why PDFs cannot be made here."""
    try:
        return _file(html_to_pdf(html), "pdf", name, attachment=False)
    except PdfUnavailable as exc:
        return render_template("reports/pdf_unavailable.html", detail=str(exc)), 503


def _viewer_language(seminar: Seminar) -> str:
    """Documents downloaded from the web are in the reader's language."""
    return report_language(seminar, str(get_locale() or ""))


def _reportable(seminar: Seminar, participant_id: int) -> Participant:
    """A student or auditor of this seminar whose report the signed-in user may read."""
    participant = db.session.scalar(sa.select(Participant).where(
        Participant.id == participant_id, Participant.seminar_id == seminar.id,
        counted()))
    if participant is None:
        abort(404)
    me: Participant = g.participant
    if me.role != Role.INSTRUCTOR and me.id != participant.id:
        abort(403)
    return participant


@bp.get("/<slug>/students/<int:participant_id>/report")
@seminar_member
def student_report(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """One student's contribution report, in the site's layout."""
    participant = _reportable(seminar, participant_id)
    (report,) = build_reports(db.session, seminar, [participant])
    return render_template("reports/student.html", seminar=seminar, report=report,
                           charts=student_charts(report),
                           is_instructor=g.participant.role == Role.INSTRUCTOR,
                           **template_helpers(seminar.timezone))


@bp.get("/<slug>/students/<int:participant_id>/report.pdf")
@seminar_member
def student_report_pdf(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """One student's contribution report as a PDF."""
    participant = _reportable(seminar, participant_id)
    reports = build_reports(db.session, seminar, [participant])
    html = render_reports(seminar, reports, lang=_viewer_language(seminar))
    return _pdf(html, download_name("report", seminar.slug, participant.name, ext="pdf"))


@bp.get("/<slug>/reports")
@seminar_role(Role.INSTRUCTOR)
def class_reports(seminar: Seminar) -> ResponseReturnValue:
    """Links to every report, and to the whole class in one document."""
    return render_template("reports/class.html", seminar=seminar,
                           people=report_participants(db.session, seminar),
                           build=latest_build(db.session, seminar, _viewer_language(seminar)),
                           quality=list(quality_by_page(db.session, seminar).values()),
                           **template_helpers(seminar.timezone))


@bp.get("/<slug>/reports.html")
@seminar_role(Role.INSTRUCTOR)
def class_reports_html(seminar: Seminar) -> ResponseReturnValue:
    """Every report in one printable page."""
    reports = build_reports(db.session, seminar)
    return render_reports(seminar, reports, lang=_viewer_language(seminar))


@bp.get("/<slug>/reports.pdf")
@seminar_role(Role.INSTRUCTOR)
def class_reports_pdf(seminar: Seminar) -> ResponseReturnValue:
    """Every report in one PDF: start (or join) its build and follow it on its own page."""
    if not pdf_available():
        return render_template("reports/pdf_unavailable.html", detail=""), 503
    build = start_class_pdf(current_app._get_current_object(),  # type: ignore[attr-defined]
                            db.session, seminar, _viewer_language(seminar), current_user.id)
    return redirect(url_for("reports.class_pdf_build", slug=seminar.slug, build_id=build.id))


def _build_of(seminar: Seminar, build_id: int) -> DocumentBuild:
    """A class-PDF build of this seminar, or 404."""
    build = db.session.get(DocumentBuild, build_id)
    if build is None or build.seminar_id != seminar.id or build.kind != CLASS_PDF:
        abort(404)
    return build


@bp.get("/<slug>/reports/builds/<int:build_id>")
@seminar_role(Role.INSTRUCTOR)
def class_pdf_build(seminar: Seminar, build_id: int) -> ResponseReturnValue:
    """How far the class PDF is; the page reloads itself until the file is ready."""
    build = _build_of(seminar, build_id)
    return render_template("reports/build.html", seminar=seminar, build=build,
                           **template_helpers(seminar.timezone))


@bp.get("/<slug>/reports/builds/<int:build_id>.pdf")
@seminar_role(Role.INSTRUCTOR)
def class_pdf_file(seminar: Seminar, build_id: int) -> ResponseReturnValue:
    """The finished class PDF."""
    build = _build_of(seminar, build_id)
    document = db.session.get(RenderedDocument, build.result_key) if build.result_key else None
    if build.status != "done" or document is None:
        return redirect(url_for("reports.class_pdf_build", slug=seminar.slug, build_id=build.id))
    return _file(document.content, "pdf", download_name("reports", seminar.slug, ext="pdf"),
                 attachment=False)


# -- programme ------------------------------------------------------------------------------

def _settings_form(seminar: Seminar) -> ProgrammeSettingsForm:
    """The settings form, filled from the seminar on GET."""
    form = ProgrammeSettingsForm()
    if request.method == "GET":
        if seminar.restitution_at:
            local = seminar.restitution_at.astimezone(ZoneInfo(seminar.timezone))
            form.restitution_date.data, form.restitution_time.data = local.date(), local.time()
        form.restitution_place.data = seminar.restitution_place
        form.presentation_minutes.data = seminar.presentation_minutes
        form.break_every.data = seminar.break_every
        form.break_minutes.data = seminar.break_minutes
    return form


def _programme_page(seminar: Seminar, form: ProgrammeSettingsForm,
                    order_errors: list[str] | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("reports/programme.html", seminar=seminar, form=form,
                           programme=build_programme(db.session, seminar),
                           order_errors=order_errors or [], **template_helpers(seminar.timezone)), status


@bp.get("/<slug>/programme")
@seminar_role(Role.INSTRUCTOR)
def programme(seminar: Seminar) -> ResponseReturnValue:
    """The restitution programme, its order and its settings."""
    return _programme_page(seminar, _settings_form(seminar))


@bp.post("/<slug>/programme/settings")
@seminar_role(Role.INSTRUCTOR)
def programme_settings(seminar: Seminar) -> ResponseReturnValue:
    """Save the session's start, place, and slot lengths."""
    form = _settings_form(seminar)
    if not form.validate_on_submit():
        return _programme_page(seminar, form, status=400)
    seminar.restitution_at = local_instant(form.restitution_date.data, form.restitution_time.data,
                                           seminar.timezone)
    seminar.restitution_place = (form.restitution_place.data or "").strip()
    seminar.presentation_minutes = form.presentation_minutes.data
    seminar.break_every = form.break_every.data
    seminar.break_minutes = form.break_minutes.data
    db.session.commit()
    flash(_("The programme settings were saved."), "success")
    return redirect(url_for("reports.programme", slug=seminar.slug))


@bp.post("/<slug>/programme/order")
@seminar_role(Role.INSTRUCTOR)
def programme_order(seminar: Seminar) -> ResponseReturnValue:
    """Move one student up or down, or save typed positions (ties keep the current order)."""
    people = presenters(db.session, seminar)
    move = request.form.get("move", "")
    if move:
        direction, _sep, raw_id = move.partition(":")
        index = next((i for i, p in enumerate(people) if str(p.id) == raw_id), None)
        if index is None or direction not in ("up", "down"):
            abort(400)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(people):
            people[index], people[other] = people[other], people[index]
        renumber(people)
        db.session.commit()
        return redirect(url_for("reports.programme", slug=seminar.slug))
    wanted: list[tuple[int, int, Participant]] = []
    errors = []
    for current, person in enumerate(people):
        raw = (request.form.get(f"order-{person.id}") or "").strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            errors.append(_("Give %(name)s a position of 1 or more.", name=person.name))
            continue
        wanted.append((int(raw), current, person))
    if errors:
        return _programme_page(seminar, _settings_form(seminar), errors, status=400)
    renumber([person for _n, _c, person in sorted(wanted, key=lambda w: (w[0], w[1]))])
    db.session.commit()
    flash(_("The order of the presentations was saved."), "success")
    return redirect(url_for("reports.programme", slug=seminar.slug))


@bp.get("/<slug>/programme.<any(html, pdf, csv):fmt>")
@seminar_role(Role.INSTRUCTOR)
def programme_export(seminar: Seminar, fmt: str) -> ResponseReturnValue:
    """The programme as a printable page, a PDF, or a CSV file."""
    built = build_programme(db.session, seminar)
    name = download_name("programme", seminar.slug, ext=fmt)
    if fmt == "csv":
        return _file(programme_csv(built, report_language(seminar, _export_locale())), "csv", name)
    html = render_programme(seminar, built, lang=_viewer_language(seminar))
    if fmt == "html":
        return html
    return _pdf(html, name)


# -- exports --------------------------------------------------------------------------------

@bp.get("/<slug>/export/grades.<any(csv, xlsx):fmt>")
@seminar_role(Role.INSTRUCTOR)
def export_grades(seminar: Seminar, fmt: str) -> ResponseReturnValue:
    """The grade spreadsheet: one row per student, every metric, score and grade."""
    book = seminar_gradebook(db.session, seminar)
    data = (grades_csv if fmt == "csv" else grades_xlsx)(book, _export_locale())
    return _file(data, fmt, download_name("grades", seminar.slug, ext=fmt))


def _export_locale() -> str | None:
    """?locale=en|fr asks for a CSV or XLSX in that language; default: the seminar's."""
    wanted = request.args.get("locale", "")
    return wanted if wanted in LANGUAGES else None


@bp.get("/<slug>/export/seminar.json")
@seminar_role(Role.INSTRUCTOR)
def export_seminar(seminar: Seminar) -> ResponseReturnValue:
    """Everything about the seminar as JSON, for the records."""
    return _file(json_bytes(seminar_record(db.session, seminar)), "json",
                 download_name("seminar", seminar.slug, ext="json"))
