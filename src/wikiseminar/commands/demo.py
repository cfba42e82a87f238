"""`wikiseminar demo`: install the demonstration seminar and say how to sign in."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..validation import DateOutOfRange, check_date_bounds

# Where the demo password is remembered (owner-only) so a second run prints the same one.
DEMO_PASSWORD_FILE = "demo-password.txt"


@click.command("demo")
@click.option("--reset", is_flag=True,
              help="Delete the demo seminar and build it again around today's date "
                   "(with a new password unless --password is given).")
@click.option("--password", default=None,
              help="Password of every demo account (default: the one printed last time, "
                   "or a new random one).")
@click.option("--today", default=None, hidden=True, help="Pretend today is YYYY-MM-DD (tests).")
@with_appcontext
def demo_command(reset: bool, password: str | None, today: str | None) -> None:
    """Create a demonstration seminar from bundled data (no wiki needed); safe to run twice."""
    from pathlib import Path

    from flask import current_app

    from ..demo.install import install_demo

    if password is not None and len(password) < 10:
        raise click.ClickException("the password must have at least 10 characters")
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise click.ClickException(f"--today {today!r} is not a date of the form YYYY-MM-DD") from None
    try:
        day = check_date_bounds(day, "--today") if day else None
    except DateOutOfRange as exc:
        raise click.ClickException(str(exc)) from None
    result = install_demo(db.session, today=day, password=password, reset=reset,
                          password_file=Path(current_app.instance_path) / DEMO_PASSWORD_FILE)
    what = "created" if result.created else "already there (nothing duplicated; use --reset to rebuild it)"
    click.echo(f"Demo seminar {result.slug!r} {what}: {result.participants} participants, "
               f"{result.revisions} revisions measured.")
    click.echo(f"  dashboard:  /seminars/{result.slug}/dashboard")
    click.echo(f"  instructor: {result.instructor.email}  password: {result.instructor.password}")
    click.echo(f"  student:    {result.student.email}  password: {result.student.password}"
               f"  ({result.student.name}; every demo account has this password)")
    if not result.password_changed:
        click.echo("  (password unchanged; --password P or --reset sets a new one)")
