"""Helpers shared by the CLI commands: errors as one line, the wiki client, terminal progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import current_app

from ..extensions import db
from ..services.seminars import SeminarError
from ..sync.pipeline import client_for
from ..wiki.client import WikiClient
from ..wiki.errors import WikiError
from .terminal import printable

__all__ = ["fail_cleanly", "one_line", "terminal_progress", "wiki_client"]


def one_line(error: BaseException | str) -> str:
    """An error as one printable line: its first line, else its type's name."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def fail_cleanly() -> Iterator[None]:
    """Turn expected errors into a one-line message and exit 1, rolling back any write."""
    try:
        yield
    except (SeminarError, WikiError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(printable(one_line(exc))) from None


def wiki_client(api_url: str) -> WikiClient:
    """A client for the wiki at api_url, configured from the app config."""
    return client_for(api_url, current_app.config)


def terminal_progress() -> Callable[[str, int, int | None], None]:
    """Progress lines on stderr when it is a terminal; silence under cron."""
    if not sys.stderr.isatty():
        return lambda phase, done, total: None

    def show(phase: str, done: int, total: int | None) -> None:
        of = f"/{total}" if total else ""
        click.echo(f"\r  {phase}: {done}{of}\033[K", nl=False, err=True)

    return show
