"""`wikiseminar notify`, `wikiseminar digest` and `wikiseminar mail send`: outgoing mail."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..mail import mail_enabled
from ..mail.outbox import send_due
from ..services.seminars import get_seminar
from .common import fail_cleanly

__all__ = ["digest_command", "mail_group", "notify_command"]

NO_MAIL = "no SMTP server configured: set [mail] host (and base_url) in config.toml"


@click.group("mail")
def mail_group() -> None:
    """Outgoing mail."""


@mail_group.command("send")
@with_appcontext
def send_command() -> None:
    """Send every queued message whose next attempt is due; exit 1 if some failed for good."""
    if not mail_enabled():
        raise click.ClickException(NO_MAIL)
    report = send_due(db.session, current_app.config)
    click.echo(report.summary())
    if report.failed:
        raise SystemExit(1)


@click.command("notify")
@click.argument("slugs", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Print what would go to whom; send nothing.")
@with_appcontext
def notify_command(slugs: tuple[str, ...], dry_run: bool) -> None:
    """Mail the notifications due (run after each sync): each event once per person."""
    from ..mail.notify import notify
    from .sync import active_seminars

    if not dry_run and not mail_enabled():
        raise click.ClickException(NO_MAIL)
    with fail_cleanly():
        seminars = [get_seminar(db.session, s) for s in slugs] if slugs else active_seminars()
    plans = notify(db.session, seminars, dry_run=dry_run)
    for plan in plans:
        click.echo(("would send\t" if dry_run else "queued\t") + plan.describe())
    if not dry_run:
        report = send_due(db.session, current_app.config)
        click.echo(f"notify: {len(plans)} mail(s) queued; {report.summary()}")


@click.command("digest")
@click.option("--dry-run", is_flag=True, help="Print which digests are due; send nothing.")
@click.option("--force", is_flag=True, help="Send now even if the last digest is recent.")
@with_appcontext
def digest_command(dry_run: bool, force: bool) -> None:
    """Mail each instructor's weekly digest when due (cron: daily; sends on [mail] digest_day)."""
    from ..mail.digest import send_digests

    if not dry_run and not mail_enabled():
        raise click.ClickException(NO_MAIL)
    plans = send_digests(db.session, dry_run=dry_run, force=force)
    for plan in plans:
        click.echo(("would send\t" if dry_run else "queued\t") + plan.describe())
    if not dry_run:
        report = send_due(db.session, current_app.config)
        click.echo(f"digest: {len(plans)} digest(s) queued; {report.summary()}")
