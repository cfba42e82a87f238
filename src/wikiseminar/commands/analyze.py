"""`wikiseminar analyze FILE`: the metrics of every revision of an export, offline.

Needs no app and no database: instructors run it on a Special:Export XML file (plain, .gz,
.bz2, .xz/.lzma) or a `prop=revisions` JSON file when a wiki gives no API access. Streams in
bounded memory; a progress bar goes to stderr only when stderr is a terminal. The work itself
is in `analyze_run` (no click), which the console script calls directly for plain arguments
(`wikiseminar.entry`); this is the click face: options, --help, the progress bar, errors.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..wiki.errors import ExportFormatError
from ..wiki.xmlexport import open_history
from .analyze_run import run_analyze
from .terminal import printable

if TYPE_CHECKING:
    from ..wiki.xmlexport import HistoryFile

__all__ = ["analyze_command"]


def _progress(history: HistoryFile) -> Any:
    """A byte-based progress bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty() or not history.total_bytes:
        return None
    return click.progressbar(length=history.total_bytes, label="Analysing", file=sys.stderr)


def _echo(text: str) -> None:
    """Print through click (so CliRunner captures it) without adding a newline."""
    click.echo(text, nl=False)


@click.command("analyze")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--authorship", is_flag=True,
              help="Print who wrote the last revision (token shares per editor) instead.")
@click.option("--integrity", is_flag=True,
              help="Print the offline integrity findings instead (AI traces, Markdown, "
                   "ISBN/DOI syntax, future dates).")
def analyze_command(file: str, as_json: bool, authorship: bool, integrity: bool) -> None:
    """Measure every revision of FILE (Special:Export XML, or prop=revisions JSON).

    Prints each revision's words/references/sections/links/files/templates/categories added
    and removed, creations, moves and reverts, then per-editor totals. FILE may be
    compressed (.gz, .bz2, .xz, .lzma: detected from its content).
    """
    bar = None
    try:
        with open_history(file) as history:
            bar = _progress(history)
            run_analyze(history, as_json=as_json, authorship=authorship, integrity=integrity,
                        bar=bar, write=_echo)
    except ExportFormatError as exc:
        raise click.ClickException(printable(str(exc).splitlines()[0])) from None
    finally:
        if bar is not None:
            bar.render_finish()
