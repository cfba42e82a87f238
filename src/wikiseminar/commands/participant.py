"""`wikiseminar participant forget`: delete a participant's personal data on request."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..dbsession import DbSession
from ..extensions import db
from ..models import Participant, Seminar
from ..services.enrolment import delete_participant_data
from ..services.seminars import SeminarError, get_seminar
from .common import fail_cleanly
from .terminal import printable

__all__ = ["find_participant", "participant_group"]


def _wiki_name(name: str) -> str:
    """A username as MediaWiki stores it: '_' = ' ', trimmed, first letter upper-case."""
    name = " ".join(name.replace("_", " ").split())
    return name[:1].upper() + name[1:]


def find_participant(session: DbSession, seminar: Seminar, *, username: str | None = None,
                     email: str | None = None) -> Participant:
    """The seminar's participant with this wiki username or email, or a SeminarError."""
    rows = session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id).order_by(Participant.id)).all()
    if username:
        wanted = _wiki_name(username)
        found = [p for p in rows if p.wiki_username and _wiki_name(p.wiki_username) == wanted]
        what = f"wiki username {username!r}"
    elif email:
        found = [p for p in rows if p.email and p.email.strip().lower() == email.strip().lower()]
        what = f"email {email!r}"
    else:
        raise SeminarError("name the participant with --student WIKI_USERNAME or --email EMAIL")
    if not found:
        raise SeminarError(f"no participant with {what} in seminar {seminar.slug!r}")
    return found[0]


@click.group("participant")
def participant_group() -> None:
    """Act on one participant of a seminar."""


@participant_group.command("forget")
@click.argument("slug")
@click.option("--student", "username", metavar="WIKI_USERNAME", help="The participant's wiki username.")
@click.option("--email", metavar="EMAIL", help="The participant's email address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def forget_command(slug: str, username: str | None, email: str | None, yes: bool) -> None:
    """Delete a participant's personal data for good (see docs/privacy.md for what goes)."""
    if username and email:
        raise click.ClickException("give --student or --email, not both")
    with fail_cleanly():
        seminar = get_seminar(db.session, slug)
        participant = find_participant(db.session, seminar, username=username, email=email)
        name = participant.name
        if not yes and not click.confirm(
                f"Delete every personal data of {name} in {seminar.slug}? This cannot be undone",
                err=True):
            raise click.ClickException("nothing deleted")
        delete_participant_data(db.session, participant)  # EnrolmentError is a ValueError
        db.session.commit()
    click.echo(f"{seminar.slug}: the data of {printable(name)} was deleted")
