"""The work of `wikiseminar analyze FILE`, without click: metrics, authorship, integrity.

Imported by the click command (`commands/analyze.py`) and, for plain arguments, straight from
the console script (`wikiseminar.entry`), so a whole `analyze` process starts without click or
anything of the web app. Output goes through a `write` function; a progress bar, when the
caller gives one, is any object with `update(n)`. With --json the metrics document is spooled
(memory, then a temporary file) and printed only once complete, so a truncated input never
leaves half a JSON document on stdout. Titles and usernames are printed with control
characters escaped (see `terminal.printable`).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..wiki.types import Revision
from ..wiki.xmlexport import HistoryFile, open_history
from .terminal import printable, safe_json_text

if TYPE_CHECKING:
    from ..analysis.metrics import RevisionMetrics

__all__ = ["Write", "analyze_file", "run_analyze", "stdout_write"]

Write = Callable[[str], object]

_HIDDEN_USER = "(hidden)"


# Above this size the spooled JSON document moves from memory to a temporary file.
_SPOOL_BYTES = 8 * 1024 * 1024


def _editor(rev: Revision) -> str:
    """The name a revision is credited to (the IP for logged-out edits)."""
    if rev.userhidden or rev.user is None:
        return _HIDDEN_USER
    return rev.user


def _record(rev: Revision, m: RevisionMetrics) -> dict[str, Any]:
    """One revision's JSON object: who, when, where, then every metric."""
    out: dict[str, Any] = {
        "revid": rev.revid,
        "page_id": rev.pageid,
        "title": rev.title,
        "user": _editor(rev),
        "timestamp": rev.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    metrics = m.to_dict()
    metrics.pop("revid")
    out.update(metrics)
    return out


@dataclass
class _Totals:
    """Per-editor sums; `kept` counts only revisions nobody reverted."""

    revisions: int = 0
    words_added: int = 0
    words_removed: int = 0
    words_kept: int = 0
    references_added: int = 0
    cited_references_added: int = 0
    sections_added: int = 0
    wikilinks_added: int = 0
    files_added: int = 0
    pages_created: int = 0
    reverts: int = 0
    reverted: int = 0

    def add(self, m: RevisionMetrics) -> None:
        """Fold one revision in."""
        self.revisions += 1
        self.words_added += m.words_added
        self.words_removed += m.words_removed
        if not m.reverted:
            self.words_kept += m.words_added
        self.references_added += m.references_added
        self.cited_references_added += m.cited_references_added
        self.sections_added += m.sections_added
        self.wikilinks_added += m.wikilinks_added
        self.files_added += m.files_added
        self.pages_created += m.created
        self.reverts += m.is_revert
        self.reverted += m.reverted


_ROW = "{:>11} {:<20} {:<22} {:>7} {:>7} {:>5} {:>5} {:>4} {:>5} {:>4} {:>4} {:>5} {:>4}  {}"
_HEAD = _ROW.format("revid", "timestamp", "user", "words+", "words-", "refs+", "refs-",
                    "sec+", "link+", "ext+", "file+", "tmpl+", "cat+", "notes")
_EDITOR_ROW = "{:<28} {:>5} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>8}"
_EDITOR_HEAD = _EDITOR_ROW.format("editor", "revs", "words+", "words-", "kept+", "refs+",
                                  "cited+", "sec+", "link+", "file+", "reverts", "reverted")


def _notes(m: RevisionMetrics) -> str:
    """Short words for the boolean facts and flags of a revision."""
    notes = []
    if m.created:
        notes.append("created")
    if m.redirect_created:
        notes.append("redirect")
    if m.is_move:
        notes.append("move/null")
    if m.is_revert:
        notes.append("revert" + (f" of {','.join(map(str, m.reverts))}" if m.reverts else ""))
    if m.reverted:
        notes.append(f"reverted by {m.reverted_by}" if m.reverted_by else "reverted")
    notes.extend(m.flags)
    return ", ".join(notes)


def _cut(text: str, width: int) -> str:
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


def _json(value: Any, **options: Any) -> str:
    """JSON text with every control character escaped (safe to print on a terminal)."""
    return safe_json_text(json.dumps(value, ensure_ascii=False, **options))


def _run_metrics(history: HistoryFile, as_json: bool, bar: Any, write: Write) -> None:
    """Print every revision's metrics then per-editor totals (or a JSON list)."""
    if not as_json:
        _metrics(history, False, bar, write)
        return
    import tempfile  # here: --authorship and tables never spool (tempfile costs 10 ms to import)

    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+",
                                       encoding="utf-8") as spool:
        _metrics(history, True, bar, spool.write)
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            write(chunk)


def _metrics(history: HistoryFile, as_json: bool, bar: Any, write: Write) -> None:
    """Write every revision's metrics then per-editor totals (or a JSON list) with `write`."""
    # Imported here: --authorship needs neither the wikitext parser nor the metrics.
    from ..analysis.history import iter_analysed

    totals: dict[str, _Totals] = {}
    first = True
    title: str | None = None
    if as_json:
        write("[")
    for rev, m in iter_analysed(_tracked(history, bar), history.siteinfo):
        if as_json:
            write(("\n" if first else ",\n") + _json(_record(rev, m)))
        else:
            if rev.title != title:
                title = rev.title
                heading = printable(title or history.name)
                write(f"{'' if first else chr(10)}== {heading} ==\n{_HEAD}\n")
            write(_ROW.format(
                rev.revid, rev.timestamp.strftime("%Y-%m-%d %H:%M:%S"), _cut(_editor(rev), 22),
                m.words_added, m.words_removed, m.references_added, m.references_removed,
                m.sections_added, m.wikilinks_added, m.external_links_added, m.files_added,
                m.templates_added, m.categories_added, _notes(m)).rstrip() + "\n")
            totals.setdefault(_editor(rev), _Totals()).add(m)
        first = False
    if as_json:
        write("\n]\n" if not first else "]\n")
        return
    if first:
        write("No revisions.\n")
        return
    write("\nPer editor (kept+ = words added in revisions nobody reverted)\n")
    write(_EDITOR_HEAD + "\n")
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1].words_kept, kv[0]))
    for name, t in ranked:
        write(_EDITOR_ROW.format(
            _cut(name, 28), t.revisions, t.words_added, t.words_removed, t.words_kept,
            t.references_added, t.cited_references_added, t.sections_added,
            t.wikilinks_added, t.files_added, t.reverts, t.reverted) + "\n")


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
        write(_json(payload, indent=1) + "\n")
        return
    for index, (title, summary) in enumerate(results):
        if index:
            write("\n")
        write(f"== {printable(title or history.name)} == revision {summary['revision']}, "
              f"{summary['tokens']} tokens\n")
        write(f"{'editor':<32} {'tokens':>8} {'share':>8}\n")
        for name, figures in summary["editors"].items():
            write(f"{_cut(name, 32):<32} {figures['tokens']:>8} {figures['share']:>8.1%}\n")
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
        _run_metrics(history, as_json, bar, write)


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
