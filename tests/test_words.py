"""The prose tokenizer: French rules, other scripts, characters of prose."""

from __future__ import annotations

import pytest

from wikiseminar.analysis.words import count_chars, count_words, tokenize, word_counts

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        # Elisions are words of their own, with ' or ’, either case.
        ("l'homme", ["l'", "homme"]),
        ("L’homme d’État", ["L'", "homme", "d'", "État"]),
        ("qu'il jusqu'à lorsqu'on puisqu'elle quoiqu'il", [
            "qu'", "il", "jusqu'", "à", "lorsqu'", "on", "puisqu'", "elle", "quoiqu'", "il"]),
        ("j'ai m'a n'est s'il t'aime c'est", [
            "j'", "ai", "m'", "a", "n'", "est", "s'", "il", "t'", "aime", "c'", "est"]),
        # Lexical words with an apostrophe stay whole.
        ("aujourd'hui presqu'île quelqu'un prud’homme", [
            "aujourd'hui", "presqu'île", "quelqu'un", "prud'homme"]),
        # Hyphenated words are one word; an elided form is split off first.
        ("peut-être Jean-Paul c'est-à-dire", ["peut-être", "Jean-Paul", "c'", "est-à-dire"]),
        ("Saint\u2011Étienne", ["Saint-Étienne"]),
        # Numbers: decimal comma, thousands with (narrow) no-break spaces, ordinals.
        (f"3,14 et 1{NBSP}000 et 12{NNBSP}345{NNBSP}678 au XIXe siècle, le 1er", [
            "3,14", "et", "1000", "et", "12345678", "au", "XIXe", "siècle", "le", "1er"]),
        # A plain space does not join digit groups; a no-break space between words separates.
        ("en 2019 300 personnes", ["en", "2019", "300", "personnes"]),
        (f"Paris{NBSP}: la ville", ["Paris", "la", "ville"]),
        # Punctuation and quotes are not words.
        ("« nuage de verre » — dit-il !", ["nuage", "de", "verre", "dit-il"]),
        ("", []),
    ],
)
def test_french_rules(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_typographic_variants_give_the_same_words() -> None:
    assert word_counts("l’homme d’aujourd’hui") == word_counts("l'homme d'aujourd'hui")
    assert tokenize(f"1{NBSP}000") == tokenize("1000")


def test_other_scripts() -> None:
    assert tokenize("Привет, мир! Αθήνα είναι") == ["Привет", "мир", "Αθήνα", "είναι"]
    # Han and kana: one word per character; Hangul words are space-delimited.
    assert tokenize("東京都に住む") == ["東", "京", "都", "に", "住", "む"]
    assert tokenize("한국어 단어") == ["한국어", "단어"]
    assert tokenize("中文abc") == ["中", "文", "abc"]
    # Decomposed accents are composed first; Devanagari vowel signs stay inside words.
    assert tokenize("e\u0301te\u0301") == ["été"]
    assert tokenize("हिन्दी भाषा") == ["हिन्दी", "भाषा"]


def test_underscores_and_dots_separate() -> None:
    assert tokenize("snake_case U.S.A.") == ["snake", "case", "U", "S", "A"]


def test_counts_and_characters() -> None:
    text = "L'homme a 3,14 ans."
    assert count_words(text) == 5  # L' homme a 3,14 ans
    # Characters inside words only: L' (2) homme (5) a (1) 3,14 (4) ans (3).
    assert count_chars(text) == 15
    assert word_counts("le chat et le chien") == {"le": 2, "chat": 1, "et": 1, "chien": 1}
