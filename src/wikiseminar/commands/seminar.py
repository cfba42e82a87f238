"""`wikiseminar seminar …`: create and list seminars."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Participant, Seminar, User
from ..services.accounts import create_instructor, find_user, normalise_email
from ..services.seminars import (
    SeminarError,
    add_instructor,
    create_seminar,
    get_seminar,
    parse_date,
)
from ..validation import check_date_bounds
from .common import fail_cleanly, wiki_client
from .terminal import printable


def _instructor_account(email: str) -> tuple[User, str | None]:
    """The instructor account for an email, made (without a password) or promoted if need be."""
    address = normalise_email(email)
    user = find_user(db.session, address)
    if user is not None and user.is_instructor:
        return user, None
    user, created = create_instructor(db.session, address, password=None)
    db.session.flush()
    if created:
        return user, (f"created instructor account {user.email} without a password: set one with "
                      f"`wikiseminar user reset-password {user.email}`")
    return user, f"{user.email} is now an instructor account"


@click.group("seminar")
def seminar_group() -> None:
    """Create and list seminars."""


@seminar_group.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="Seminar title.")
@click.option("--wiki", "api_url", required=True, help="The wiki's api.php URL.")
@click.option("--start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--restitution", default=None, help="Restitution session, 'YYYY-MM-DD HH:MM' local time.")
@click.option("--timezone", "tz", default=None, help="Time zone of dates (default: config timezone).")
@click.option("--instructor", "instructor_emails", multiple=True, required=True, metavar="EMAIL",
              help="An instructor of the seminar (repeatable; the account is made if need be).")
@click.option("--public/--private", "public", default=False, show_default=True,
              help="Publish the programme at /programme/SLUG (never shows students).")
@with_appcontext
def create_command(slug: str, title: str, api_url: str, start: str, end: str,
                   restitution: str | None, tz: str | None, instructor_emails: tuple[str, ...],
                   public: bool) -> None:
    """Create a seminar after checking that its wiki answers; it has at least one instructor."""
    from flask import current_app

    with fail_cleanly():
        timezone = tz or current_app.config["TIMEZONE"]
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SeminarError(f"unknown time zone {timezone!r}") from None
        fields: dict[str, object] = {"timezone": timezone, "public": public}
        if restitution:
            try:
                local = dt.datetime.fromisoformat(restitution.strip())
            except ValueError:
                raise SeminarError(
                    f"restitution {restitution!r} is not of the form 'YYYY-MM-DD HH:MM'") from None
            check_date_bounds(local, "restitution")  # before any arithmetic can overflow
            fields["restitution_at"] = local.replace(tzinfo=zone).astimezone(dt.UTC)
        start_date, end_date = parse_date(start, "start"), parse_date(end, "end")
        seminar = create_seminar(
            db.session, slug=slug, title=title, api_url=api_url, start=start_date,
            end=end_date, client=wiki_client(api_url), **fields)
        notes = []
        for email in instructor_emails:
            user, note = _instructor_account(email)
            add_instructor(db.session, seminar, user)
            notes += [note] if note else []
        db.session.commit()
    for note in notes:
        click.echo(note)
    click.echo(f"created seminar {seminar.slug} on {seminar.wiki.sitename or api_url} "
               f"({seminar.start_date} to {seminar.end_date}); passcode {seminar.passcode}")


@seminar_group.command("add-instructor")
@click.argument("slug")
@click.argument("email")
@with_appcontext
def add_instructor_command(slug: str, email: str) -> None:
    """Make EMAIL an instructor of the seminar (the account is made if need be)."""
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        user, note = _instructor_account(email)
        added = add_instructor(db.session, seminar, user)
        db.session.commit()
    if note:
        click.echo(note)
    if added:
        click.echo(f"{user.email} is an instructor of {seminar.slug}")
    else:
        click.echo(f"{user.email} is already an instructor of {seminar.slug}")


@seminar_group.command("list")
@with_appcontext
def list_command() -> None:
    """List seminars with their dates, wiki, participants and last sync."""
    counts = dict(db.session.execute(
        sa.select(Participant.seminar_id, sa.func.count()).where(Participant.removed_at.is_(None))
        .group_by(Participant.seminar_id)).all())
    seminars = db.session.scalars(sa.select(Seminar).order_by(Seminar.start_date, Seminar.slug)).all()
    if not seminars:
        click.echo("no seminar yet (create one with: wikiseminar seminar create)")
        return
    for s in seminars:
        last = s.last_sync_at.strftime("%Y-%m-%d %H:%M UTC") if s.last_sync_at else "never"
        state = "active" if s.active else "inactive"
        click.echo(f"{s.slug}\t{s.start_date}..{s.end_date}\t{printable(s.wiki.api_url)}\t"
                   f"{counts.get(s.id, 0)} participants\tlast sync {last}\t{state}\t"
                   f"{printable(s.title)}")
