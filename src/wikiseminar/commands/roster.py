"""`wikiseminar roster import`: enrol students and auditors from a CSV file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.roster import RosterError, import_roster, parse_roster
from ..services.seminars import get_seminar
from .common import fail_cleanly, wiki_client

EXIT_PARTIAL = 3


@click.group("roster")
def roster_group() -> None:
    """Manage a seminar's participants."""


@roster_group.command("import")
@click.argument("slug")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_command(slug: str, csv_file: Path) -> None:
    """Import FILE.csv (name,email,wiki_username,role); unknown accounts are reported by line."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        try:
            data = csv_file.read_bytes()
        except OSError as exc:
            raise RosterError(f"{csv_file}: {exc.strerror}") from None
        try:
            rows = parse_roster(data)
        except RosterError as exc:
            raise RosterError(f"{csv_file}: {exc}") from None
        result = import_roster(db.session, seminar, rows, wiki_client(seminar.wiki.api_url))
        db.session.commit()
    for line, reason in result.skipped:
        click.echo(f"{csv_file}:{line}: skipped: {reason}", err=True)
    click.echo(f"{seminar.slug}: {result.created} added, {result.updated} updated, "
               f"{len(result.skipped)} skipped")
    if result.skipped:
        sys.exit(EXIT_PARTIAL)
