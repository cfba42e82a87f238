"""Invariants of the analysis, on generated wikitext (hypothesis, bounded to a few seconds)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikiseminar.analysis.history import analyse_pair
from wikiseminar.analysis.metrics import compare
from wikiseminar.analysis.wikitext import WikitextParser, parse_wikitext
from wikiseminar.analysis.words import count_chars, tokenize

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from([
    "le", "musée", "l'homme", "d’État", "peut-être", "Jean-Paul", "1\u00a0000", "3,14",
    "東京", "Москва", "qu'il", "aujourd'hui", "XIXe", "œuvre", "naïve", "the", "cat",
])
MARKUP = st.sampled_from([
    "\n== Titre ==\n", "\n=== Sous-titre ===\n", "\n\n", "[[Lyon]]", "[[Paris|capitale]]",
    "<ref>{{Lien web|url=http://a.fr|titre=A}}</ref>", "<ref name=\"x\" />",
    "<ref name=\"x\">Source X.</ref>", "{{Infobox Ville|image=A.jpg}}", "[[Fichier:B.png|vignette|Légende]]",
    "[[Catégorie:Test]]", "{{sfn|Dupont|2015}}", "[http://example.org lien]", "''italique''",
    "'''gras'''", "<!-- note -->", "{|\n| cellule\n|}\n", "* puce\n", "<gallery>\nC.jpg|c\n</gallery>",
])
FRAGMENT = st.one_of(WORDS.map(lambda w: w + " "), MARKUP)
WIKITEXT = st.lists(FRAGMENT, max_size=40).map("".join)
JUNK = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["{{", "}}", "[[", "]]", "<ref>", "</ref>", "<!--", "-->", "|",
                              "=", "\n", "{|", "|}", "<nowiki>", "'''", "<", ">", "\x00",
                              "[http://x", "#REDIRECT [[", "é", "\ud800"]),
             max_size=120).map("".join),
)


@SETTINGS
@given(WIKITEXT, WIKITEXT)
def test_adding_then_removing_nets_zero(base: str, extra: str) -> None:
    before = parse_wikitext(base)
    after = parse_wikitext(base + "\n\n" + extra)
    forth, back = compare(before, after), compare(after, before)
    assert forth.words_added == back.words_removed
    assert forth.words_removed == back.words_added
    assert forth.chars_added == back.chars_removed
    assert forth.references_added == back.references_removed
    # Net change equals the difference of totals.
    assert forth.words_added - forth.words_removed == after.word_count - before.word_count
    assert forth.chars_added - forth.chars_removed == after.char_count - before.char_count
    same = compare(after, parse_wikitext(base + "\n\n" + extra))
    assert same.words_added == same.words_removed == same.references_added == 0
    assert same.is_move  # identical text: a null revision


@SETTINGS
@given(st.lists(WORDS, max_size=30))
def test_tokenizer_counts_are_additive(words: list[str]) -> None:
    text = " ".join(words)
    assert tokenize(text) == [t for w in words for t in tokenize(w)]
    assert count_chars(text) == sum(count_chars(w) for w in words)
    assert all(not any(c.isspace() for c in t) for t in tokenize(text))


@SETTINGS
@given(JUNK, JUNK)
def test_analysis_never_raises(parent: str, child: str) -> None:
    metrics = analyse_pair(parent, child, revid=1, parentid=1)
    assert metrics.words_added >= 0 and metrics.words_removed >= 0
    assert parse_wikitext(child).sha1


@SETTINGS
@given(st.lists(st.one_of(FRAGMENT, JUNK.map(lambda j: j[:20])), max_size=80))
def test_pieces_parse_like_the_whole(fragments: list[str]) -> None:
    text = "Début. " * 80 + "".join(fragments)
    cached = WikitextParser()
    cached.parse(text[: len(text) // 2])  # leave pieces of another text in the cache
    assert cached.parse(text) == WikitextParser(reuse_sections=False).parse(text)
