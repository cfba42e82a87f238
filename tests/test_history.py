"""analyse_history on real histories: numbers checked by hand against the texts."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

from wikiseminar.analysis.history import analyse_history, analyse_pair, iter_analysed
from wikiseminar.analysis.metrics import RevisionMetrics
from wikiseminar.analysis.wikitext import ParsedText, WikitextParser
from wikiseminar.wiki.types import Revision
from wikiseminar.wiki.xmlexport import open_history

HISTORIES = Path(__file__).resolve().parent / "data" / "histories"
FRENCH = Path(__file__).resolve().parent / "data" / "french"


def analysed(name: str) -> dict[int, RevisionMetrics]:
    """Metrics of every revision of a history file, by revid."""
    with open_history(HISTORIES / name) as history:
        return {m.revid: m for m in analyse_history(history, history.siteinfo)}


def test_every_history_file_is_analysed() -> None:
    expected = {"Anontalkpagetext.xml": 18, "Finger_Lakes3_dummy.xml": 28, "Hallo.xml": 135,
                "article-pear-0.10.xml": 1, "article-pear.xml": 4, "article-pyrus.xml": 6,
                "familia.xml": 80, "pair-0.10.xml": 4, "nintendo_switch_revisions.json": 30}
    for name, count in expected.items():
        results = analysed(name)
        assert len(results) == count, name
        assert all(m.flags in ((), ("parent_missing",), ("parent_mismatch",))
                   for m in results.values()), name


def test_pyrus_redirect_history() -> None:
    """Pear's redirect "Pyrus": a move, a retarget, a disambiguation reverted by "rv",
    a category reverted by rollback."""
    m = analysed("article-pyrus.xml")
    # The redirect a move leaves at the old title: created, a redirect, a move.
    assert m[104997415].created and m[104997415].redirect_created and m[104997415].is_move
    assert m[104997415].words_added == 0
    # Retargeting a redirect creates no redirect.
    assert m[104997738].is_redirect and not m[104997738].redirect_created
    # The disambiguation page: Pyrus may refer to (4) / Pear trees of the genus Pyrus and
    # the fruit of that tree edible in some species (16) / Main Pyrus DMS a Document
    # Management System (7); links Pear, Main//Pyrus DMS, Document Management System.
    dab = m[189729426]
    assert (dab.words_added, dab.words_removed, dab.wikilinks_added) == (27, 0, 3)
    assert dab.reverted and dab.reverted_by == 190346463
    rv = m[190346463]  # comment "rv": restores "#REDIRECT [[Pear]]"
    assert rv.is_revert and rv.reverts == (189729426,) and rv.redirect_created
    assert (rv.words_added, rv.words_removed) == (0, 27)
    # A category on the redirect, rolled back ("Reverted edits by … to last version by …").
    assert m[238138507].categories_added == 1 and m[238138507].reverted_by == 238392911
    assert m[238392911].is_revert and m[238392911].reverts == (238138507,)


def test_pear_old_schema_history() -> None:
    m = analysed("article-pear.xml")
    assert m[185185].created and m[185185].words_added == 146  # the 2002 conversion script
    assert m[185185].wikilinks_added == 6  # tree genus fruit apple pome perry
    # "[[propagating apples and other fruit trees]]" added, then renamed.
    assert (m[185241].words_added, m[185241].wikilinks_added) == (6, 1)
    assert (m[185408].words_added, m[185408].words_removed) == (3, 6)
    # Comment "sp" but a text identical to its parent: a null revision.
    assert m[188924].is_move and m[188924].words_added == m[188924].words_removed == 0


def test_finger_lakes_reverts_and_vandalism() -> None:
    """The WikiWho authors' constructed history: undo, vandalism, edit war."""
    m = analysed("Finger_Lakes3_dummy.xml")
    assert m[0].created and m[0].words_added == 7  # There is a house on a hill .
    assert m[3].reverts == (2,) and m[6].reverts == (5,) and m[12].reverts == (11,)
    assert m[11].words_removed == 17 and m[11].words_added == 5  # kirby ×5
    assert m[15].reverts == (13, 14) and m[13].reverted_by == m[14].reverted_by == 15
    # 16 (the vandal again) undid 15, then 17 restored 15's state: 15 stays, 16 is reverted.
    assert m[16].reverts == (15,) and not m[15].reverted and m[16].reverted_by == 17
    assert m[22].reverts == (20, 21) and m[24].reverts == (23,)
    reverted = sorted(r for r, x in m.items() if x.reverted)
    assert reverted == [2, 5, 11, 13, 14, 16, 18, 20, 21, 23]
    assert (m[25].words_added, m[25].words_removed) == (3, 1)  # nearby → in close vicinity


def test_nintendo_switch_api_history() -> None:
    m = analysed("nintendo_switch_revisions.json")
    first = m[651807915]
    assert first.created and first.sections_added_by_level == {2: 1}
    assert first.templates_added == 2 and first.external_links_added == 1
    assert m[651807954].wikilinks_added == 1 and m[651807954].words_added == 0  # [[Nintendo]]
    assert m[651862807].is_move  # "SNS moved page [[NX (gaming platform)]] to [[Project NX]]"
    # Category links turned into [[:Category:…]] links: four wikilinks, 14 visible words.
    assert (m[651906270].wikilinks_added, m[651906270].words_added) == (4, 14)
    assert m[651968566].sections_added_by_level == {3: 1}  # ===Sources===
    # A history merge restored an old state, and was itself reverted ("rv histmerge junk"):
    # the twelve revisions it had undone are live again.
    merge = m[651992792]
    assert merge.is_revert and len(merge.reverts) == 12 and merge.reverted_by == 651993021
    assert "parent_mismatch" in merge.flags
    assert m[651993021].reverts == (651992792,)
    assert not any(m[r].reverted for r in merge.reverts)


def test_reverted_marks_survive_the_bounded_buffer() -> None:
    """A long history streams with at most 33 results waiting, all of them final."""
    with open_history(HISTORIES / "Finger_Lakes3_dummy.xml") as history:
        base = list(history)
    long = [r.replace(revid=1000 * i + r.revid, parentid=0 if i == j == 0 else 1)
            for i in range(20) for j, r in enumerate(base)]
    waiting = 0
    peak = 0

    def feed() -> Iterator[Revision]:
        nonlocal waiting, peak
        for rev in long:
            waiting += 1
            peak = max(peak, waiting)
            yield rev

    results = []
    for _, metrics in iter_analysed(feed()):
        waiting -= 1
        results.append(metrics)
    assert len(results) == 560 and peak <= 34
    by_id = {x.revid: x for x in results}
    for i in range(1, 20):
        assert by_id[1000 * i + 13].reverted_by == 1000 * i + 15
        assert not by_id[1000 * i + 15].reverted


class CountingParser(WikitextParser):
    """A real parser that counts the texts it is given."""

    calls = 0

    def parse(self, text: str | None) -> ParsedText:
        CountingParser.calls += 1
        return super().parse(text)


def test_each_text_is_parsed_once() -> None:
    with open_history(HISTORIES / "Hallo.xml") as history:
        parser = CountingParser(history.siteinfo)
        results = list(analyse_history(history, parser=parser))
    assert len(results) == CountingParser.calls == 135


def test_several_pages_are_analysed_apart() -> None:
    m = analysed("pair-0.10.xml")
    assert m[237382899].created and m[237382916].created  # the article and its talk page
    assert m[237383099].words_added == 11 and m[237383099].wikilinks_added == 2
    assert m[237383127].templates_added == 1 and not m[237383127].is_revert


def test_partial_history_and_hidden_text() -> None:
    ts = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    revs = [
        Revision(5, 1, "P", 0, ts, parentid=4, text="Un deux."),
        Revision(6, 1, "P", 0, ts, parentid=5, text=None, texthidden=True),
        Revision(7, 1, "P", 0, ts, parentid=6, text="Un deux trois."),
    ]
    m = {x.revid: x for x in analyse_history(revs)}
    assert m[5].flags == ("parent_missing",) and not m[5].created
    assert m[6].flags == ("text_missing",)
    assert m[7].flags == ("parent_missing",) and m[7].words_added == 0


def test_analyse_pair_for_the_sync() -> None:
    v1 = (FRENCH / "musee-v1.wiki").read_text(encoding="utf-8")
    v2 = (FRENCH / "musee-v2.wiki").read_text(encoding="utf-8")
    edit = analyse_pair(v1, v2, revid=2, parentid=1)
    assert (edit.revid, edit.words_added, edit.words_removed) == (2, 27, 1)
    assert edit.references_added == 2 and edit.cited_references_added == 1
    created = analyse_pair(None, v1, parentid=0)
    assert created.created and created.words_added == 40
    unknown = analyse_pair(None, v2, parentid=1)
    assert unknown.flags == ("parent_missing",) and not unknown.created
    undo = analyse_pair(v2, v1, parentid=2, tags=("mw-undo",))
    assert undo.is_revert and undo.words_removed == 27


def test_input_order_is_kept() -> None:
    with open_history(HISTORIES / "familia.xml") as history:
        ids = [r.revid for r in history]
    with open_history(HISTORIES / "familia.xml") as history:
        out = [m.revid for m in analyse_history(history)]
    assert out == ids
    assert list(itertools.islice(out, 3)) == ids[:3]
