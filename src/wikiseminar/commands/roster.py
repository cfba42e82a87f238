"""`wikiseminar roster import`: enrol students and auditors from a CSV file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.roster import RosterError, apply_plan, parse_roster, plan_import
from ..services.seminars import get_seminar
from .common import fail_cleanly, wiki_client

EXIT_PARTIAL = 3


@click.group("roster")
def roster_group() -> None:
    """Manage a seminar's participants."""


@roster_group.command("import")
@click.argument("slug")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--update", is_flag=True,
              help="Also change existing participants whose line differs (shown before/after).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@with_appcontext
def import_command(slug: str, csv_file: Path, update: bool, dry_run: bool) -> None:
    """Import FILE.csv (name,email,wiki_username,role; French titles and `;` work too).

    Unknown accounts are skipped and lines that would change an existing person are
    conflicts, both reported by line (exit code 3); --update applies those changes.
    """
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
        plan = plan_import(db.session, seminar, rows, wiki_client(seminar.wiki.api_url),
                           update=update)
        result = apply_plan(db.session, seminar, plan)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    for planned in result.changes:
        click.echo(f"{csv_file}: line {planned.row.line}: "
                   + "; ".join(f"{c.before or '-'} → {c.after or '-'}" for c in planned.changes))
    problems = sorted([(line, "conflict", why) for line, why in result.conflicts]
                      + [(line, "skipped", why) for line, why in result.skipped])
    for line, kind, reason in problems:
        click.echo(f"{csv_file}:{line}: {kind}: {reason}", err=True)
    prefix = "(dry run, nothing written) " if dry_run else ""
    click.echo(f"{prefix}{seminar.slug}: {result.created} added, {result.updated} updated, "
               f"{result.unchanged} unchanged, {len(result.conflicts)} conflicts, "
               f"{len(result.skipped)} skipped")
    if problems:
        sys.exit(EXIT_PARTIAL)
