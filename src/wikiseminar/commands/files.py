"""Output formats of the file-producing commands: checked by hand so a bad one is one line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

__all__ = ["format_option", "pick_format"]


def format_option(choices: Sequence[str], help_text: str = "Output format."):  # type: ignore[no-untyped-def]
    """A --format option listing its choices; validation happens in `pick_format`."""
    return click.option("--format", "fmt", metavar="|".join(choices), default=None,
                        help=f"{help_text} Default: from the -o file's extension, else {choices[0]}.")


def pick_format(fmt: str | None, output: Path | None, choices: Sequence[str]) -> str:
    """The asked format, else the output file's extension, else the first choice."""
    if fmt is not None:
        value = fmt.strip().lower()
        if value not in choices:
            raise click.ClickException(f"unknown format {fmt!r} (use {', '.join(choices)})")
        return value
    suffix = output.suffix.lstrip(".").lower() if output is not None else ""
    return suffix if suffix in choices else choices[0]
