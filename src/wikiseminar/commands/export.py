"""`wikiseminar export …`: the seminar's data as files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..reports.documents import LANGUAGES, render_programme, report_language
from ..reports.gradesheet import grades_csv, grades_xlsx
from ..reports.grading import seminar_gradebook
from ..reports.pdf import PdfUnavailable, html_to_pdf
from ..reports.programme import build_programme, programme_csv
from ..reports.quality import ARTICLE_COLUMNS, article_rows
from ..reports.records import seminar_record
from ..reports.revisions import REVISION_COLUMNS, revision_rows
from ..reports.tabular import csv_bytes, json_bytes, json_default
from ..services.seminars import get_seminar
from .common import fail_cleanly
from .files import format_option, is_stdout, output_option, pick_format, write_output


@click.group("export")
def export_group() -> None:
    """Export a seminar's data (revisions, grades, everything)."""


@export_group.command("revisions")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@output_option()
@with_appcontext
def revisions_command(slug: str, fmt: str, output: Path | None) -> None:
    """One row per revision of the seminar's participants inside its dates."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        rows = revision_rows(db.session, seminar)
    if fmt == "csv":
        data = csv_bytes(REVISION_COLUMNS, rows)
    else:
        data = (json.dumps(rows, ensure_ascii=False, indent=1, default=json_default) + "\n").encode()
    write_output(data, output)
    if not is_stdout(output):
        click.echo(f"wrote {len(rows)} revisions to {output}", err=True)


@export_group.command("articles")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@with_appcontext
def articles_command(slug: str, fmt: str, output: Path | None) -> None:
    """One row per article: kind, students, wiki rating and estimate, size at start and now."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        rows = article_rows(db.session, seminar)
    if fmt == "csv":
        data = csv_bytes(ARTICLE_COLUMNS, rows)
    else:
        data = json_bytes(rows) + b"\n"
    write_output(data, output)
    if output is not None:
        click.echo(f"wrote {len(rows)} articles to {output}", err=True)


@export_group.command("grades")
@click.argument("slug")
@format_option(("csv", "xlsx"))
@output_option()
@click.option("--locale", type=click.Choice(LANGUAGES), default=None,
              help="Language of the export: fr gives French titles (and in CSV ';' and "
                   "decimal commas), en gives English titles (and in CSV ',' and points); "
                   "default: the seminar's language.")
@with_appcontext
def grades_command(slug: str, fmt: str | None, output: Path | None, locale: str | None) -> None:
    """One row per student: identity, account, topic, every metric, scores and grades."""
    fmt = pick_format(fmt, output, ("csv", "xlsx"))
    with fail_cleanly():
        book = seminar_gradebook(db.session, get_seminar(db.session, slug))
    write_output((grades_csv if fmt == "csv" else grades_xlsx)(book, locale), output)
    if not is_stdout(output):
        click.echo(f"wrote {len(book.grades)} students to {output}", err=True)


@export_group.command("seminar")
@click.argument("slug")
@output_option()
@with_appcontext
def seminar_command(slug: str, output: Path | None) -> None:
    """Everything about the seminar as JSON, for the records (contains personal data)."""
    with fail_cleanly():
        record = seminar_record(db.session, get_seminar(db.session, slug))
    write_output(json_bytes(record) + b"\n", output)
    if not is_stdout(output):
        click.echo(f"wrote {len(record['participants'])} participants and "
                   f"{len(record['revisions'])} revisions to {output}", err=True)


@export_group.command("programme")
@click.argument("slug")
@format_option(("csv", "html", "pdf"))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the HTML and PDF (default: the seminar's, else the install's).")
@output_option()
@click.option("--locale", type=click.Choice(LANGUAGES), default=None,
              help="Language of the CSV (default: --lang, else the seminar's).")
@with_appcontext
def programme_command(slug: str, fmt: str | None, lang: str | None, output: Path | None,
                      locale: str | None) -> None:
    """The restitution programme: order, time slots, topics and articles."""
    fmt = pick_format(fmt, output, ("csv", "html", "pdf"))
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        programme = build_programme(db.session, seminar)
        if fmt == "csv":
            data = programme_csv(programme, report_language(seminar, locale or lang))
        else:
            html = render_programme(seminar, programme, lang=report_language(seminar, lang))
            data = html.encode("utf-8")
    if fmt == "pdf":
        try:
            data = html_to_pdf(html)
        except PdfUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    write_output(data, output)


@export_group.command("registrations")
@click.argument("slug")
@click.option("--session", "session_id", type=int, default=None,
              help="One session's id (see: wikiseminar session list SLUG); default: all with places.")
@format_option(("csv", "pdf"))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the PDF (default: the seminar's, else the install's).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@with_appcontext
def registrations_command(slug: str, session_id: int | None, fmt: str | None, lang: str | None,
                          output: Path | None) -> None:
    """The venue's guest list: confirmed attendees by name, then the waiting list in order."""
    from ..reports.venue import VENUE_COLUMNS, render_venue_lists, venue_lists, venue_rows

    fmt = pick_format(fmt, output, ("csv", "pdf"))
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        try:
            lists = venue_lists(db.session, seminar, session_id)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        if fmt == "csv":
            data = csv_bytes(VENUE_COLUMNS, venue_rows(lists))
        else:
            html = render_venue_lists(seminar, lists, lang=report_language(seminar, lang))
    if fmt == "pdf":
        try:
            data = html_to_pdf(html)
        except PdfUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    write_output(data, output)
