"""The work of `wikiseminar analyze FILE`, without click: metrics, authorship, integrity.

The metrics tables live in `analyze_metrics`, the integrity findings in `analyze_integrity`;
each is imported only by the run that prints it.

Imported by the click command (`commands/analyze.py`) and, for plain arguments, straight from
the console script (`wikiseminar.entry`), so a whole `analyze` process starts without click or
anything of the web app. Output goes through a `write` function; a progress bar, when the
caller gives one, is any object with `update(n)`. Titles and usernames are printed with
control characters escaped (see `terminal.printable`).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterator

from ..wiki.types import Revision
from ..wiki.xmlexport import open_history
from .terminal import printable, safe_json_text

TYPE_CHECKING = False  # no `typing` at run time: this module is the fast `analyze` path
if TYPE_CHECKING:
    from typing import Any

    from ..wiki.xmlexport import HistoryFile

__all__ = ["Write", "analyze_file", "cut_cell", "editor_name", "json_text", "run_analyze",
           "stdout_write"]

Write = Callable[[str], object]
"""Where output goes: `sys.stdout.write` here, `click.echo` under the click command."""

_HIDDEN_USER = "(hidden)"


def editor_name(rev: Revision) -> str:
    """The name a revision is credited to (the IP for logged-out edits)."""
    if rev.userhidden or rev.user is None:
        return _HIDDEN_USER
    return rev.user


def cut_cell(text: str, width: int) -> str:
    """Shorten a cell so the table stays aligned (control characters escaped first)."""
    text = printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _tracked(history: HistoryFile, bar: Any) -> Iterator[Revision]:
    """The file's revisions, advancing the progress bar as compressed bytes are read."""
    done = 0
    for rev in history:
        if bar is not None:
            now = history.bytes_read
            bar.update(now - done)
            done = now
        yield rev


def stdout_write(text: str) -> None:
    """Print without adding a newline (output is streamed, never held)."""
    sys.stdout.write(text)


def json_text(value: Any, **options: Any) -> str:
    """JSON text with every control character escaped (safe to print on a terminal)."""
    return safe_json_text(json.dumps(value, ensure_ascii=False, **options))


def _run_authorship(history: HistoryFile, as_json: bool, bar: Any, write: Write) -> None:
    """Print who wrote the last revision of each page (WikiWho-style token shares)."""
    from ..analysis.authorship import authorship_summary

    results: list[tuple[str, dict[str, Any]]] = []
    pages = itertools.groupby(_tracked(history, bar), key=lambda r: (r.pageid, r.title))
    for (_, title), revisions in pages:
        results.append((title, authorship_summary(revisions)))
    if as_json:
        # One page (the usual case): the summary itself; several: a list of them.
        payload: Any = results[0][1] if len(results) == 1 else [r for _, r in results]
        if not results:
            payload = []
        write(json_text(payload, indent=1) + "\n")
        return
    for index, (title, summary) in enumerate(results):
        if index:
            write("\n")
        write(f"== {printable(title or history.name)} == revision {summary['revision']}, "
              f"{summary['tokens']} tokens\n")
        write(f"{'editor':<32} {'tokens':>8} {'share':>8}\n")
        for name, figures in summary["editors"].items():
            write(f"{cut_cell(name, 32):<32} {figures['tokens']:>8} {figures['share']:>8.1%}\n")
    if not results:
        write("No revisions.\n")


def run_analyze(history: HistoryFile, *, as_json: bool, authorship: bool, integrity: bool,
                bar: Any = None, write: Write = stdout_write) -> None:
    """Print what `analyze` prints for an opened history file (ExportFormatError on bad input)."""
    if integrity:
        from .analyze_integrity import run_integrity

        run_integrity(_tracked(history, bar), as_json, write)
    elif authorship:
        _run_authorship(history, as_json, bar, write)
    else:
        from .analyze_metrics import run_metrics  # its tables and spool: not for --authorship

        run_metrics(history, as_json, _tracked(history, bar), write)


def analyze_file(file: str, *, as_json: bool = False, authorship: bool = False,
                 integrity: bool = False) -> int:
    """The console script's `analyze` without click: 0, or 1 after one `Error:` line."""
    from ..wiki.errors import ExportFormatError

    try:
        with open_history(file) as history:
            run_analyze(history, as_json=as_json, authorship=authorship, integrity=integrity)
    except ExportFormatError as exc:
        sys.stdout.flush()
        sys.stderr.write(f"Error: {printable(str(exc).splitlines()[0])}\n")
        return 1
    sys.stdout.flush()
    return 0
