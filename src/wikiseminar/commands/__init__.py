"""Click commands of the `wikiseminar` CLI, listed here so each is imported only when it runs.

`COMMANDS` names every top-level command, where it lives and its one-line help: the CLI shows
`--help` from this table without importing any command (nor Flask-SQLAlchemy, nor the app),
and imports a command's module only when that command is invoked. It imports nothing heavy
itself, not even click, because the console script's fast `analyze` path goes through this
package. `register_commands` also attaches them to `app.cli`, so the test runner
(`app.test_cli_runner()`) sees them too.
"""

from __future__ import annotations

import importlib

from ..record import FrozenRecord

TYPE_CHECKING = False  # no `typing` here: the fast `analyze` path imports this package
if TYPE_CHECKING:
    import click
    from flask import Flask

__all__ = ["COMMANDS", "CommandEntry", "load_command", "register_commands"]


class CommandEntry(FrozenRecord):
    """Where a command lives (module, relative to this package unless dotted) and its help."""

    __slots__ = ("module", "attribute", "short_help", "needs_app")

    module: str
    attribute: str
    short_help: str
    needs_app: bool

    def __init__(self, module: str, attribute: str, short_help: str,
                 needs_app: bool = True) -> None:
        """Store the fields (in `__slots__` order)."""
        self._fill(module, attribute, short_help, needs_app)


COMMANDS: dict[str, CommandEntry] = {
    "analyze": CommandEntry("analyze", "analyze_command",
                            "Measure every revision of an export file, offline.", False),
    "config": CommandEntry("run", "config_group", "Inspect and create the configuration."),
    "db": CommandEntry("flask_migrate.cli", "db",
                       "Database migrations (Flask-Migrate): upgrade, current, history..."),
    "demo": CommandEntry("demo", "demo_command",
                         "Create a demonstration seminar from bundled data (no wiki needed)."),
    "export": CommandEntry("export", "export_group",
                           "Export a seminar's data (revisions, grades, everything)."),
    "digest": CommandEntry("mail", "digest_command",
                           "Send each instructor's weekly digest (cron: once a week)."),
    "integrity": CommandEntry("integrity", "integrity_command",
                              "Integrity findings of a seminar: copies, citations, AI traces."),
    "mail": CommandEntry("mail", "mail_group", "The outbox: send what is due, list, retry."),
    "notify": CommandEntry("mail", "notify_command",
                           "Send the notifications that are due (after each sync)."),
    "participant": CommandEntry("participant", "participant_group",
                                "Act on one participant of a seminar."),
    "report": CommandEntry("report", "report_command",
                           "Write contribution reports as HTML or PDF."),
    "roster": CommandEntry("roster", "roster_group", "Manage a seminar's participants."),
    "routes": CommandEntry("flask.cli", "routes_command", "Show the routes of the web app."),
    "run": CommandEntry("run", "run_command", "Serve the web app with the development server."),
    "seminar": CommandEntry("seminar", "seminar_group", "Create and list seminars."),
    "session": CommandEntry("session", "session_group",
                            "Add, list and import the sessions of a seminar."),
    "shell": CommandEntry("flask.cli", "shell_command", "Run a Python shell in the app context."),
    "sync": CommandEntry("sync", "sync_command",
                         "Fetch new edits of seminars and measure them (what cron runs)."),
    "user": CommandEntry("user", "user_group", "Manage web accounts."),
    "worker": CommandEntry("queue", "worker_command", "Run queued syncs (see sync --enqueue)."),
}


def load_command(name: str) -> click.Command | None:
    """Import and return the named command (None when there is no such command)."""
    entry = COMMANDS.get(name)
    if entry is None:
        return None
    path = entry.module if "." in entry.module else f"{__name__}.{entry.module}"
    module = importlib.import_module(path)
    command = getattr(module, entry.attribute)
    import click  # only now: `analyze` reaches this package without click (see entry.py)

    assert isinstance(command, click.Command)
    return command


def register_commands(app: Flask) -> None:
    """Attach every app-bound command to app.cli."""
    for name, entry in COMMANDS.items():
        if entry.needs_app and "." not in entry.module:  # not Flask's or Flask-Migrate's
            command = load_command(name)
            assert command is not None
            app.cli.add_command(command, name)
