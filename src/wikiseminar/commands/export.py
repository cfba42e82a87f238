"""`wikiseminar export …`: the seminar's data as files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..reports.revisions import REVISION_COLUMNS, revision_rows
from ..reports.tabular import csv_bytes, json_default
from ..services.seminars import get_seminar
from .common import fail_cleanly


@click.group("export")
def export_group() -> None:
    """Export a seminar's data (revisions, grades, everything)."""


def write_output(data: bytes, output: Path | None) -> None:
    """Write to a file atomically (temp file + rename), or to stdout."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    tmp = output.with_name(f".{output.name}.part")
    try:
        tmp.write_bytes(data)
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"{output}: {exc.strerror}") from None


@export_group.command("revisions")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
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
    if output is not None:
        click.echo(f"wrote {len(rows)} revisions to {output}", err=True)
