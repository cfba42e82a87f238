"""Authorship words and prose words share one tokenizer (issue 12, item 1).

"Words still in the text" (authorship) must never exceed "words added" (metrics) for the
same edits: both count words with `analysis.words`, whatever WikiWho's finer tokens are.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikiseminar.analysis.authorship import PageAuthorship, editor_figures
from wikiseminar.analysis.metrics import words_added
from wikiseminar.analysis.wikitext import WikitextParser, parse_wikitext
from wikiseminar.analysis.words import count_words

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _day(n: int) -> dt.datetime:
    """Noon UTC on January n, 2024."""
    return dt.datetime(2024, 1, n, 12, tzinfo=dt.UTC)


def _state(texts: list[tuple[str, str]]) -> PageAuthorship:
    """A page history: (editor, text) per revision, one day apart."""
    state = PageAuthorship()
    for n, (editor, text) in enumerate(texts, start=1):
        state.add_revision(n, text, editor, _day(n))
    return state


def test_a_spaced_number_is_one_word_on_both_sides() -> None:
    """Reproduces 149 > 144: "260&nbsp;000" was one word for the metrics, two for authorship."""
    text = "La ville compte 260&nbsp;000 habitants, peut-être aujourd'hui 3,14 fois plus."
    prose_words = count_words(WikitextParser().prose(text))
    figures = editor_figures(_state([("alice", text)]))["alice"]
    assert prose_words == 10
    assert figures.words == prose_words
    assert figures.added == prose_words


def test_still_present_never_exceeds_added_on_the_reported_text() -> None:
    """An editor's words still present are at most the words the metrics say they added."""
    base = "Le musée ouvre."
    texts = [("bob", base), ("alice", base + " Il reçoit 260&nbsp;000 visiteurs, peut-être plus.")]
    state = _state(texts)
    added = words_added(parse_wikitext(texts[0][1]), parse_wikitext(texts[1][1]))
    assert editor_figures(state)["alice"].words <= added


WORDS = st.sampled_from([
    "le", "musée", "l'homme", "d’État", "peut-être", "Jean-Paul", "1\u00a0000", "260&nbsp;000",
    "3,14", "東京", "Москва", "qu'il", "aujourd'hui", "XIXe", "œuvre", "the", "cat", "1990s",
    "rock'n'roll", "«", "»", ",", ".", "!", "—", "(note)", "1er", "l’île",
])
SENTENCE = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
EDITORS = st.sampled_from(["alice", "bob", "carol"])


@SETTINGS
@given(st.lists(st.tuples(EDITORS, SENTENCE), min_size=1, max_size=6))
def test_generated_histories_agree_with_the_metrics(edits: list[tuple[str, str]]) -> None:
    """Each revision inserts a sentence: authorship words == prose words, present <= added."""
    parser = WikitextParser()
    texts: list[tuple[str, str]] = []
    paragraphs: list[str] = []
    added: dict[str, int] = {}
    previous = parse_wikitext("")
    for editor, sentence in edits:
        paragraphs.append(sentence)
        text = "\n\n".join(paragraphs)
        parsed = parse_wikitext(text)
        added[editor] = added.get(editor, 0) + words_added(previous, parsed)
        previous = parsed
        texts.append((editor, text))
    figures = editor_figures(_state(texts))
    total = sum(f.words for f in figures.values())
    assert total == count_words(parser.prose(texts[-1][1]))
    for editor, f in figures.items():
        assert f.words <= added.get(editor, 0), (editor, f, added)
