"""Parse one revision's wikitext once into a compact, immutable `ParsedText` summary.

Everything the metrics compare is collected in a single walk over the mwparserfromhell tree:
prose words, references, sections, links, files, templates, categories, redirect target.
Long texts are cut where no construct is open and the previous text's pieces are reused, so
along a history only the paragraphs an edit touched are parsed again (see `_scan`). Text the
parser cannot handle in reasonable time (too large, too many unclosed constructs) or that
makes it fail is summarised by a cheap, linear regex approximation instead, and `flags` says
so. Nothing here raises on junk input.

Each idea has its own module: `parsed_text` (the summary), `wikitext_markup` (the vocabulary),
`wikitext_pieces` (cutting long texts), `wikitext_walk` (the tree walk) and `wikitext_approx`
(the approximation); this module ties them together and keeps the public names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from types import MappingProxyType

from ..wiki.sha1 import sha1_base36
from ..wiki.types import SiteInfo
from .parsed_text import (
    FLAG_PARSE_ERROR,
    FLAG_TOO_LARGE,
    FLAG_UNBALANCED,
    MAX_PARSE_CHARS,
    MAX_PARSE_COST,
    PAGE_ABSENT,
    ParsedText,
)
from .wikitext_approx import _Approximation
from .wikitext_markup import (
    _INLINE_PROSE_TEMPLATES,
    _REDIRECT_RE,
    _SPACES_RE,
    CITATION_TEMPLATES,
    _Acc,
    _clean_prose,
    _norm_title,
)
from .wikitext_pieces import _pieces, _scan
from .wikitext_walk import TreeWalk
from .words import tokenize

__all__ = [
    "CITATION_TEMPLATES",
    "FLAG_PARSE_ERROR",
    "FLAG_TOO_LARGE",
    "FLAG_UNBALANCED",
    "MAX_PARSE_CHARS",
    "MAX_PARSE_COST",
    "PAGE_ABSENT",
    "ParsedText",
    "WikitextParser",
    "parse_wikitext",
]


class WikitextParser(TreeWalk):
    """Summarise wikitext for one wiki: knows its File/Category/Template namespace names."""

    def __init__(self, site: SiteInfo | None = None, *, max_chars: int = MAX_PARSE_CHARS,
                 max_parse_cost: int = MAX_PARSE_COST, reuse_sections: bool = True,
                 citation_templates: Iterable[str] = ()) -> None:
        site = site or SiteInfo()
        self.site = site
        self.reuse_sections = reuse_sections
        # Summaries of the previous text's pieces (one text's worth: bounded memory).
        self._pieces: dict[str, tuple[str, _Acc]] = {}
        self.max_chars = max_chars
        self.max_parse_cost = max_parse_cost
        self._lang = (site.lang or "en").split("-")[0].lower()
        # English canonical names work on every wiki; local names come from siteinfo.
        prefixes: dict[str, int] = {
            "file": 6, "image": 6, "media": -2, "category": 14, "template": 10,
        }
        for ns_id, ns in site.namespaces.items():
            for name in ns.all_names():
                if name:
                    prefixes[name.replace("_", " ").casefold()] = ns_id
        self._prefixes = prefixes
        # Extra names (e.g. redirects read from the wiki) add to the built-in list.
        extra = {_SPACES_RE.sub(" ", n.replace("_", " ")).strip().casefold()
                 for n in citation_templates}
        self._citations = (CITATION_TEMPLATES - {"citation"} if self._lang == "fr"
                           else CITATION_TEMPLATES) | extra
        self._inline = dict(_INLINE_PROSE_TEMPLATES)
        if self._lang != "fr":
            del self._inline["citation"]
        names = "|".join(re.escape(n) for n in sorted(prefixes, key=len, reverse=True))
        self._fallback_link_ns = re.compile(rf"\s*:?\s*({names})\s*:", re.IGNORECASE)

    # -- public -----------------------------------------------------------------------------

    def parse(self, text: str | None) -> ParsedText:
        """Summarise one revision's wikitext; never raises (flags say what was approximated)."""
        if text is None:
            return PAGE_ABSENT
        try:
            sha1 = sha1_base36(text)
        except Exception:  # pragma: no cover - sha1 of any str works with surrogatepass
            sha1 = ""
        body, is_redirect, target = self._split_redirect(text)
        flags: tuple[str, ...] = ()
        cuts: list[int] = [0]
        if len(text) > self.max_chars:
            flags = (FLAG_TOO_LARGE,)
        else:
            cuts, cost = _scan(body)
            if cost > self.max_parse_cost:
                flags = (FLAG_UNBALANCED,)
        if not flags:
            try:
                pieces = _pieces(body, cuts) if self.reuse_sections else [body]
                return self._parse_tree(text, pieces, sha1, is_redirect, target)
            except Exception:  # noqa: BLE001 - any parser failure becomes a flag
                flags = (FLAG_PARSE_ERROR,)
        return self._approximate(text, body, sha1, is_redirect, target, flags)

    def prose(self, text: str | None) -> str:
        """The visible prose that `parse` tokenizes, as text (report excerpts quote it)."""
        if not text:
            return ""
        body = self._split_redirect(text)[0]
        if len(text) <= self.max_chars and self._parse_cost(body) <= self.max_parse_cost:
            try:
                return _clean_prose(self._parse_piece(body)[0])
            except Exception:  # noqa: BLE001 - same fallback as parse()
                pass
        try:
            return _clean_prose(_Approximation(self).visible(body))
        except Exception:  # noqa: BLE001 - no prose rather than an error in a report
            return ""

    # -- tree walk --------------------------------------------------------------------------

    def _parse_tree(self, text: str, pieces: list[str], sha1: str, is_redirect: bool,
                    target: str | None) -> ParsedText:
        """The exact path: mwparserfromhell parses and one walk over each tree.

        Long texts are cut at headings where no construct is left open, and each piece's
        summary is kept until the next call: consecutive revisions of a page share most
        sections, so only the sections an edit touched are parsed again.
        """
        if len(pieces) == 1:
            prose, acc = self._parse_piece(pieces[0])
            self._pieces = {}
            return self._freeze(text, sha1, is_redirect, target, prose, acc, ())
        known = self._pieces
        fresh: dict[str, tuple[str, _Acc]] = {}
        acc = _Acc()
        prose_parts: list[str] = []
        for piece in pieces:
            part = known.get(piece) or fresh.get(piece)
            if part is None:
                part = self._parse_piece(piece)
            fresh[piece] = part
            prose_parts.append(part[0])
            acc.merge(part[1])
        self._pieces = fresh
        return self._freeze(text, sha1, is_redirect, target, "".join(prose_parts), acc, ())

    # -- shared ---------------------------------------------------------------------------

    @staticmethod
    def _split_redirect(text: str) -> tuple[str, bool, str | None]:
        """Detect '#REDIRECT [[Target]]' and return the text after it (categories, rcats)."""
        head = text[:600]
        if "#" not in head:
            return text, False, None
        match = _REDIRECT_RE.match(head)
        if not match:
            return text, False, None
        return text[match.end():], True, _norm_title(match.group(1).partition("#")[0])

    @staticmethod
    def _parse_cost(text: str) -> int:
        """Estimated mwparserfromhell work for a text (see `_scan`)."""
        return _scan(text)[1]

    def _freeze(self, text: str, sha1: str, is_redirect: bool, target: str | None,
                prose: str, acc: _Acc, flags: tuple[str, ...]) -> ParsedText:
        """Tokenize the prose once and build the immutable summary."""
        tokens = tokenize(_clean_prose(prose))
        words = Counter(tokens)
        return ParsedText(
            exists=True,
            length=len(text),
            sha1=sha1,
            is_redirect=is_redirect,
            redirect_target=target,
            words=MappingProxyType(words),
            word_count=len(tokens),
            char_count=sum(map(len, tokens)),
            references=frozenset(acc.refs),
            cited_references=frozenset(acc.cited),
            reference_uses=acc.ref_uses,
            sections=MappingProxyType(acc.sections),
            wikilinks=MappingProxyType(acc.links),
            external_links=MappingProxyType(acc.ext),
            files=MappingProxyType(acc.files),
            templates=MappingProxyType(acc.templates),
            infoboxes=MappingProxyType(acc.infoboxes),
            categories=frozenset(acc.categories),
            flags=flags,
        )

    # -- fallback ---------------------------------------------------------------------------

    def _approximate(self, text: str, body: str, sha1: str, is_redirect: bool,
                     target: str | None, flags: tuple[str, ...]) -> ParsedText:
        """A linear-time regex approximation, for text the parser cannot take."""
        try:
            return _Approximation(self).run(text, body, sha1, is_redirect, target, flags)
        except Exception:  # noqa: BLE001 - last resort: identity only
            return ParsedText(length=len(text), sha1=sha1, is_redirect=is_redirect,
                              redirect_target=target, flags=(*flags, FLAG_PARSE_ERROR))


_DEFAULT_PARSERS: dict[int, tuple[SiteInfo | None, WikitextParser]] = {}


def parse_wikitext(text: str | None, site: SiteInfo | None = None, *,
                   max_chars: int = MAX_PARSE_CHARS) -> ParsedText:
    """Summarise one revision's wikitext (a cached WikitextParser per SiteInfo object)."""
    cached = _DEFAULT_PARSERS.get(id(site))
    if cached is None or cached[0] is not site or cached[1].max_chars != max_chars:
        if len(_DEFAULT_PARSERS) > 16:
            _DEFAULT_PARSERS.clear()
        cached = (site, WikitextParser(site, max_chars=max_chars))
        _DEFAULT_PARSERS[id(site)] = cached
    return cached[1].parse(text)
