"""Click commands of the `wikiseminar` CLI; registered on the app so test runners see them too."""

from __future__ import annotations

from flask import Flask

__all__ = ["register_commands"]


def register_commands(app: Flask) -> None:
    """Attach every app-bound command to app.cli."""
    from .demo import demo_command
    from .export import export_group
    from .integrity import integrity_command
    from .participant import participant_group
    from .queue import worker_command
    from .report import report_command
    from .roster import roster_group
    from .run import config_group, run_command
    from .seminar import seminar_group
    from .sync import sync_command
    from .user import user_group

    app.cli.add_command(user_group)
    app.cli.add_command(demo_command)
    for command in (run_command, config_group, seminar_group, roster_group, sync_command,
                    export_group, worker_command, report_command, participant_group,
                    integrity_command):
        app.cli.add_command(command)
