"""The `wikiseminar` command: a click group whose commands are imported when they run.

`wikiseminar --help` lists commands from `commands.COMMANDS` without importing them, Flask or
the app; a command's module (and with it SQLAlchemy, the models, the reports) is imported only
when that command is invoked, and the app is built only by commands that need it (through
Flask's `with_appcontext`, which finds the factory in the context object set here). `analyze`
never imports Flask at all.
"""

from __future__ import annotations

from typing import Any

import click

from .commands import COMMANDS, load_command


def _create_app() -> Any:
    """Build the app on demand (imports Flask-SQLAlchemy, models and blueprints only now)."""
    from .app import create_app

    return create_app()


def _operator_error(exc: Exception) -> str | None:
    """One line for errors the operator must fix (configuration, database), else None."""
    from .config import ConfigError
    from .dbproblems import database_problem

    if isinstance(exc, ConfigError):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return database_problem(exc)


class LazyGroup(click.Group):
    """A group that lists commands from a table and imports each one on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, without importing any command module."""
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """The named command; for one that needs the app, say how to build it."""
        command = self.commands.get(name) or load_command(name)
        entry = COMMANDS.get(name)
        if command is not None and entry is not None and not entry.needs_app:
            return command
        from flask.cli import ScriptInfo

        if not isinstance(ctx.obj, ScriptInfo):
            ctx.obj = ScriptInfo(create_app=_create_app)
        if command is not None:
            return command
        # Not in the table: a command attached to app.cli elsewhere (builds the app).
        app = ctx.obj.load_app()
        ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a bad configuration or an unusable database is one line, exit 1."""
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as exc:
            message = _operator_error(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section of --help from the table's short help (nothing imported)."""
        rows = [(name, entry.short_help) for name, entry in COMMANDS.items()]
        rows += [(name, cmd.get_short_help_str(limit=formatter.width))
                 for name, cmd in self.commands.items() if name not in COMMANDS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))


@click.group(cls=LazyGroup)
@click.version_option(package_name="wikiseminar")
def main() -> None:
    """Run the Wikipedia assignment of a seminar: sync edits, measure them, report and grade."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="wikiseminar: %(message)s")
