"""Output files of the CLI: `-o -` is standard output, `-o PATH` a regular file written atomically.

A path that is a symlink or not a regular file (a device, a FIFO, a directory) is refused, so
that even as root `-o /dev/stdout` can never replace a system link with a file of personal data.
The new file is written to a fresh, private temporary file beside it, then renamed over it.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

__all__ = ["format_option", "output_option", "pick_format", "write_output"]

STDOUT = Path("-")


def format_option(choices: Sequence[str], help_text: str = "Output format."):
    """A --format option listing its choices; validation happens in `pick_format`."""
    return click.option("--format", "fmt", metavar="|".join(choices), default=None,
                        help=f"{help_text} Default: from the -o file's extension, else {choices[0]}.")


def output_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The -o/--output option of every file-producing command (`-` = standard output)."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True,
                                                          path_type=Path),
                        default=None, help="File to write ('-' or none: standard output).")


def is_stdout(output: Path | None) -> bool:
    """Whether the output goes to standard output (no -o, or -o -)."""
    return output is None or str(output) == "-"


def pick_format(fmt: str | None, output: Path | None, choices: Sequence[str]) -> str:
    """The asked format, else the output file's extension, else the first choice."""
    if fmt is not None:
        value = fmt.strip().lower()
        if value not in choices:
            raise click.ClickException(f"unknown format {fmt!r} (use {', '.join(choices)})")
        return value
    suffix = output.suffix.lstrip(".").lower() if not is_stdout(output) else ""  # type: ignore[union-attr]
    return suffix if suffix in choices else choices[0]


def check_target(output: Path) -> None:
    """Refuse a path that exists and is not a regular file (symlink, device, FIFO, folder)."""
    try:
        info = os.lstat(output)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise click.ClickException(f"{output}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise click.ClickException(
            f"{output} is a symbolic link: refusing to replace it (use -o - for standard output)")
    if not stat.S_ISREG(info.st_mode):
        raise click.ClickException(
            f"{output} is not a regular file: refusing to replace it "
            "(use -o - for standard output)")


def write_output(data: bytes, output: Path | None) -> None:
    """Write to standard output, or to a regular file atomically (private temp file + rename)."""
    if output is None or is_stdout(output):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    check_target(output)
    folder = output.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise click.ClickException(f"{output}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        check_target(output)  # again, just before the rename (narrows the race)
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"{output}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
