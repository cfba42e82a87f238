"""`wikiseminar integrity`: the integrity findings of a seminar, as text or JSON."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..reports.integrity import findings, level
from ..services.seminars import get_seminar
from .common import fail_cleanly
from .participant import find_participant

__all__ = ["integrity_command"]


@click.command("integrity")
@click.argument("slug")
@click.option("--student", "username", metavar="WIKI_USERNAME",
              help="Only this student's findings.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects.")
@with_appcontext
def integrity_command(slug: str, username: str | None, as_json: bool) -> None:
    """Print copies of cited sources, impossible citations and AI traces found in the sync."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        person = find_participant(db.session, seminar, username=username) if username else None
        rows = findings(db.session, seminar, participant=person)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no findings")
        return
    for row in rows:
        strength = ""
        if row.confidence is not None:
            tag = level(row.confidence, current_app.config) or "below threshold"
            strength = f" {row.confidence:.2f} ({tag})"
        verdict = row.verdict or "not judged"
        click.echo(f"r{row.revid} [[{row.page}]] {row.student}: {row.kind}{strength} "
                   f"{row.source or row.detail} — {verdict}")
        click.echo(f"    {row.excerpt[:200]}")
