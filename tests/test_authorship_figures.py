"""Per-editor shares, survival and reverted work on small histories counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from wikiseminar.analysis.authorship import EditorFigures, PageAuthorship, editor_figures


def day(n: int) -> dt.datetime:
    """Noon UTC on January n, 2024."""
    return dt.datetime(2024, 1, n, 12, tzinfo=dt.UTC)


# Each word is one WikiWho token (no punctuation), paragraphs are split by blank lines.
HISTORY = [
    # revid, editor, day, text
    (1, "alice", 1, "apple banana cherry"),
    (2, "bob", 2, "apple banana cherry\n\ndate elderberry fig grape"),
    (3, "vandal", 3, "apple banana cherry\n\nlol lol"),  # removes bob's paragraph
    (4, "carol", 4, "apple banana cherry\n\ndate elderberry fig grape"),  # identity revert of 3
    (5, "alice", 20, "apple banana cherry kiwi\n\ndate elderberry fig grape"),
    (6, "dave", 21, "apple banana cherry kiwi\n\ndate fig grape"),  # removes "elderberry"
]


def history(upto: int = len(HISTORY)) -> PageAuthorship:
    """The hand-made history above, up to a revision."""
    state = PageAuthorship()
    for revid, editor, d, text in HISTORY[:upto]:
        state.add_revision(revid, text, editor, day(d))
    return state


def test_attribution_of_the_hand_made_history() -> None:
    """The revert gives bob's words back to bob; alice's "kiwi" is hers; carol owns nothing."""
    state = history()
    assert [(t.text, t.editor) for t in state.current_tokens()] == [
        ("apple", "alice"),
        ("banana", "alice"),
        ("cherry", "alice"),
        ("kiwi", "alice"),
        ("date", "bob"),
        ("fig", "bob"),
        ("grape", "bob"),
    ]
    date = state.current_tokens()[4]
    assert (date.out_revids, date.in_revids) == ((3,), (4,))
    assert state.detected_reverts() == {4: [3]}


def test_shares_survival_and_reverts_counted_by_hand() -> None:
    """Counted by hand (as of revision 6, on January 21):

    alice: 4 of 7 tokens; added apple banana cherry (Jan 1) + kiwi (Jan 20) = 4, all still
      there; 7 days after Jan 1 the current revision is 4, which has the first three; kiwi's
      7 days are not over on Jan 21: pending.
    bob: 3 of 7; added 4, 3 still there ("elderberry" removed by dave, not a revert); on Jan 9
      revision 4 has all 4 (carol restored them), so 4 survived 7 days.
    vandal: added "lol lol", gone since revision 4, which is an identity revert: 2 reverted.
    carol (restored text) and dave (deleted text) introduced nothing and own nothing.
    """
    figures = editor_figures(history())
    assert set(figures) == {"alice", "bob", "vandal"}
    assert figures["alice"] == EditorFigures(
        tokens=4,
        total_tokens=7,
        share=4 / 7,
        words=4,
        total_words=7,
        word_share=4 / 7,
        added=4,
        surviving_now=4,
        surviving_7d=3,
        pending_7d=1,
        reverted=0,
    )
    assert figures["alice"].survival_7d == 1.0
    assert figures["bob"] == EditorFigures(
        tokens=3,
        total_tokens=7,
        share=3 / 7,
        words=3,
        total_words=7,
        word_share=3 / 7,
        added=4,
        surviving_now=3,
        surviving_7d=4,
        pending_7d=0,
        reverted=0,
    )
    assert figures["bob"].survival_now == 0.75
    vandal = figures["vandal"]
    assert (vandal.tokens, vandal.added, vandal.surviving_now, vandal.surviving_7d) == (0, 2, 0, 0)
    assert vandal.reverted == 2 and vandal.reverted_share == 1.0


def test_window_limits_the_words_added() -> None:
    """Only words from revisions in [start, end) count as added; shares do not change."""
    figures = editor_figures(history(), window=(day(2), day(10)))
    assert (figures["alice"].added, figures["alice"].tokens) == (0, 4)
    assert figures["bob"].added == 4
    assert figures["vandal"].added == 2
    assert figures["alice"].survival_now is None


def test_reverts_supplied_by_the_caller_replace_detection() -> None:
    """With the caller's revert map, only its revisions count as reverts."""
    figures = editor_figures(history(), reverts={6: [5]})
    assert figures["bob"].reverted == 1  # "elderberry", removed by revision 6
    assert figures["vandal"].reverted == 0  # revision 4 is not in the caller's map
    assert editor_figures(history(), reverts={6: 5})["bob"].reverted == 1


def test_figures_as_of_an_earlier_revision() -> None:
    """`now_revid` describes the page as it was then."""
    figures = editor_figures(history(), now_revid=3)
    assert {name: f.tokens for name, f in figures.items()} == {"alice": 3, "vandal": 2, "bob": 0}
    assert figures["bob"].surviving_now == 0 and figures["bob"].added == 4
    assert figures["alice"].total_tokens == 5
    with pytest.raises(ValueError):
        editor_figures(history(), now_revid=12345)


def test_as_of_settles_the_pending_words() -> None:
    """Once the 7 days are over (as_of given by the caller), kiwi counts as surviving."""
    figures = editor_figures(history(), as_of=dt.datetime(2024, 2, 1, tzinfo=dt.UTC))
    assert (figures["alice"].surviving_7d, figures["alice"].pending_7d) == (4, 0)


def test_word_figures_leave_markup_out() -> None:
    """Template parameters and references are tokens but not words."""
    state = PageAuthorship()
    state.add_revision(1, "{{Infobox|name=Pear}} Pears grow<ref>Smith 2001</ref>.", "a", day(1))
    state.add_revision(
        2, "{{Infobox|name=Pear}} Pears grow slowly<ref>Smith 2001</ref>.", "b", day(2)
    )
    figures = editor_figures(state)
    assert (figures["a"].words, figures["a"].total_words) == (2, 3)  # "pears", "grow"
    assert (figures["b"].words, figures["b"].added, figures["b"].tokens) == (1, 1, 1)
    assert figures["a"].tokens == sum(1 for t in state.current_tokens() if t.editor == "a")


def test_vandalism_is_not_now_and_owns_nothing() -> None:
    """A copy-paste flood (WikiWho's heuristic) is skipped: figures describe the revision
    before it, and its words are not the flooder's."""
    state = history()
    state.add_revision(7, "apple " * 300, "flooder", day(22))
    figures = editor_figures(state)
    assert "flooder" not in figures
    assert figures == editor_figures(history())


def test_empty_state_has_no_figures() -> None:
    """Nothing added, nothing to report."""
    assert editor_figures(PageAuthorship()) == {}
