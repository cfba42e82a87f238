"""Word tokens for comparison: case, accents, punctuation and French elisions normalised.

Each token keeps its character span in the original text, so a match found on normalised
words can be shown on the words the student (or the source) actually wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Token", "finding_key", "normalise_word", "tokens", "words"]

# Typographic apostrophes and hyphens are mapped to ASCII first (one character each, so
# spans stay valid).
_TRANSLATE = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "\u2010": "-",
                            "\u2011": "-", "_": " "})
_WORD_RE = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# French elided forms dropped from the front of a word: "l'homme" compares as "homme".
_ELISION_RE = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=[^\W\d])")


@dataclass(frozen=True, slots=True)
class Token:
    """A normalised word and where it stands in the original text."""

    word: str
    start: int
    end: int


def normalise_word(raw: str) -> str:
    """Lower-case, accent-free form of one word, its French elision removed."""
    word = raw.casefold()
    word = _ELISION_RE.sub("", word)
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word)
                       if not unicodedata.combining(c))
    return word.replace("-", "")


def tokens(text: str) -> list[Token]:
    """The normalised words of a text with their spans."""
    if not text:
        return []
    prepared = text.translate(_TRANSLATE)
    out = []
    for match in _WORD_RE.finditer(prepared):
        word = normalise_word(match.group(0))
        if word:
            out.append(Token(word, match.start(), match.end()))
    return out


def words(text: str) -> list[str]:
    """The normalised words of a text, in order."""
    return [t.word for t in tokens(text)]


def finding_key(kind: str, passage: str, source: str) -> str:
    """The identity of a finding: its kind, the normalised passage and the source, hashed.

    A verdict is attached to this key, so the same passage against the same source (in a
    later revision, after a move, after a re-sync) is the same finding and is judged once.
    """
    import hashlib

    text = "\x00".join((kind, " ".join(words(passage)), source.strip()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
