"""`wikiseminar demo`: install the demonstration seminar and say how to sign in."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("demo")
@click.option("--reset", is_flag=True,
              help="Delete the demo seminar and build it again around today's date.")
@click.option("--password", default=None,
              help="Password of every demo account (default: a new random one, printed).")
@click.option("--today", default=None, hidden=True, help="Pretend today is YYYY-MM-DD (tests).")
@with_appcontext
def demo_command(reset: bool, password: str | None, today: str | None) -> None:
    """Create a demonstration seminar from bundled data (no wiki needed); safe to run twice."""
    from ..demo.install import install_demo

    if password is not None and len(password) < 10:
        raise click.ClickException("the password must have at least 10 characters")
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise click.ClickException(f"--today {today!r} is not a date of the form YYYY-MM-DD") from None
    result = install_demo(db.session, today=day, password=password, reset=reset)
    what = "created" if result.created else "already there (nothing duplicated; use --reset to rebuild it)"
    click.echo(f"Demo seminar {result.slug!r} {what}: {result.participants} participants, "
               f"{result.revisions} revisions measured.")
    click.echo(f"  dashboard:  /seminars/{result.slug}/dashboard")
    click.echo(f"  instructor: {result.instructor.email}  password: {result.instructor.password}")
    click.echo(f"  student:    {result.student.email}  password: {result.student.password}"
               f"  ({result.student.name}; every demo account has this password)")
