"""`wikiseminar mail send`: one pass over the outbox (cron, or after an SMTP outage)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..mail import mail_enabled
from ..mail.outbox import send_due

__all__ = ["mail_group"]


@click.group("mail")
def mail_group() -> None:
    """Outgoing mail."""


@mail_group.command("send")
@with_appcontext
def send_command() -> None:
    """Send every queued message whose next attempt is due; exit 1 if some failed for good."""
    if not mail_enabled():
        raise click.ClickException("no SMTP server configured: set [mail] host in config.toml")
    report = send_due(db.session, current_app.config)
    click.echo(report.summary())
    if report.failed:
        raise SystemExit(1)
