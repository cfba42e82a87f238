"""`wikiseminar session …`: the seminar's calendar from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.seminars import get_seminar
from ..services.sessions import SessionInputError, parse_session, read_sessions_csv
from .common import fail_cleanly


@click.group("session")
def session_group() -> None:
    """Add, list and import the sessions of a seminar."""


@session_group.command("add")
@click.argument("slug")
@click.option("--date", "day", required=True, help="YYYY-MM-DD")
@click.option("--start", default="", help="HH:MM, the seminar's time zone.")
@click.option("--end", default="", help="HH:MM, the seminar's time zone.")
@click.option("--kind", required=True, type=click.Choice(["thematic", "in_depth", "restitution"]))
@click.option("--title", required=True)
@click.option("--place", default="", help="Venue name.")
@click.option("--address", default="", help="Venue address (shown on the public page).")
@click.option("--speakers", default="", help="Guests and speakers.")
@click.option("--places", default="", help="Places open to registration (omit: no registration).")
@click.option("--description", default="")
@with_appcontext
def add_command(slug: str, day: str, start: str, end: str, kind: str, title: str, place: str,
                address: str, speakers: str, places: str, description: str) -> None:
    """Add one session to the seminar's calendar."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        try:
            item = parse_session({"date": day, "start": start, "end": end, "kind": kind,
                                  "title": title, "place": place, "address": address,
                                  "speakers": speakers, "places": places,
                                  "description": description})
        except SessionInputError as exc:
            raise click.ClickException(str(exc)) from None
        seminar.sessions.append(item)
        db.session.commit()
    click.echo(f"added session {item.id}: {item.date} {item.title}")


@session_group.command("list")
@click.argument("slug")
@with_appcontext
def list_command(slug: str) -> None:
    """The seminar's sessions with their ids (for --session of the exports)."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
    if not seminar.sessions:
        click.echo(f"no session yet (add one with: wikiseminar session add {slug} ...)")
        return
    for s in seminar.sessions:
        hours = f"{s.start_time:%H:%M}" if s.start_time else "--:--"
        if s.end_time:
            hours += f"-{s.end_time:%H:%M}"
        places = f"{s.places} places" if s.places is not None else "no registration"
        click.echo(f"{s.id}\t{s.date}\t{hours}\t{s.kind.value}\t{places}\t{s.place}\t{s.title}")


@session_group.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(slug: str, file: Path) -> None:
    """Add a term's sessions from a CSV file (date,start,end,kind,title,place,address,speakers,
    places,description); a bad line stops the import and nothing is added."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        try:
            added = read_sessions_csv(db.session, seminar, file.read_bytes())
        except SessionInputError as exc:
            db.session.rollback()
            raise click.ClickException(f"{file}: {exc}; nothing imported") from None
        except OSError as exc:
            raise click.ClickException(f"{file}: {exc.strerror}") from None
        db.session.commit()
    click.echo(f"imported {len(added)} sessions into {seminar.slug}")
