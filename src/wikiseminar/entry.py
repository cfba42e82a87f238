"""The `wikiseminar` console script: plain `analyze` runs straight, everything else via click.

`wikiseminar analyze FILE [--json] [--authorship] [--integrity]` is what instructors and
scripts run over and over on exports, and importing click alone costs about as much as the
analysis of a short history. So when the arguments are exactly that (flags in any order,
one file that is not a folder, no progress bar because stderr is not a terminal), this
module calls `commands.analyze_run` directly, which prints the same bytes and the same
`Error:` line and exit status as the click command. Anything else — `--help`, a typo, a
terminal on stderr, every other command — goes to the click CLI in `wikiseminar.cli`, which
checks and reports the arguments as usual.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main", "plain_analyze_arguments"]

_FLAGS = {"--json": "as_json", "--authorship": "authorship", "--integrity": "integrity"}


def plain_analyze_arguments(args: list[str]) -> tuple[str, dict[str, bool]] | None:
    """(FILE, flags) when `args` after `analyze` need no parser; None to let click decide."""
    flags = dict.fromkeys(_FLAGS.values(), False)
    files = []
    for arg in args:
        if arg in _FLAGS:
            flags[_FLAGS[arg]] = True
        elif arg.startswith("-") or not arg:
            return None  # --help, --, an unknown option, '-': click's business
        else:
            files.append(arg)
    if len(files) != 1 or os.path.isdir(files[0]):
        return None
    return files[0], flags


def main() -> None:
    """Run `wikiseminar` with the process's arguments (the console script's entry point)."""
    args = sys.argv[1:]
    if args[:1] == ["analyze"] and not sys.stderr.isatty():
        plain = plain_analyze_arguments(args[1:])
        if plain is not None:
            from .commands.analyze_run import analyze_file

            file, flags = plain
            sys.exit(analyze_file(file, **flags))
    from .cli import main as click_main

    click_main()
