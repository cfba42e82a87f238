"""The peer-review proposal: nobody reviews themselves or a co-author, loads balanced."""

from __future__ import annotations

from collections import Counter

import pytest

from wikiseminar.services.reviews import propose_pairs


def _check(students: list[tuple[int, int | None]], n: int, pairs: list[tuple[int, int]]) -> None:
    topic = dict(students)
    assert len(set(pairs)) == len(pairs)
    for reviewer, reviewee in pairs:
        assert reviewer != reviewee
        assert topic[reviewer] is None or topic[reviewer] != topic[reviewee]
    given = Counter(r for r, _ in pairs)
    received = Counter(e for _, e in pairs)
    assert all(given[s] == n for s, _ in students)
    loads = [received[s] for s, _ in students]
    assert max(loads) - min(loads) <= 1


@pytest.mark.parametrize("n", [1, 2, 3])
def test_everyone_reviews_n_others_outside_their_topic(n: int) -> None:
    # 9 students, topics of 3, 2, 1 (None) co-authors
    students = [(1, 10), (2, 10), (3, 10), (4, 20), (5, 20), (6, None), (7, 30), (8, None), (9, 40)]
    _check(students, n, propose_pairs(students, n))


def test_two_students_on_one_topic_cannot_review_each_other() -> None:
    assert propose_pairs([(1, 5), (2, 5)], 1) == []
    assert sorted(propose_pairs([(1, 5), (2, 5), (3, None)], 1)) == [(1, 3), (2, 3), (3, 1)]


def test_submitted_reviews_are_kept_and_count() -> None:
    students = [(1, None), (2, None), (3, None), (4, None)]
    pairs = propose_pairs(students, 2, existing=[(1, 2)])
    assert (1, 2) in pairs
    _check(students, 2, pairs)


def test_deterministic() -> None:
    students = [(i, i % 3) for i in range(1, 13)]
    assert propose_pairs(students, 2) == propose_pairs(students, 2)
    _check(students, 2, propose_pairs(students, 2))
