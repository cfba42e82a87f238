"""`wikiseminar report`: contribution reports as HTML or PDF, one student or the whole class."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..reports.documents import LANGUAGES, render_reports, report_language
from ..reports.pdf import PdfUnavailable, html_to_pdf
from ..reports.student import build_reports
from ..scope import SYNCED_ROLES
from ..services.documents import class_pdf
from ..services.seminars import SeminarError, get_seminar
from .common import fail_cleanly
from .files import format_option, is_stdout, output_option, pick_format, write_output
from .participant import find_participant

__all__ = ["report_command"]


@click.command("report")
@click.argument("slug")
@click.option("--student", "username", metavar="WIKI_USERNAME",
              help="Only this student's report (default: the whole class in one document).")
@format_option(("pdf", "html"))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the report (default: the seminar's, else the install's).")
@output_option()
@with_appcontext
def report_command(slug: str, username: str | None, fmt: str | None, lang: str | None,
                   output: Path | None) -> None:
    """Write contribution reports: figures, articles, activity chart and quoted additions."""
    fmt = pick_format(fmt, output, ("pdf", "html"))
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        people = [find_participant(db.session, seminar, username=username)] if username else None
        if people and people[0].role not in SYNCED_ROLES:
            raise SeminarError(f"{people[0].name} is an instructor: reports are for students and auditors")
        reports = build_reports(db.session, seminar, people)
        language = report_language(seminar, lang)
        html = render_reports(seminar, reports, lang=language) if people or fmt == "html" else ""
    try:
        if fmt == "html":
            data = html.encode("utf-8")
        elif people:
            data = html_to_pdf(html)
        else:  # the whole class: parts rendered in parallel, unchanged ones reused
            data = class_pdf(db.session, seminar, language, current_app.config, reports=reports)
            db.session.commit()
    except PdfUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    write_output(data, output)
    if not is_stdout(output):
        click.echo(f"wrote {len(reports)} report{'s' if len(reports) != 1 else ''} to {output}", err=True)
