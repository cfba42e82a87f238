"""The copy confidence on the hand-written labelled set: no honest summary is accused."""

from __future__ import annotations

from wikiseminar.integrity.compare import SourceIndex, compare

from .integrity_data import load


def _scores() -> dict[str, tuple[str, float]]:
    """id -> (label, confidence against its source)."""
    out = {}
    for item in load():
        match = compare(item.text, SourceIndex(item.source))
        out[item.id] = (item.label, match.confidence if match else 0.0)
    return out


def test_the_set_has_sixty_paragraphs_in_both_languages() -> None:
    items = load()
    assert len(items) >= 60
    assert {i.lang for i in items} == {"fr", "en"}
    assert {i.label for i in items} == {"verbatim", "reworded", "summary", "unrelated"}


def test_no_summary_or_unrelated_paragraph_reaches_the_default_threshold() -> None:
    accused = {k: v for k, v in _scores().items() if v[0] in ("summary", "unrelated") and v[1] >= 0.5}
    assert accused == {}


def test_every_verbatim_copy_is_suspected_and_rewordings_are_found() -> None:
    scores = _scores()
    assert all(c >= 0.75 for label, c in scores.values() if label == "verbatim")
    reworded = [c for label, c in scores.values() if label == "reworded"]
    assert sum(c >= 0.5 for c in reworded) >= 0.9 * len(reworded)
