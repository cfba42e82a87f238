"""The `wikiseminar` command: a Flask CLI group; every command is documented in the README."""

from __future__ import annotations

import logging

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from . import create_app
from .commands.analyze import analyze_command


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False,
             add_version_option=False)
@click.version_option(package_name="wikiseminar")
def main() -> None:
    """Run the Wikipedia assignment of a seminar: sync edits, measure them, report and grade."""
    logging.basicConfig(level=logging.WARNING, format="wikiseminar: %(message)s")


main.add_command(shell_command)
main.add_command(routes_command)

# The offline analysis command needs no app and no database: it sits on the group itself.
main.add_command(analyze_command)
