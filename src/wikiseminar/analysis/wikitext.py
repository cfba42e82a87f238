"""Parse one revision's wikitext once into a compact, immutable `ParsedText` summary.

Everything the metrics compare is collected in a single walk over the mwparserfromhell tree:
prose words, references, sections, links, files, templates, categories, redirect target.
Long texts are cut where no construct is open and the previous text's pieces are reused, so
along a history only the paragraphs an edit touched are parsed again (see `_scan`). Text the
parser cannot handle in reasonable time (too large, too many unclosed constructs) or that
makes it fail is summarised by a cheap, linear regex approximation instead, and `flags` says
so. Nothing here raises on junk input.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import (
    ExternalLink,
    Heading,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from ..wiki.types import SiteInfo
from .reverts import sha1_base36
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

# Citation templates, compared case-insensitively with '_' = ' '. Any "Cite …" template
# counts too. en "Citation" is a citation template but fr {{Citation}} is a quotation, so it
# is only counted on wikis whose language is not French.
CITATION_TEMPLATES: frozenset[str] = frozenset({
    # English Wikipedia (CS1/CS2 and short-footnote families; "Cite …" come by prefix)
    "citation", "vcite web", "vcite book", "vcite journal", "vcite news",
    "sfn", "sfnp", "sfnm", "harv", "harvnb", "harvp", "harvtxt", "harvcoltxt",
    # French Wikipedia (WIKI-CONVENTIONS.md)
    "lien web", "site web", "lien brisé", "lien conférence", "lien vidéo", "lien archive",
    "article", "article encyclopédique", "ouvrage", "chapitre", "harvsp", "légifrance",
    # German, Spanish, Italian
    "internetquelle", "literatur", "webarchiv", "cita web", "cita libro", "cita publicación",
    "cita noticia", "cita pubblicazione", "cita news",
})
_CITE_PREFIXES = ("cite ", "cita ", "citeer ")
# Templates that make a footnote on their own (no <ref> around them).
_FOOTNOTE_TEMPLATES = frozenset({"sfn", "sfnp", "sfnm"})
_INFOBOX_PREFIXES = ("infobox", "taxobox", "boîte", "automatic taxobox", "speciesbox")

# Templates whose parameters are rendered as running text: positional parameters listed
# (0 = all positional ones). Everything else in a template is not prose.
_INLINE_PROSE_TEMPLATES: dict[str, tuple[int, ...]] = {
    "nombre": (0,), "unité": (0,), "nobr": (1,), "nowrap": (1,), "date": (0,),
    "date-": (0,), "lang": (2,), "langue": (2,), "abréviation": (1,), "abbr": (1,),
    "s": (1,), "siècle": (1,), "citation": (1,), "formatnum": (1,),
}
# Variables and magic words that look like templates but are not.
_MAGIC_WORDS = frozenset({
    "!", "=", "PAGENAME", "PAGENAMEE", "FULLPAGENAME", "BASEPAGENAME", "SUBPAGENAME",
    "NAMESPACE", "TALKPAGENAME", "SITENAME", "SERVER", "SERVERNAME", "CURRENTYEAR",
    "CURRENTMONTH", "CURRENTMONTHNAME", "CURRENTDAY", "CURRENTDAY2", "CURRENTTIME",
    "CURRENTTIMESTAMP", "LOCALYEAR", "LOCALMONTH", "LOCALDAY", "REVISIONID", "REVISIONYEAR",
    "REVISIONUSER", "NUMBEROFARTICLES", "PAGEID", "CURRENTDAYNAME", "CURRENTHOUR",
})
# Tags whose content is not prose (code, formulas, scores, configuration).
_HIDDEN_TAGS = frozenset({
    "math", "chem", "ce", "syntaxhighlight", "source", "score", "timeline", "graph",
    "templatedata", "mapframe", "maplink", "hiero", "inputbox", "categorytree",
    "charinsert", "section", "templatestyles", "indicator", "noinclude", "includeonly",
    "onlyinclude", "dynamicpagelist", "imagemap", "gallery", "style", "script",
})
_INLINE_TAGS = frozenset({
    "b", "i", "u", "s", "small", "big", "span", "sup", "sub", "abbr", "code", "tt", "em",
    "strong", "var", "kbd", "q", "cite", "del", "ins", "font", "strike", "nowiki", "bdi",
    "mark", "time", "data", "dfn", "samp", "ruby", "rb", "rt", "rp",
})
_FILE_EXT = (
    r"jpe?g|png|gif|svg|tiff?|webp|xcf|bmp|ogg|oga|ogv|webm|mp3|mp4|wav|flac|midi?|opus"
    r"|pdf|djvu|stl"
)
_FILENAME_RE = re.compile(rf"[^/\\\[\]{{}}|#<>\n=]{{1,240}}\.(?:{_FILE_EXT})", re.IGNORECASE)
_QUOTES_RE = re.compile(r"'{2,}")
_MAGIC_SWITCH_RE = re.compile(r"__[A-ZÀ-Ý_]+__")
_SPACES_RE = re.compile(r"\s+")
_REF_KEY_RE = re.compile(r"\s*([|=]|\}\})\s*")
_REF_TEMPLATE_RE = re.compile(r"\{\{\s*(\w)")
_INTERLANG_RE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*|simple")
_COMMENT_IN_NAME_RE = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_REDIRECT_RE = re.compile(
    r"\A\s*#\s*(?:REDIRECT|REDIRECTION|REDIRECTIONS|WEITERLEITUNG|REDIRECCIÓN|REDIRECCION"
    r"|RINVIA|RINVIO|DOORVERWIJZING|PATRZ|PRZEKIERUJ|REDIRECIONAMENTO|ПЕРЕНАПРАВЛЕНИЕ"
    r"|ПЕРЕНАПР|重定向|転送|リダイレクト)\s*:?\s*\[\[([^\[\]|\n]*)(?:\|[^\[\]\n]*)?\]\]",
    re.IGNORECASE,
)


def _quote_run(match: re.Match[str]) -> str:
    """What a run of apostrophes shows: 2/3/5 are italic/bold markup, 4 is "'" + bold."""
    n = len(match.group(0))
    return "'" if n == 4 else "'" * (n - 5) if n > 5 else ""


def _clean_prose(prose: str) -> str:
    """Drop magic switches and bold/italic quote runs from collected prose."""
    if "__" in prose:
        prose = _MAGIC_SWITCH_RE.sub(" ", prose)
    if "''" in prose:
        prose = _QUOTES_RE.sub(_quote_run, prose)
    return prose


def _norm_title(title: str) -> str:
    """Normalise a page title: '_' = ' ', collapsed whitespace, upper-case first letter."""
    title = _SPACES_RE.sub(" ", title.replace("_", " ")).strip()
    return title[:1].upper() + title[1:]


def _norm_key(text: str) -> str:
    """Normalise a reference's content so re-spacing the same citation keeps its identity
    (spaces around | = {{ }} dropped, template names' first letter upper-cased)."""
    key = _REF_KEY_RE.sub(r"\1", _SPACES_RE.sub(" ", text).strip())
    if "{{" in key:
        key = _REF_TEMPLATE_RE.sub(_upper_template, key)
    return key


def _upper_template(match: re.Match[str]) -> str:
    """'{{ cite' → '{{Cite' (template names ignore the first letter's case)."""
    return "{{" + match.group(1).upper()


class _Acc:
    """Mutable accumulator of one walk; frozen into a ParsedText at the end."""

    __slots__ = ("categories", "cite_hits", "cited", "ext", "files", "infoboxes", "links",
                 "ref_uses", "refs", "sections", "templates")

    def __init__(self) -> None:
        self.refs: set[str] = set()
        self.cited: set[str] = set()
        self.ref_uses = 0
        self.cite_hits = 0
        self.sections: Counter[tuple[int, str]] = Counter()
        self.links: Counter[str] = Counter()
        self.ext: Counter[str] = Counter()
        self.files: Counter[str] = Counter()
        self.templates: Counter[str] = Counter()
        self.infoboxes: Counter[str] = Counter()
        self.categories: set[str] = set()

    def merge(self, other: _Acc) -> None:
        """Add another piece's findings (the other accumulator is left unchanged)."""
        self.refs |= other.refs
        self.cited |= other.cited
        self.ref_uses += other.ref_uses
        self.cite_hits += other.cite_hits
        self.sections.update(other.sections)
        self.links.update(other.links)
        self.ext.update(other.ext)
        self.files.update(other.files)
        self.templates.update(other.templates)
        self.infoboxes.update(other.infoboxes)
        self.categories |= other.categories


# Pieces are only worth caching in texts of some length.
_SEGMENT_MIN_CHARS = 500
_CUT_POINT_RE = re.compile(r"^=[^\n]*=[ \t]*$|(?<=\n\n)", re.MULTILINE)
_MARK_RE = re.compile(
    r"<!--|\{\{|\}\}|\[\[|\]\]|\n\{\||\n\|\}|<(/?)([a-zA-Z][\w-]*)[^<>]*?(/?)>|</?[a-zA-Z]")
_OPENERS = frozenset({"{{", "[[", "{|"})
_MARK_OPENER = {"}}": "{{", "]]": "[[", "|}": "{|"}
# Tags whose content is literal text for the parser: markup inside them does not count.
_LITERAL_TAGS = frozenset({"nowiki", "pre", "math", "syntaxhighlight", "source", "score",
                           "chem", "ce", "hiero", "timeline", "graph", "templatedata",
                           "mapframe", "maplink", "inputbox", "charinsert", "gallery"})
_VOID_TAGS = frozenset({"br", "hr", "wbr", "img", "meta", "link", "area", "base", "col",
                        "embed", "input", "track", "param"})


def _scan(body: str) -> tuple[list[int], int]:
    """Where the text may be cut into independently parsed pieces, and the parser's cost.

    One ordered scan over the markup: templates, links, tables and paired tags on one stack;
    comments and the contents of <nowiki>, <pre> and other literal tags skipped (unclosed
    ones are text to mwparserfromhell, after it looked to the end of the text); a closer
    with no opener of its kind is stray text; a closer of an outer kind abandons the inner
    openers. Every abandoned or unclosed opener makes mwparserfromhell retry up to the end
    of the text, so each adds (text length − its position) to the cost. Cut points are the
    starts of headings and paragraphs where the stack is empty: pieces cut there parse like
    the whole text (checked on every real history in tests/data and by a property test).
    """
    length = len(body)
    cuts = [0]
    if length < _SEGMENT_MIN_CHARS:
        return cuts, 0
    points = [m.start() for m in _CUT_POINT_RE.finditer(body)]
    stack: list[tuple[str, int]] = [("{|", 0)] if body.startswith("{|") else []
    open_kinds: Counter[str] = Counter(kind for kind, _ in stack)
    cost = 0
    next_point = 0
    pos = 0
    unclosed_comment = False
    closers: dict[str, int | None] = {}
    for match in _MARK_RE.finditer(body):
        start = match.start()
        if start < pos:
            continue  # inside a skipped comment or literal tag
        while next_point < len(points) and points[next_point] <= start:
            point = points[next_point]
            next_point += 1
            if not stack and point >= pos and point > cuts[-1]:
                cuts.append(point)
        mark = match.group(0)
        pos = match.end()
        end: int | None
        if mark == "<!--":
            end = body.find("-->", pos) if unclosed_comment is False else -1
            if end < 0:
                # mwparserfromhell makes an unclosed comment text, after looking to the end.
                unclosed_comment = True
                cost += length - start
            else:
                pos = end + 3
            continue
        if mark[0] == "<":
            if match.group(2) is None:
                cost += length - start  # a tag never finished: the parser looks to the end
                continue
            name = match.group(2).lower()
            if match.group(3) or name in _VOID_TAGS:
                continue
            if not match.group(1) and name in _LITERAL_TAGS:
                # Closers are searched forward only: once none is left, none will be.
                end = closers.get(name, 0)
                if end is not None and end < pos:
                    found = _find_ci(body, "</" + name, pos)
                    end = closers[name] = None if found < 0 else found
                close = body.find(">", end) if end is not None else -1
                if close < 0:
                    cost += length - start  # never closed: the parser looks to the end
                else:
                    pos = close + 1
                continue
            kind, opening = name, not match.group(1)
        else:
            kind = mark.lstrip("\n")
            opening = kind in _OPENERS
            kind = _MARK_OPENER.get(kind, kind)
        if opening:
            stack.append((kind, start))
            open_kinds[kind] += 1
        elif open_kinds[kind]:
            while True:
                top, at = stack.pop()
                open_kinds[top] -= 1
                if top == kind:
                    break
                cost += length - at  # abandoned inner opener
    for point in points[next_point:]:
        if not stack and point >= pos and point > cuts[-1]:
            cuts.append(point)
    cost += sum(length - at for _, at in stack)
    return cuts, cost


def _pieces(body: str, cuts: list[int]) -> list[str]:
    """The text cut at the given offsets (the first is 0)."""
    if len(cuts) == 1:
        return [body]
    ends = [*cuts[1:], len(body)]
    return [body[a:b] for a, b in zip(cuts, ends, strict=True)]


def _find_ci(text: str, needle: str, start: int) -> int:
    """Case-insensitive find of an ASCII closing tag, without lowering the whole text."""
    lowered = needle.lower()
    upper = needle.upper()
    best = -1
    for variant in {lowered, upper, needle[:2] + needle[2:3].upper() + needle[3:]}:
        found = text.find(variant, start)
        if found >= 0 and (best < 0 or found < best):
            best = found
    return best


class WikitextParser:
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

    def _parse_piece(self, wikitext: str) -> tuple[str, _Acc]:
        """Parse and walk one piece of wikitext: (its visible prose, what it contains)."""
        # Bold/italic quotes stay text (see _quote_run): faster, and mwparserfromhell's
        # style-tag parsing is where its known mis-parses are (earwig/mwparserfromhell#134).
        if "\x00" in wikitext:  # the C tokenizer silently stops at a NUL character
            wikitext = wikitext.replace("\x00", "\ufffd")
        code = mwparserfromhell.parse(wikitext, skip_style_tags=True)
        acc = _Acc()
        prose: list[str] = []
        self._walk(code, prose, acc)
        return "".join(prose), acc

    def _walk(self, code: Wikicode, prose: list[str] | None, acc: _Acc) -> None:
        """Visit nodes; `prose` collects visible text, or is None inside non-prose markup."""
        nodes: list[Any] = code.nodes  # dispatched on exact type below (faster than isinstance)
        for node in nodes:
            kind = type(node)
            if kind is Text:
                if prose is not None:
                    prose.append(node.value)
            elif kind is Wikilink:
                self._wikilink(node, prose, acc)
            elif kind is Template:
                self._template(node, prose, acc)
            elif kind is Tag:
                self._tag(node, prose, acc)
            elif kind is ExternalLink:
                acc.ext[str(node.url).strip()] += 1
                if prose is not None and node.brackets and node.title is not None:
                    prose.append(" ")
                    self._walk(node.title, prose, acc)
            elif kind is Heading:
                title: list[str] = []
                self._walk(node.title, title, acc)
                heading = "".join(title)
                acc.sections[(node.level, _SPACES_RE.sub(" ", heading).strip())] += 1
                if prose is not None:
                    prose.extend(("\n", heading, "\n"))
            elif kind is HTMLEntity:
                if prose is not None:
                    prose.append(node.normalize())
            # Comment and Argument ({{{x}}}) carry nothing visible.

    def _namespace_of(self, title: str) -> tuple[int, str]:
        """Split a link title into (namespace id, rest); 0 when the prefix is no namespace."""
        prefix, sep, rest = title.partition(":")
        if sep:
            ns = self._prefixes.get(prefix.replace("_", " ").strip().casefold())
            if ns is not None:
                return ns, rest
        return 0, title

    def _wikilink(self, node: Wikilink, prose: list[str] | None, acc: _Acc) -> None:
        """Classify a [[…]]: file, category, interlanguage, or a wikilink (with visible text)."""
        raw = str(node.title)
        stripped = raw.strip()
        colon = stripped.startswith(":")
        title = stripped.lstrip(":").strip()
        ns, rest = self._namespace_of(title)
        if not colon and ns in (6, -2):
            acc.files[_norm_title(rest)] += 1
            if node.text is not None:  # captions: links and refs count, words do not
                self._walk(node.text, None, acc)
            return
        if not colon and ns == 14:
            acc.categories.add(_norm_title(rest))
            return
        if not colon and ns == 0:
            prefix, sep, _ = title.partition(":")
            if sep and _INTERLANG_RE.fullmatch(prefix.strip()):
                return  # interlanguage link: shown in the sidebar, not in the text
        target = _norm_title(title.partition("#")[0])
        if target:
            acc.links[target] += 1
        if prose is not None:
            if node.text is not None:
                self._walk(node.text, prose, acc)
            else:
                prose.append(title)
        elif node.text is not None:
            self._walk(node.text, None, acc)

    def _template(self, node: Template, prose: list[str] | None, acc: _Acc) -> None:
        """Count a transclusion; parameters hold no prose except for inline text templates."""
        name = str(node.name)
        if "<!--" in name:
            name = _COMMENT_IN_NAME_RE.sub("", name)
        name = _SPACES_RE.sub(" ", name.replace("_", " ")).strip()
        params = node.params
        if name.startswith("#"):
            self._parser_function(name, node, acc)
            return
        head, colon, tail = name.partition(":")
        if colon:
            ns = self._prefixes.get(head.strip().casefold())
            if ns == 10:
                name = tail.strip()
            elif ns is None:
                # A magic word with an argument ({{DEFAULTSORT:…}}, {{formatnum:…}}).
                if head.strip().casefold() == "formatnum" and prose is not None:
                    prose.append(" " + tail + " ")
                for param in params:
                    self._walk(param.value, None, acc)
                return
        if not name or name in _MAGIC_WORDS:
            return
        name = name[:1].upper() + name[1:]
        acc.templates[name] += 1
        folded = name.casefold()
        if folded.startswith(_INFOBOX_PREFIXES):
            acc.infoboxes[name] += 1
        if folded in self._citations or folded.startswith(_CITE_PREFIXES):
            acc.cite_hits += 1
            if folded in _FOOTNOTE_TEMPLATES:
                key = _norm_key("{{" + folded + "|" + "|".join(str(p) for p in params) + "}}")
                acc.refs.add(key)
                acc.cited.add(key)
        inline = self._inline.get(folded) if prose is not None else None
        position = 0
        for param in params:
            value = param.value
            if not param.showkey:
                position += 1
                if inline is not None and (inline[0] == 0 or position in inline):
                    prose.append(" ")  # type: ignore[union-attr]
                    self._walk(value, prose, acc)
                    if folded in ("s", "siècle"):
                        prose.append("e siècle ")  # type: ignore[union-attr]
                    continue
            self._walk(value, None, acc)
            if len(value.nodes) == 1 and type(value.nodes[0]) is Text:
                self._maybe_file(value.nodes[0].value, acc)

    def _parser_function(self, name: str, node: Template, acc: _Acc) -> None:
        """Handle {{#tag:ref|…}} as a reference; other parser functions only hold markup."""
        params = node.params
        fn, _, arg = name.partition(":")
        if fn.casefold() == "#tag" and arg.strip().casefold() == "ref" and params:
            content = params[0].value
            if str(content).strip():
                before = acc.cite_hits
                self._walk(content, None, acc)
                key = _norm_key(str(content))
                acc.refs.add(key)
                if acc.cite_hits > before:
                    acc.cited.add(key)
            else:
                acc.ref_uses += 1
            params = params[1:]
        for param in params:
            self._walk(param.value, None, acc)

    def _maybe_file(self, value: str, acc: _Acc) -> None:
        """Count a bare file name given as a template parameter (infobox `image = X.jpg`)."""
        value = value.strip()
        if not value or "." not in value[-6:] or "//" in value:
            return
        ns, rest = self._namespace_of(value)
        if ns not in (0, 6, -2):
            return
        if _FILENAME_RE.fullmatch(rest.strip()):
            acc.files[_norm_title(rest)] += 1

    def _tag(self, node: Tag, prose: list[str] | None, acc: _Acc) -> None:
        """References, reference lists, galleries, hidden tags, and formatting tags."""
        tag = str(node.tag).strip().lower()
        contents = node.contents
        if tag == "ref":
            raw = str(contents) if contents is not None and not node.self_closing else ""
            if not raw.strip():
                acc.ref_uses += 1  # a re-use <ref name="x"/> is not a new source
                return
            before = acc.cite_hits
            self._walk(contents, None, acc)
            key = _norm_key(raw)
            acc.refs.add(key)
            if acc.cite_hits > before:
                acc.cited.add(key)
            return
        if tag in ("gallery", "imagemap", "packed"):
            if contents is not None:
                self._gallery(str(contents), tag == "imagemap", acc)
            return
        if tag in _HIDDEN_TAGS or contents is None:
            if tag in ("br", "hr", "p") and prose is not None:
                prose.append("\n")
            return
        if prose is not None and tag not in _INLINE_TAGS:
            prose.append("\n")
            self._walk(contents, prose, acc)
            prose.append("\n")
        else:
            self._walk(contents, prose, acc)

    def _gallery(self, contents: str, imagemap: bool, acc: _Acc) -> None:
        """Files of a <gallery> (one per line, prefix optional) or an <imagemap> (first line)."""
        for line in contents.splitlines():
            line = line.strip()
            if not line:
                continue
            name = line.split("|", 1)[0].strip()
            ns, rest = self._namespace_of(name)
            if ns in (6, -2) or (ns == 0 and _FILENAME_RE.fullmatch(name)):
                acc.files[_norm_title(rest)] += 1
            if imagemap:
                return

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


_REF_MARK_RE = re.compile(r"<ref\b([^<>]*?)(/?)>|</ref\s*>", re.IGNORECASE)
_TEMPLATE_INNER_RE = re.compile(r"\{\{([^{}]*)\}\}")
_LINK_RE = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]]*))?\]\]")
_EXT_BRACKET_RE = re.compile(r"\[((?:https?:|ftp:)?//[^\s\[\]<>]+)(?:\s+([^\[\]\n]*))?\]",
                             re.IGNORECASE)
_BARE_URL_RE = re.compile(r"(?:https?|ftp)://[^\s\[\]<>{}|]+", re.IGNORECASE)
_HEADING_RE = re.compile(r"^(={1,6})([^=\n].*?)\1[ \t]*$", re.MULTILINE)
_HTML_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,500}>")


class _Approximation:
    """Regex summary of wikitext in linear time: every pattern is bounded or brace-free."""

    def __init__(self, parser: WikitextParser) -> None:
        self.parser = parser
        self.acc = _Acc()

    def run(self, text: str, body: str, sha1: str, is_redirect: bool, target: str | None,
            flags: tuple[str, ...]) -> ParsedText:
        """Strip comments and refs, then templates, links and tags; tokenize what remains."""
        body = self.visible(body)
        return self.parser._freeze(text, sha1, is_redirect, target, body, self.acc, flags)

    def visible(self, body: str) -> str:
        """The text left once markup is stripped (what counts as prose), recording as it goes."""
        body = _strip_comments(body)
        body = self._refs(body)
        return self._markup(body)

    def _markup(self, body: str) -> str:
        """Record templates, links, URLs and headings; return the text without them."""
        # URLs first: citation templates hold them in parameters.
        body = _EXT_BRACKET_RE.sub(self._ext, body)
        for url in _BARE_URL_RE.findall(body):
            self.acc.ext[url] += 1
        body = _BARE_URL_RE.sub(" ", body)
        body = self._templates(body)
        for _ in range(3):  # nested links in captions: innermost first
            body, n = _LINK_RE.subn(self._link, body)
            if not n:
                break
        for match in _HEADING_RE.finditer(body):
            title = _SPACES_RE.sub(" ", match.group(2)).strip()
            self.acc.sections[(len(match.group(1)), title)] += 1
        return _HTML_TAG_RE.sub(" ", body)

    def _refs(self, body: str) -> str:
        """Pair <ref>…</ref> markers in one pass; unclosed refs run to the end, as in MediaWiki."""
        out: list[str] = []
        pos = 0
        open_at: int | None = None
        acc = self.acc
        for match in _REF_MARK_RE.finditer(body):
            if match.group(0).startswith("</"):
                if open_at is not None:
                    self._reference(body[open_at:match.start()])
                    open_at = None
                    pos = match.end()
                continue
            if open_at is not None:
                continue
            out.append(body[pos:match.start()])
            if match.group(2):
                acc.ref_uses += 1
                pos = match.end()
            else:
                open_at = match.end()
        if open_at is not None:
            self._reference(body[open_at:])
        else:
            out.append(body[pos:])
        return "".join(out)

    def _reference(self, content: str) -> None:
        """Record one reference's content, cited when it names a citation template."""
        if not content.strip():
            self.acc.ref_uses += 1
            return
        self._markup(content)  # its templates and links count, its words do not
        key = _norm_key(content)
        self.acc.refs.add(key)
        for name in re.findall(r"\{\{\s*([^{}|\n]{1,80}?)\s*[|}]", content):
            folded = _SPACES_RE.sub(" ", name.replace("_", " ")).strip().casefold()
            if folded in self.parser._citations or folded.startswith(_CITE_PREFIXES):
                self.acc.cited.add(key)
                break

    def _templates(self, body: str) -> str:
        """Count template names innermost-first and remove them (bounded passes)."""
        for _ in range(8):
            body, n = _TEMPLATE_INNER_RE.subn(self._template, body)
            if not n:
                break
        return body

    def _template(self, match: re.Match[str]) -> str:
        """Record one innermost template; it renders no prose in the approximation."""
        inner = match.group(1)
        name = _SPACES_RE.sub(" ", inner.split("|", 1)[0].replace("_", " ")).strip()
        if name and not name.startswith("#") and ":" not in name and name not in _MAGIC_WORDS:
            name = name[:1].upper() + name[1:]
            self.acc.templates[name] += 1
            if name.casefold().startswith(_INFOBOX_PREFIXES):
                self.acc.infoboxes[name] += 1
        return " "

    def _ext(self, match: re.Match[str]) -> str:
        """Record a bracketed external link; its title is prose."""
        self.acc.ext[match.group(1)] += 1
        return " " + (match.group(2) or "") + " "

    def _link(self, match: re.Match[str]) -> str:
        """Record a file, category or wikilink; return its visible text."""
        title = match.group(1).strip()
        colon = title.startswith(":")
        title = title.lstrip(":").strip()
        ns, rest = self.parser._namespace_of(title)
        if not colon and ns in (6, -2):
            self.acc.files[_norm_title(rest)] += 1
            return " "
        if not colon and ns == 14:
            self.acc.categories.add(_norm_title(rest))
            return " "
        prefix, sep, _ = title.partition(":")
        if not colon and ns == 0 and sep and _INTERLANG_RE.fullmatch(prefix.strip()):
            return " "
        target = _norm_title(title.partition("#")[0])
        if target:
            self.acc.links[target] += 1
        text = match.group(2)
        return text if text is not None else title


def _strip_comments(text: str) -> str:
    """Remove <!-- … --> in one pass; an unclosed comment hides the rest, as in MediaWiki."""
    if "<!--" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:
            break
        pos = end + 3
    return "".join(out)


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
