"""How much of a student's passage is made of a source's word sequences: the copy confidence.

Both texts are reduced to normalised words (`text.tokens`). A word of the passage is
*covered* when it belongs to at least one run of `n` consecutive words (default 3, as
Earwig's detector uses trigrams) that also occurs in the source, ignoring runs made only of
function words ("de la", "of the"...). The confidence is the covered share of the
passage's words, from 0 to 1:

- a verbatim copy covers every word (1.0);
- a light rewording (a word changed here and there, a clause moved) leaves most runs of
  three words intact, so most words stay covered (typically 0.6-0.9);
- an honest summary of the same source shares names and a few set phrases (typically
  below 0.2);
- unrelated text shares almost nothing.

Coverage rather than the share of shared n-grams is used because one changed word breaks
`n` n-grams but uncovers at most one word: the measure degrades gracefully with rewording,
which is what must still be caught. Passages shorter than `min_words` words are not
compared: a short phrase in common proves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .text import Token, tokens

__all__ = ["Match", "SourceIndex", "best_match", "compare", "shared_spans"]

STOPWORDS = frozenset("""
a au aux avec ce ces cette dans de des du en est et il ils elle elles la le les leur leurs
lui mais ne ni nous on ou par pas pour qu que qui sa se ses son sur un une vous y a ete
sont ont etre avoir plus comme ainsi aussi tres
the of and to in a an is are was were be been by for on at as with that this these those
it its or from not but which who has have had their they he she his her also than then
""".split())

MIN_WORDS = 8
# Matched positions this many words away from the others are not part of the passage.
STRAY_GAP = 12


@dataclass(frozen=True, slots=True)
class Match:
    """A passage found in a source: confidence and the source's matching passage."""

    confidence: float
    passage: str
    source_passage: str


class SourceIndex:
    """A source text prepared once for comparison with many passages."""

    def __init__(self, text: str, n: int = 3) -> None:
        self.text = text
        self.n = n
        self.tokens: list[Token] = tokens(text)
        self.positions: dict[tuple[str, ...], list[int]] = defaultdict(list)
        words = [t.word for t in self.tokens]
        for i in range(len(words) - n + 1):
            gram = tuple(words[i:i + n])
            if _meaningful(gram):
                self.positions[gram].append(i)

    def __len__(self) -> int:
        return len(self.tokens)


def _meaningful(gram: tuple[str, ...]) -> bool:
    """Whether an n-gram has at least one word that is not a function word."""
    return any(w not in STOPWORDS for w in gram)


def compare(passage: str, source: SourceIndex, *, min_words: int = MIN_WORDS) -> Match | None:
    """The confidence that `passage` was copied from `source`, with the matching source text."""
    ptoks = tokens(passage)
    n = source.n
    if len(ptoks) < max(min_words, n):
        return None
    covered = [False] * len(ptoks)
    hits: list[int] = []
    words = [t.word for t in ptoks]
    for i in range(len(words) - n + 1):
        found = source.positions.get(tuple(words[i:i + n]))
        if found:
            for j in range(i, i + n):
                covered[j] = True
            hits.extend(found)
    confidence = sum(covered) / len(ptoks)
    if not hits:
        return Match(0.0, passage, "")
    return Match(round(confidence, 3), passage, _source_window(source, hits, len(ptoks)))


def _source_window(source: SourceIndex, hits: list[int], length: int) -> str:
    """The source text around the densest cluster of matched positions."""
    hits.sort()
    width = max(int(length * 1.5), 20)
    best_start, best_count, lo = hits[0], 0, 0
    for hi, position in enumerate(hits):
        while position - hits[lo] > width:
            lo += 1
        if hi - lo + 1 > best_count:
            best_count, best_start = hi - lo + 1, hits[lo]
    inside = [h for h in hits if best_start <= h <= best_start + width]
    # Leave out stray matches at either end (a title repeating the first words, say).
    while len(inside) > 1 and inside[1] - inside[0] > STRAY_GAP:
        inside.pop(0)
    while len(inside) > 1 and inside[-1] - inside[-2] > STRAY_GAP:
        inside.pop()
    first = inside[0]
    last = min(inside[-1] + source.n - 1, len(source.tokens) - 1)
    start = source.tokens[first].start
    end = source.tokens[last].end
    # Extend to the sentence boundaries around the match, within a few words.
    text = source.text
    back = text.rfind(". ", max(0, start - 200), start)
    start = back + 2 if back >= 0 else start
    forward = text.find(".", end)
    end = forward + 1 if 0 <= forward - end < 200 else end
    return text[start:end].strip()


def best_match(passage: str, sources: dict[str, SourceIndex], *,
               min_words: int = MIN_WORDS) -> tuple[str, Match] | None:
    """The source (by name) the passage matches best, or None when nothing is shared."""
    best: tuple[str, Match] | None = None
    for name, index in sources.items():
        match = compare(passage, index, min_words=min_words)
        if match and match.confidence > 0 and (best is None or match.confidence > best[1].confidence):
            best = (name, match)
    return best


def shared_spans(text: str, other: str, n: int = 3) -> list[tuple[str, bool]]:
    """`text` cut into segments, each marked True when its words also run in `other`.

    Used to highlight, side by side, the words a passage and its source have in common.
    """
    index = SourceIndex(other, n)
    toks = tokens(text)
    covered = [False] * len(toks)
    words = [t.word for t in toks]
    for i in range(len(words) - n + 1):
        if tuple(words[i:i + n]) in index.positions:
            for j in range(i, i + n):
                covered[j] = True
    segments: list[tuple[str, bool]] = []
    cursor = 0
    i = 0
    while i < len(toks):
        j = i
        while j + 1 < len(toks) and covered[j + 1] == covered[i]:
            j += 1
        start = toks[i].start if i else 0
        end = toks[j + 1].start if j + 1 < len(toks) else len(text)
        if covered[i]:
            if cursor < toks[i].start:
                _append(segments, text[cursor:toks[i].start], False)
            _append(segments, text[toks[i].start:toks[j].end], True)
            cursor = toks[j].end
        else:
            _append(segments, text[cursor if cursor < start else start:end], False)
            cursor = end
        i = j + 1
    if cursor < len(text):
        _append(segments, text[cursor:], False)
    return segments


def _append(segments: list[tuple[str, bool]], piece: str, shared: bool) -> None:
    """Add a segment, merging it with the previous one of the same kind."""
    if not piece:
        return
    if segments and segments[-1][1] == shared:
        segments[-1] = (segments[-1][0] + piece, shared)
    else:
        segments.append((piece, shared))
