"""The exact path: one walk over mwparserfromhell's tree collecting prose and markup."""

from __future__ import annotations

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

from .wikitext_markup import (
    _CITE_PREFIXES,
    _COMMENT_IN_NAME_RE,
    _FILENAME_RE,
    _FOOTNOTE_TEMPLATES,
    _HIDDEN_TAGS,
    _INFOBOX_PREFIXES,
    _INLINE_TAGS,
    _INTERLANG_RE,
    _MAGIC_WORDS,
    _SPACES_RE,
    _Acc,
    _norm_key,
    _norm_title,
)


class TreeWalk:
    """Parse a piece of wikitext and walk its tree; the wiki's names come from the subclass."""

    _prefixes: dict[str, int]
    _citations: frozenset[str]
    _inline: dict[str, tuple[int, ...]]

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

