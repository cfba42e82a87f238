"""The summary of one revision's wikitext (`ParsedText`) and the limits that flag it.

`ParsedText` holds multisets the metrics subtract; `flags` says when a text was too large,
too unbalanced or too broken for the parser and was approximated instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "FLAG_PARSE_ERROR",
    "FLAG_TOO_LARGE",
    "FLAG_UNBALANCED",
    "MAX_PARSE_CHARS",
    "MAX_PARSE_COST",
    "PAGE_ABSENT",
    "ParsedText",
]

# MediaWiki refuses pages above 2 MiB; mwparserfromhell needs ~1 s per MB of real wikitext.
MAX_PARSE_CHARS = 1_000_000
# mwparserfromhell retries each unclosed {{, [[ or tag up to the end of the text (about
# 0.2 µs per character each): 399 unclosed '{{a|' before 127 KB of text take 10 s. Above
# this many (unclosed constructs × characters) we approximate instead (about 1 s at most).
MAX_PARSE_COST = 3_000_000

FLAG_TOO_LARGE = "too_large"
FLAG_UNBALANCED = "unbalanced_markup"
FLAG_PARSE_ERROR = "parse_error"

_EMPTY_COUNTS: Mapping = MappingProxyType({})


def _no_counts() -> Mapping:
    """The shared empty multiset (read-only, so sharing it is safe)."""
    return _EMPTY_COUNTS


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What one revision's wikitext contains, as multisets the metrics can subtract.

    Keys are normalised (first letter upper-case, '_' = ' ', whitespace collapsed) so that
    cosmetic rewrites of the same link/template/category compare equal.
    """

    exists: bool = True
    length: int = 0
    sha1: str = ""
    is_redirect: bool = False
    redirect_target: str | None = None
    words: Mapping[str, int] = field(default_factory=_no_counts)
    word_count: int = 0
    char_count: int = 0
    references: frozenset[str] = frozenset()
    cited_references: frozenset[str] = frozenset()
    reference_uses: int = 0
    sections: Mapping[tuple[int, str], int] = field(default_factory=_no_counts)
    wikilinks: Mapping[str, int] = field(default_factory=_no_counts)
    external_links: Mapping[str, int] = field(default_factory=_no_counts)
    files: Mapping[str, int] = field(default_factory=_no_counts)
    templates: Mapping[str, int] = field(default_factory=_no_counts)
    infoboxes: Mapping[str, int] = field(default_factory=_no_counts)
    categories: frozenset[str] = frozenset()
    flags: tuple[str, ...] = ()


# The parent of a page creation: no page at all (not the same as a blanked page).
PAGE_ABSENT = ParsedText(exists=False)

