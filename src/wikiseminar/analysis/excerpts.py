"""The prose passages a revision added, quoted in contribution reports.

Pure: two wikitexts in, a few passages of readable text out. The visible prose comes from
the one wikitext walk (`WikitextParser.prose`) and words from the one tokenizer
(`analysis/words.tokenize`), so an excerpt shows the same words that `words_added` counts.

How passages are found: the prose of both texts is cut into paragraphs and sentences; the
sentence sequences are aligned (difflib, by their words, so re-typesetting changes nothing);
a sentence counts as added when it is new and at least half of its words are not in the
sentences it replaced (a sentence that only gained a comma or a word is a copyedit, not
writing); a sentence that exists elsewhere in the parent was moved, not added. Consecutive
added sentences of one paragraph make one passage; passages shorter than `min_words` words
(headings, a stray word) are dropped. The longest passages are kept within `max_chars`.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from ..wiki.types import SiteInfo
from .wikitext import WikitextParser
from .words import tokenize

__all__ = ["added_prose"]

# A sentence ends at . ! ? or … followed by space; good enough to cut quotes, never to count.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")
_SPACES_RE = re.compile(r"\s+")

_PARSERS: dict[int, tuple[SiteInfo | None, WikitextParser]] = {}


def _parser(site: SiteInfo | None) -> WikitextParser:
    """One parser per SiteInfo object (namespace names differ per wiki)."""
    cached = _PARSERS.get(id(site))
    if cached is None or cached[0] is not site:
        if len(_PARSERS) > 16:
            _PARSERS.clear()
        cached = (site, WikitextParser(site, reuse_sections=False))
        _PARSERS[id(site)] = cached
    return cached[1]


def _sentences(prose: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(paragraph number, sentence text, its words) for every sentence with words."""
    out = []
    for number, paragraph in enumerate(prose.split("\n")):
        paragraph = _SPACES_RE.sub(" ", paragraph).strip()
        if not paragraph:
            continue
        for sentence in _SENTENCE_END_RE.split(paragraph):
            words = tuple(tokenize(sentence))
            if words:
                out.append((number, sentence.strip(), words))
    return out


def _shorten(text: str, limit: int) -> str:
    """Cut a passage at a word boundary before `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:max(limit - 1, 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def added_prose(parent_text: str | None, text: str | None, site: SiteInfo | None = None, *,
                max_chars: int = 600, min_words: int = 4) -> list[str]:
    """The prose passages `text` added to `parent_text` (None: page creation), in text order."""
    if not text:
        return []
    parser = _parser(site)
    child = _sentences(parser.prose(text))
    parent = _sentences(parser.prose(parent_text)) if parent_text else []
    parent_keys = [words for _, _, words in parent]
    known = set(parent_keys)
    added: list[int] = []
    matcher = SequenceMatcher(None, parent_keys, [w for _, _, w in child], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or op == "delete":
            continue
        replaced: Counter[str] = Counter()
        for words in parent_keys[i1:i2]:
            replaced.update(words)
        for j in range(j1, j2):
            words = child[j][2]
            if words in known:
                continue  # moved, not written
            new = sum((Counter(words) - replaced).values())
            if 2 * new >= len(words):
                added.append(j)
    passages: list[tuple[int, str, int]] = []  # (first sentence index, text, words)
    run: list[int] = []
    for j in added + [-1]:
        if run and (j != run[-1] + 1 or child[j][0] != child[run[-1]][0] or j < 0):
            count = sum(len(child[k][2]) for k in run)
            if count >= min_words:
                passages.append((run[0], " ".join(child[k][1] for k in run), count))
            run = []
        if j >= 0:
            run.append(j)
    kept: list[tuple[int, str]] = []
    budget = max_chars
    for first, passage, _ in sorted(passages, key=lambda p: (-p[2], p[0])):
        if budget <= 0:
            break
        if len(passage) > budget:
            if kept and budget < 80:
                break
            passage = _shorten(passage, budget)
        kept.append((first, passage))
        budget -= len(passage)
    return [passage for _, passage in sorted(kept)]
