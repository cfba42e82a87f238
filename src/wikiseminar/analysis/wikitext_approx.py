"""The linear-time regex approximation, for text the parser cannot take in reasonable time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .parsed_text import ParsedText
from .wikitext_markup import (
    _CITE_PREFIXES,
    _INFOBOX_PREFIXES,
    _INTERLANG_RE,
    _MAGIC_WORDS,
    _SPACES_RE,
    _Acc,
    _norm_key,
    _norm_title,
)

if TYPE_CHECKING:
    from .wikitext import WikitextParser


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


