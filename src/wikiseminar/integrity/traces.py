"""Traces that AI chat tools leave in pasted text: evidence, never a judgement of style.

Each trace is a literal leftover that a person does not type: a tracking parameter a chat
tool adds to the links it cites, its internal citation markers, Markdown (which wikitext
does not render), or a disclaimer about a knowledge cut-off. A finding names the exact
string found. Tone and vocabulary are deliberately not looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Trace", "added_traces", "find_traces"]


@dataclass(frozen=True, slots=True)
class Trace:
    """One trace: kind (ai-trace or markdown), what it is, and the exact text found."""

    kind: str
    label: str
    found: str


# (kind, label, pattern). Labels are stable identifiers, explained in docs/integrity.md.
_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("ai-trace", "utm_source", re.compile(
        r"utm_source=(?:chatgpt\.com|chatgpt|openai|copilot\.com|perplexity(?:\.ai)?|gemini)",
        re.IGNORECASE)),
    ("ai-trace", "oaicite", re.compile(r":?contentReference\[oaicite:\d+\]\{[^}]*\}|oaicite:\d+"
                                       r"|\boaicite\b", re.IGNORECASE)),
    ("ai-trace", "contentReference", re.compile(r"\bcontentReference\b")),
    ("ai-trace", "turn0search", re.compile(r"\bturn\d+(?:search|news|view|fetch)\d+\b")),
    ("ai-trace", "citation-marker", re.compile("\ue200cite\ue202[^\ue201]*\ue201|\ue200|\ue202")),
    ("ai-trace", "knowledge-cutoff", re.compile(
        r"(?:as of my (?:last |latest )?(?:knowledge )?(?:update|cut-?off|training)"
        r"|my (?:knowledge|training data) (?:cut-?off|only goes|extends)"
        r"|as an AI (?:language )?model"
        r"|selon mes (?:dernières )?(?:connaissances|informations)(?: disponibles)?(?: à| en| jusqu)"
        r"|à la date de ma (?:dernière )?mise à jour"
        r"|en tant qu[e'’] ?(?:intelligence artificielle|IA|modèle de langage)"
        r"|ma date (?:limite|de coupure) de connaissances"
        r"|jusqu[’']à ma date de (?:coupure|mise à jour))",
        re.IGNORECASE)),
    ("markdown", "markdown-bold", re.compile(r"(?<![*\w])\*\*(?=\S)[^*\n]{1,80}(?<=\S)\*\*(?!\*)")),
    ("markdown", "markdown-heading", re.compile(r"^#{2,6} +\S[^\n]*$", re.MULTILINE)),
    ("markdown", "markdown-link", re.compile(r"(?<!\[)\[[^\[\]\n]{1,200}\]\((?:https?://|www\.)[^)\s]+\)")),
)


def find_traces(text: str) -> list[Trace]:
    """Every trace in a text (one per distinct string found), in pattern order."""
    found: list[Trace] = []
    seen: set[tuple[str, str]] = set()
    for kind, label, pattern in _PATTERNS:
        for match in pattern.finditer(text or ""):
            if label == "markdown-heading" and _in_numbered_list(text, match.start()):
                continue
            key = (label, match.group(0))
            if key not in seen:
                seen.add(key)
                found.append(Trace(kind, label, match.group(0)[:200]))
    return found


def _in_numbered_list(text: str, start: int) -> bool:
    """Whether a line starting with '##' follows a '#' line: a wikitext numbered list."""
    before = text[:start].rstrip("\n").rsplit("\n", 1)[-1]
    return before.startswith("#")


def added_traces(parent: str | None, text: str) -> list[Trace]:
    """Traces in `text` that `parent` did not already have."""
    before = {(t.label, t.found) for t in find_traces(parent or "")}
    return [t for t in find_traces(text) if (t.label, t.found) not in before]
