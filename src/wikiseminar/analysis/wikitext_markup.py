"""Wikitext vocabulary shared by the tree walk and the approximation.

Which templates cite, which tags hide or inline their content, how titles and references are
normalised, and the accumulator one pass over a text fills.
"""

from __future__ import annotations

import re
from collections import Counter

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


