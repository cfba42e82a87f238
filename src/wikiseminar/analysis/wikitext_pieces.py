"""Cut a long wikitext into pieces that parse independently, and estimate the parser's cost.

One ordered scan over the markup tokens ({{ }}, [[ ]], tables, tags, comments) finds where no
construct is open (cut points) and how much retrying unclosed constructs will cost.
"""

from __future__ import annotations

import re
from collections import Counter

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


