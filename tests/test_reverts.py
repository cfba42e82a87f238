"""Identity reverts (sha1 within 15 revisions) and MediaWiki's revert tags."""

from __future__ import annotations

from wikiseminar.analysis.reverts import (
    RevertRecord,
    RevertTracker,
    find_reverts,
    normalize_sha1,
    sha1_base36,
)


def records(*keys: str | None, tags: dict[int, tuple[str, ...]] | None = None) -> list[RevertRecord]:
    """Revisions 1, 2, 3… with the given content keys."""
    tags = tags or {}
    return [RevertRecord(i, key, tags.get(i, ())) for i, key in enumerate(keys, start=1)]


def test_restoring_an_older_state_reverts_what_came_between() -> None:
    info = find_reverts(records("A", "B", "C", "A"))
    assert info[4].is_revert and info[4].reverts == (2, 3) and info[4].restored == 1
    assert info[2].reverted and info[2].reverted_by == 4
    assert info[3].reverted and info[3].reverted_by == 4
    assert not info[1].reverted and not info[1].is_revert


def test_same_as_parent_is_a_null_edit_not_a_revert() -> None:
    info = find_reverts(records("A", "B", "B"))
    assert not info[3].is_revert and not info[2].reverted


def test_most_recent_identical_state_wins() -> None:
    # A B A C A: the last revert restores revision 3, not revision 1.
    info = find_reverts(records("A", "B", "A", "C", "A"))
    assert info[5].reverts == (4,) and info[5].restored == 3
    assert info[3].reverts == (2,)


def test_depth_is_fifteen_reverted_revisions() -> None:
    within = find_reverts(records("A", *[f"x{i}" for i in range(15)], "A"))
    assert within[17].is_revert and len(within[17].reverts) == 15
    beyond = find_reverts(records("A", *[f"x{i}" for i in range(16)], "A"))
    assert not beyond[18].is_revert and not beyond[2].reverted


def test_reverting_a_revert_restores_the_marks_of_that_state() -> None:
    # A B A B: 3 reverts 2, then 4 restores B: 2's change is live again, 3 is reverted.
    info = find_reverts(records("A", "B", "A", "B"))
    assert not info[2].reverted and info[2].reverted_by is None
    assert info[4].reverts == (3,) and info[3].reverted_by == 4


def test_edit_war_ends_with_the_state_that_stays() -> None:
    # Finger Lakes 11-17 in miniature: good G, vandals V1 V2, restore, re-vandalise, restore.
    info = find_reverts(records("G", "V1", "V2", "G", "V2", "G"))
    assert (info[2].reverted_by, info[3].reverted_by) == (4, 4)  # undone by 4, and again by 6
    assert not info[4].reverted  # 5 undid it, but 6 restored its state
    assert info[5].reverted_by == 6


def test_unknown_hashes_never_match() -> None:
    info = find_reverts(records("A", None, None, "A"))
    assert info[4].reverts == (2, 3)
    assert not find_reverts(records(None, "B", None))[3].is_revert


def test_tags_mark_what_identity_misses() -> None:
    info = find_reverts(records("A", "B", "C", tags={2: ("mw-reverted",), 3: ("mw-undo",)}))
    assert info[3].is_revert and info[3].reverts == ()
    assert info[2].reverted and info[2].reverted_by is None
    assert find_reverts(records("A", "B", tags={2: ("mw-rollback",)}))[2].is_revert
    assert find_reverts(records("A", "B", tags={2: ("mw-manual-revert",)}))[2].is_revert


def test_incremental_tracker_matches_batch() -> None:
    tracker = RevertTracker()
    seen = [tracker.push(r) for r in records("A", "B", "A")]
    assert seen[2][0].reverts == (2,) and seen[2][1] == {2: 3}
    assert tracker.horizon == 32


def test_sha1_forms() -> None:
    # pair-0.10.xml's first revision: <sha1>9onarlg8ywgp11wnrddqebdry0jyz56</sha1>.
    assert sha1_base36("#REDIRECT [[Çullu, Quzanlı]]") == "9onarlg8ywgp11wnrddqebdry0jyz56"
    assert sha1_base36("") == "phoiac9h4m842xq45sp7s6u21eteeq1"  # MediaWiki's empty text
    # The API's hex form and the dump's base-36 form of one sha1 are the same key.
    hex_form = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert normalize_sha1(hex_form) == normalize_sha1("phoiac9h4m842xq45sp7s6u21eteeq1")
    assert normalize_sha1(None) is None and normalize_sha1("") is None
