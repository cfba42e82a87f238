"""`wikiseminar user …`: instructor accounts and password resets, for whoever runs the server."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.accounts import (
    AccountError,
    check_password_strength,
    create_instructor,
    end_all_sessions,
    find_user,
    normalise_email,
)
from ..services.messages import N_
from .common import fail_cleanly


@click.group("user")
def user_group() -> None:
    """Manage web accounts."""


def _read_password(from_stdin: bool) -> str:
    """The new password: first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_password_strength(password)
    return password


@user_group.command("create-instructor")
@click.argument("email")
@click.option("--name", default="", help="Full name shown in the app.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_instructor_command(email: str, name: str, password_stdin: bool) -> None:
    """Create an instructor account (or make an existing account an instructor)."""
    with fail_cleanly():
        address = normalise_email(email)
        existing = find_user(db.session, address)
        password = None if existing is not None else _read_password(password_stdin)
        user, created = create_instructor(db.session, address, name=name, password=password)
        db.session.commit()
    if created:
        click.echo(f"created instructor {user.email}")
    else:
        click.echo(f"{user.email} is now an instructor (password unchanged)")


@user_group.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def reset_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password for an account (prompted twice, never printed)."""
    with fail_cleanly():
        user = find_user(db.session, email)
        if user is None:
            raise AccountError(N_("no account with the email %(email)r"), email=email.strip())
        user.set_password(_read_password(password_stdin))
        end_all_sessions(user)
        db.session.commit()
    click.echo(f"password changed for {user.email}; every session of the account ended")


@user_group.command("set-admin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Take the operator rights away instead.")
@with_appcontext
def set_admin_command(email: str, revoke: bool) -> None:
    """Let an account see every seminar's sync runs and failed jobs (/admin/sync), or not."""
    with fail_cleanly():
        user = find_user(db.session, email)
        if user is None:
            raise AccountError(N_("no account with the email %(email)r"), email=email.strip())
        user.is_admin = not revoke
        db.session.commit()
    click.echo(f"{user.email} {'is no longer' if revoke else 'is now'} an operator (admin)")
