"""`analyze` without --authorship or --integrity: each revision's metrics, then per editor.

Tables for a terminal, or one JSON list spooled (memory, then a temporary file) and printed
only once the whole file was read, so a truncated input never leaves half a JSON document.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..wiki.types import Revision
from .analyze_run import Write, cut_cell, editor_name, json_text
from .terminal import printable

if TYPE_CHECKING:
    from ..analysis.metrics import RevisionMetrics
    from ..wiki.xmlexport import HistoryFile

__all__ = ["run_metrics"]

# Above this size the spooled JSON document moves from memory to a temporary file.
_SPOOL_BYTES = 8 * 1024 * 1024


def _record(rev: Revision, m: RevisionMetrics) -> dict[str, Any]:
    """One revision's JSON object: who, when, where, then every metric."""
    out: dict[str, Any] = {
        "revid": rev.revid,
        "page_id": rev.pageid,
        "title": rev.title,
        "user": editor_name(rev),
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


def run_metrics(history: HistoryFile, as_json: bool, revisions: Iterator[Revision],
                write: Write) -> None:
    """Print every revision's metrics then per-editor totals (or a JSON list)."""
    if not as_json:
        _metrics(history, False, revisions, write)
        return
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+",
                                       encoding="utf-8") as spool:
        _metrics(history, True, revisions, spool.write)
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            write(chunk)


def _metrics(history: HistoryFile, as_json: bool, revisions: Iterator[Revision],
             write: Write) -> None:
    """Write every revision's metrics then per-editor totals (or a JSON list) with `write`."""
    # Imported here: --authorship needs neither the wikitext parser nor the metrics.
    from ..analysis.history import iter_analysed

    totals: dict[str, _Totals] = {}
    first = True
    title: str | None = None
    if as_json:
        write("[")
    for rev, m in iter_analysed(revisions, history.siteinfo):
        if as_json:
            write(("\n" if first else ",\n") + json_text(_record(rev, m)))
        else:
            if rev.title != title:
                title = rev.title
                heading = printable(title or history.name)
                write(f"{'' if first else chr(10)}== {heading} ==\n{_HEAD}\n")
            write(_ROW.format(
                rev.revid, rev.timestamp.strftime("%Y-%m-%d %H:%M:%S"), cut_cell(editor_name(rev), 22),
                m.words_added, m.words_removed, m.references_added, m.references_removed,
                m.sections_added, m.wikilinks_added, m.external_links_added, m.files_added,
                m.templates_added, m.categories_added, _notes(m)).rstrip() + "\n")
            totals.setdefault(editor_name(rev), _Totals()).add(m)
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
            cut_cell(name, 28), t.revisions, t.words_added, t.words_removed, t.words_kept,
            t.references_added, t.cited_references_added, t.sections_added,
            t.wikilinks_added, t.files_added, t.reverts, t.reverted) + "\n")
