"""Pure rules of the restitution: criterion scores, weighted grades, rounding, slot layout, excerpts."""

from __future__ import annotations

import datetime as dt

import pytest

from wikiseminar.analysis.excerpts import added_prose
from wikiseminar.models import CriterionKind
from wikiseminar.reports.figures import StudentFigures
from wikiseminar.reports.grading import (
    Criterion,
    criterion_score,
    grade_students,
    round_grade,
    weighted_mean,
)
from wikiseminar.reports.programme import layout_slots


@pytest.mark.parametrize("value, expected", [
    (None, None), (-5, 0.0), (0, 0.0), (100, 0.0), (200, 0.25), (400, 0.75), (500, 1.0), (900, 1.0),
])
def test_a_computed_criterion_is_linear_between_its_thresholds(value: float | None,
                                                              expected: float | None) -> None:
    assert criterion_score(value, 100, 500) == expected


def test_a_criterion_without_thresholds_has_no_score() -> None:
    assert criterion_score(10, None, 5) is None


@pytest.mark.parametrize("value, expected", [
    (13.25, 13.5), (13.75, 14.0), (13.24, 13.0), (13.26, 13.5), (2.962962962962963, 3.0),
    (0.0, 0.0), (19.999, 20.0), (11.749999999999998, 11.5),
])
def test_grades_round_to_the_nearest_half_point_halves_up(value: float, expected: float) -> None:
    assert round_grade(value) == expected


def test_missing_scores_are_left_out_of_the_mean_and_flagged() -> None:
    assert weighted_mean([(2, 0.5), (1, 0.5), (1, 0.85)]) == (pytest.approx(0.5875), True)
    assert weighted_mean([(2, 0.5), (1, None)]) == (0.5, False)
    assert weighted_mean([(1, None)]) == (None, False)
    assert weighted_mean([(0, None), (1, 1.0)]) == (1.0, True)  # weight 0 does not count


def figures(pid: int, name: str, **values: object) -> StudentFigures:
    f = StudentFigures(pid, name, "student", "verified", name)
    for key, value in values.items():
        setattr(f, key, value)
    return f


def test_suggested_and_final_grades_by_hand() -> None:
    words = Criterion(1, "Mots", 2.0, CriterionKind.COMPUTED, "words_added", 0.0, 36.0)
    refs = Criterion(2, "Sources", 1.0, CriterionKind.COMPUTED, "references_added", 0.0, 2.0)
    share = Criterion(3, "Part", 1.0, CriterionKind.COMPUTED, "authorship_share", 0.1, 0.5)
    oral = Criterion(4, "Oral", 1.0, CriterionKind.MANUAL)
    people = [
        figures(1, "Élodie", words_added=18, references_added=1, authorship_share=0.3),
        figures(2, "Bruno", words_added=8, references_added=0),  # share not computed
        figures(3, "Chloé"),
    ]
    marks = {(1, 4): (0.85, "très clair"), (3, 4): (0.5, "")}
    finals = {2: (10.0, "rattrapage"), 3: (None, "absente au début")}
    elodie, bruno, chloe = grade_students([words, refs, share, oral], people, marks, finals, 20)

    # Élodie: (2×0.5 + 1×0.5 + 1×0.5 + 1×0.85) / 5 = 0.57 → 11.4 → 11.5
    assert elodie.scores == {1: 0.5, 2: 0.5, 3: pytest.approx(0.5), 4: 0.85}
    assert elodie.mean == pytest.approx(0.57) and elodie.suggested == 11.5 and elodie.complete
    assert elodie.final is None and elodie.comments[4] == "très clair"  # not decided yet
    # Bruno: share unknown and no oral mark: (2×8/36 + 0) / 3 = 0.148… → 2.96 → 3.0, overridden
    assert bruno.scores[3] is None and bruno.scores[4] is None and not bruno.complete
    assert bruno.suggested == 3.0 and bruno.override == 10.0 and bruno.final == 10.0
    assert bruno.comment == "rattrapage"
    # Chloé: nothing written, oral 0.5; share None is left out: 0.5 / 4 = 0.125 → 2.5
    assert chloe.suggested == 2.5 and chloe.final is None and chloe.comment == "absente au début"


def test_the_scale_is_the_seminars() -> None:
    words = Criterion(1, "Mots", 1.0, CriterionKind.COMPUTED, "words_added", 0.0, 100.0)
    (line,) = grade_students([words], [figures(1, "A", words_added=77)], {}, {}, 10)
    assert line.suggested == 7.5  # 7.7 → 7.5


def test_slots_follow_each_other_with_breaks_every_n_talks() -> None:
    start = dt.datetime(2024, 3, 28, 14, 0, tzinfo=dt.UTC)
    slots = layout_slots(start, 5, 12, break_every=2, break_minutes=10)
    assert [(s.kind, s.index, s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in slots] == [
        ("talk", 0, "14:00", "14:12"), ("talk", 1, "14:12", "14:24"), ("break", None, "14:24", "14:34"),
        ("talk", 2, "14:34", "14:46"), ("talk", 3, "14:46", "14:58"), ("break", None, "14:58", "15:08"),
        ("talk", 4, "15:08", "15:20"),
    ]
    # No break after the last talk, none when break_every is 0.
    assert [s.kind for s in layout_slots(start, 4, 10, 2, 5)] == ["talk", "talk", "break", "talk", "talk"]
    assert layout_slots(start, 3, 10, 0, 5)[-1].end == start + dt.timedelta(minutes=30)
    assert layout_slots(start, 0, 10, 2, 5) == []
    with pytest.raises(ValueError):
        layout_slots(start, 3, 0)


V1 = "Le '''travail du clic''' désigne des micro-tâches.\n\n== Histoire ==\nLes plateformes."
V2 = ("Le '''travail du clic''' désigne des micro-tâches rémunérées<ref>Casilli, 2019.</ref>.\n\n"
      "== Histoire ==\nLes plateformes de [[micro-travail]] apparaissent vers 2005. Elles recrutent "
      "des travailleurs dans le monde entier.\n\n{{Infobox Concept|nom=Clic}}\n[[Fichier:Clic.jpg|vignette|Une légende]]")


def test_added_prose_quotes_the_new_sentences_only() -> None:
    # "rémunérées" alone is a copyedit; the rewritten paragraph is new prose; markup is not prose.
    assert added_prose(V1, V2) == [
        "Les plateformes de micro-travail apparaissent vers 2005. Elles recrutent des "
        "travailleurs dans le monde entier."]
    # A page creation quotes everything it wrote (the one-word heading is too short to quote).
    assert added_prose(None, V1) == ["Le travail du clic désigne des micro-tâches."]
    # Removing text adds nothing; a moved paragraph is not an addition.
    assert added_prose(V2, V1) == []
    moved = "Second paragraphe assez long pour compter.\n\nPremier paragraphe, lui aussi assez long."
    assert added_prose("Premier paragraphe, lui aussi assez long.\n\nSecond paragraphe assez long pour compter.",
                       moved) == []


def test_added_prose_keeps_the_longest_passages_within_the_budget() -> None:
    parent = "Intro courte ici."
    child = parent + "\n\n" + "\n\n".join(
        f"Paragraphe numéro {i} " + "avec des mots en plus " * i + "." for i in range(1, 6))
    passages = added_prose(parent, child, max_chars=120)
    assert sum(len(p) for p in passages) <= 120
    assert passages[0].startswith("Paragraphe numéro 5") and passages[0].endswith("…")
    assert added_prose(parent, child, max_chars=10_000)[0].startswith("Paragraphe numéro 1")
    assert added_prose(None, None) == [] and added_prose("x", "") == []
