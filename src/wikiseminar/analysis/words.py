"""The project's one prose tokenizer: words and characters of visible text, right for French.

Rules (docs/metrics.md has examples):

- A word is a run of letters/digits (and combining marks), with internal hyphens and
  apostrophes: "peut-être", "Jean-Paul", "aujourd'hui", "rock'n'roll" are one word each.
- French elisions are split off as their own word, because they are words (an article, a
  pronoun, a conjunction) written without a space: "l'homme" is "l'" + "homme", "qu'il" is
  "qu'" + "il", "jusqu'à" is "jusqu'" + "à". The elided forms recognised are l' d' j' m' n'
  s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu' (either case, with ' or ’), and only before a
  letter. "presqu'île" and "quelqu'un" stay one word (they are single lexical words).
- Apostrophes ’ ʼ and hyphens ‐ ‑ are normalised to ' and -, so fixing typography alone
  changes no word.
- A number is one word: "3,14", "1.5", "1 000 000" (digit groups of three after a no-break
  space U+00A0, a narrow no-break space U+202F or a thin space U+2009 are joined, and the
  separators are dropped, so "1 000" and "1000" are the same word), "19e", "1er", "1990s".
- No-break spaces are spaces. Punctuation is never a word.
- Han ideographs and Japanese kana are written without spaces, so each such character is
  one word (the usual convention for Chinese and Japanese word-count equivalents). Hangul is
  written with spaces between words, so Korean words are space-delimited like Latin ones.
  Thai, Lao, Khmer and Myanmar, written without spaces, count a whole run as one word (an
  undercount we accept).
- Characters of prose are the characters inside words (letters, digits, the internal
  apostrophes and hyphens): spaces and punctuation are not counted. So
  `count_chars(b) - count_chars(a)` is exactly the characters-added minus characters-removed
  of the multiset difference of their words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

__all__ = ["count_chars", "count_words", "tokenize", "word_counts", "word_starts"]

# Typographic variants mapped to one form; '_' is a separator (it is in \w otherwise).
_TRANSLATE = str.maketrans({
    "\u2019": "'", "\u02bc": "'", "\u2018": "'",
    "\u2010": "-", "\u2011": "-",
    "_": " ",
})

# Letters, digits and the combining marks \w misses (Hebrew/Arabic points, Indic and
# South-East Asian vowel signs), plus ZWNJ/ZWJ used inside Persian and Indic words.
_W = (
    r"[\w\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    r"\u06d6-\u06ed\u0900-\u0963\u0966-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f"
    r"\u1780-\u17ff\u200c\u200d]"
)
_ELISION = r"(?:[lLdDjJmMnNsStTcC]|[qQ]u|[jJ]usqu|[lL]orsqu|[pP]uisqu|[qQ]uoiqu)'(?=[^\W\d])"
_NUMBER = rf"\d+(?:[.,]\d+)*{_W}*(?:[-']{_W}+)*"
_WORD = rf"{_W}+(?:[-']{_W}+)*"


@functools.cache
def _token_re() -> re.Pattern[str]:
    """The word pattern, compiled on first use: 1.2 ms that `analyze --authorship` never needs."""
    return re.compile(f"{_ELISION}|{_NUMBER}|{_WORD}")


# A thousands separator: a no-break/narrow/thin space between digit groups of three.
_THOUSANDS_RE = re.compile(r"(\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))")
_SPACES_IN_NUMBERS = ("\u00a0", "\u202f", "\u2009")

# Kana and ideographs: each is a word of its own. Compiled on first need, because building its
# wide ranges takes 3 ms, more than any other import of a short `analyze` run; no character
# below U+3040 is in the class, so text whose largest character is lower never needs it.
_CJK = ("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
        "\U00020000-\U0003134f]")
_CJK_FIRST = "\u3040"


@functools.cache
def _cjk_re() -> re.Pattern[str]:
    """The kana and ideographs class, compiled once."""
    return re.compile(_CJK)


def _cjk_in(text: str) -> re.Pattern[str] | None:
    """The class when `text` holds kana or ideographs, else None (without compiling it)."""
    if not text or max(text) < _CJK_FIRST:
        return None
    pattern = _cjk_re()
    return pattern if pattern.search(text) else None


def _prepare(text: str) -> str:
    """Normalise a prose string so that the token regex alone decides the words."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if any(sp in text for sp in _SPACES_IN_NUMBERS):
            text = _THOUSANDS_RE.sub(r"\1", text)
        cjk = _cjk_in(text)
        if cjk is not None:
            text = cjk.sub(r" \g<0> ", text)
    return text.translate(_TRANSLATE)


def tokenize(text: str) -> list[str]:
    """Split visible prose into words, in order, following the rules of this module."""
    if not text:
        return []
    return _token_re().findall(_prepare(text))


def word_counts(text: str) -> Counter[str]:
    """The multiset of words of a prose string."""
    return Counter(tokenize(text))


def count_words(text: str) -> int:
    """Number of words in a prose string."""
    return len(tokenize(text))


def count_chars(text: str) -> int:
    """Number of characters inside the words of a prose string (no spaces, no punctuation)."""
    return sum(map(len, tokenize(text)))


def word_starts(text: str) -> list[int]:
    """Offsets in `text` where each word of `tokenize(text)` starts (same rules, same count).

    Authorship uses it to give each of its finer WikiWho tokens the words that start in it,
    so both sides count the same words.
    """
    if not text:
        return []
    drop: set[int] = set()
    if any(sp in text for sp in _SPACES_IN_NUMBERS):
        drop = {m.start() + 1 for m in _THOUSANDS_RE.finditer(text)}
    cjk = _cjk_in(text)
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        if i in drop:
            continue
        if cjk is not None and cjk.match(c):
            chars.append(f" {c} ")
            where.extend((i, i, i))
        else:
            chars.append(c)
            where.append(i)
    prepared = "".join(chars).translate(_TRANSLATE)
    return [where[m.start()] for m in _token_re().finditer(prepared)]
