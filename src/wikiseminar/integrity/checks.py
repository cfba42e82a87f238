"""One revision's findings from its text, its parent's and the texts it is compared with.

Pure: texts and prepared sources in, findings out. The sync (`sync/integrity.py`) feeds it
stored texts and fetched sources; `wikiseminar analyze --integrity` feeds it an export.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .citations import check_citations, extract_urls
from .compare import SourceIndex, best_match
from .text import words
from .traces import added_traces

__all__ = ["Finding", "cited_urls", "copy_findings", "offline_findings", "units"]

LONG_PASSAGE_WORDS = 80
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check found in one revision."""

    kind: str
    source: str = ""
    passage: str = ""
    source_passage: str = ""
    confidence: float | None = None
    detail: str = ""
    source_title: str = ""


def offline_findings(parent: str | None, text: str, when: dt.datetime) -> list[Finding]:
    """Traces of AI tools and citations that cannot exist, added by the revision."""
    found = [Finding(kind=t.kind, passage=_context(text, t.found), detail=f"{t.label}: {t.found}")
             for t in added_traces(parent, text)]
    found += [Finding(kind=p.kind, passage=p.value, detail=f"{p.value}: {p.reason}")
              for p in check_citations(parent, text, when)]
    return found


def _context(text: str, found: str, width: int = 120) -> str:
    """The trace with a little text around it, on one line."""
    at = text.find(found)
    if at < 0:
        return found
    piece = text[max(0, at - width):at + len(found) + width]
    return " ".join(piece.split())


def units(passages: Sequence[str]) -> list[str]:
    """What is compared: each passage, or windows of three sentences of a long one.

    A copied paragraph inside a long passage of the student's own text would be diluted;
    windows keep it visible without comparing single sentences (too short to prove copying).
    """
    out: list[str] = []
    for passage in passages:
        if len(words(passage)) <= LONG_PASSAGE_WORDS:
            out.append(passage)
            continue
        sentences = [s for s in _SENTENCE_END_RE.split(passage) if s.strip()]
        if len(sentences) <= 3:
            out.append(passage)
            continue
        out.extend(" ".join(sentences[i:i + 3]) for i in range(len(sentences) - 2))
    return out


def copy_findings(passages: Sequence[str], sources: Mapping[str, SourceIndex], *,
                  threshold: float, kind: str = "copy",
                  titles: Mapping[str, str] | None = None) -> list[Finding]:
    """Passages whose best-matching source reaches `threshold`, one finding per passage."""
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for unit in units(passages):
        best = best_match(unit, dict(sources))
        if best is None or best[1].confidence < threshold:
            continue
        name, match = best
        if (name, match.source_passage) in seen:
            continue  # overlapping windows matching the same place: one finding
        seen.add((name, match.source_passage))
        found.append(Finding(kind=kind, source=name, passage=unit,
                             source_passage=match.source_passage,
                             confidence=match.confidence,
                             source_title=(titles or {}).get(name, "")))
    return found


def cited_urls(parent: str | None, text: str, passages: Sequence[str]) -> list[str]:
    """URLs the revision added, then URLs cited in the wikitext paragraphs holding its passages."""
    before = set(extract_urls(parent or ""))
    urls = [u for u in extract_urls(text) if u not in before]
    heads = [words(p)[:8] for p in passages]
    for line in text.split("\n"):
        line_words = words(line)
        if not line_words:
            continue
        joined = " " + " ".join(line_words) + " "
        if any(head and (" " + " ".join(head) + " ") in joined for head in heads):
            urls += [u for u in extract_urls(line) if u not in urls]
    return urls
