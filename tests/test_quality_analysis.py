"""The pure quality functions: ratings read from talk banners, the structural estimate."""

from __future__ import annotations

import datetime as dt

import pytest

from wikiseminar.analysis.quality import (
    EN_SCALE,
    FR_SCALE,
    QualityFeatures,
    class_distance,
    estimate_class,
    normalise_rating,
    quality_features,
    rating_changes,
    read_rating,
)


@pytest.mark.parametrize(("written", "expected"), [
    ("ébauche", "ébauche"), ("Ébauche", "ébauche"), ("ebauche", "ébauche"), ("BD", "BD"),
    ("bd", "BD"), ("Bon début", "BD"), ("b", "B"), ("ADQ", "AdQ"), ("adq", "AdQ"),
    ("BA", "BA"), ("?", None), ("", None), ("n'importe quoi", None),
])
def test_french_spellings_are_normalised(written: str, expected: str | None) -> None:
    assert normalise_rating(written, FR_SCALE) == expected


@pytest.mark.parametrize(("written", "expected"), [
    ("stub", "Stub"), ("START", "Start"), ("c", "C"), ("ga", "GA"), ("Fa", "FA"),
    ("list", "List"), ("B-Class", "B"), ("unassessed", None), ("", None),
])
def test_english_spellings_are_normalised(written: str, expected: str | None) -> None:
    assert normalise_rating(written, EN_SCALE) == expected


def test_french_general_banner_one_project_per_line() -> None:
    talk = (
        "{{Wikiprojet\n|Informatique|moyenne\n|Histoire|faible\n|avancement=BD\n}}\n"
        "== Section ==\nUn message. ~~~~"
    )
    assert read_rating(talk, "fr") == "BD"


def test_french_per_project_banners_give_the_highest() -> None:
    talk = (
        "{{Wikiprojet Informatique|avancement=ébauche|importance=faible}}\n"
        "{{wikiprojet Histoire|importance=moyenne|avancement=B}}"
    )
    assert read_rating(talk, "fr") == "B"


def test_french_general_banner_wins_over_per_project() -> None:
    talk = "{{Wikiprojet Chimie|avancement=AdQ}}{{Modèle:Wikiprojet|Chimie|élevée|avancement=A}}"
    assert read_rating(talk, "fr") == "A"


def test_french_multiproject_evaluation_and_unrated() -> None:
    assert read_rating("{{Évaluation multiprojet|avancement=ADQ|Biologie|maximum}}", "fr") == "AdQ"
    assert read_rating("{{Wikiprojet|Biologie|faible|avancement=?}}", "fr") is None
    assert read_rating("Pas de bandeau.", "fr") is None
    assert read_rating(None, "fr") is None


def test_english_shell_and_per_project_class() -> None:
    shell = ("{{WikiProject banner shell|class=c|1=\n{{WikiProject Biology|importance=low}}\n"
             "{{WikiProject Medicine|class=Start}}}}")
    assert read_rating(shell, "en") == "C"
    old = "{{WikiProject Biology|class=start|importance=low}}{{WikiProject Plants|class=B}}"
    assert read_rating(old, "en") == "B"
    assert read_rating("{{WikiProject Lists|class=list}}", "en") == "List"


def test_rating_changes_say_who_and_when() -> None:
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    revisions = [
        (10, t0, "Alice", "{{Wikiprojet|Art|faible|avancement=ébauche}}"),
        (11, t0 + dt.timedelta(days=3), "Bob", "{{Wikiprojet|Art|faible|avancement=ébauche}} msg"),
        (12, t0 + dt.timedelta(days=9), "Chloé", "{{Wikiprojet|Art|moyenne|avancement=B}}"),
    ]
    changes = rating_changes(revisions, "fr", before="ébauche")
    assert [(c.rev_id, c.user, c.before, c.after) for c in changes] == [(12, "Chloé", "ébauche", "B")]


def _article(paragraphs: int, refs_per_paragraph: int, sections: int, banner: str = "") -> str:
    body = [banner, "{{Infobox Ville|nom=X}}"]
    sentence = "Le texte de cet article décrit longuement une ville ancienne et son histoire. "
    ref = 0
    for s in range(sections):
        body.append(f"== Partie {s} ==")
        for _ in range(max(1, paragraphs // max(1, sections))):
            cites = ""
            for _ in range(refs_per_paragraph):
                ref += 1
                cites += f"<ref>{{{{Ouvrage|titre=Livre {ref}|année=2000}}}}</ref>"
            body.append(sentence * 8 + cites)
    body.append("== Notes et références ==\n<references />\n[[Catégorie:Ville]]")
    body.append("[[Fichier:Vue.jpg|vignette|Une vue]]")
    return "\n\n".join(body)


def test_features_measure_structure_and_banners() -> None:
    text = _article(4, 1, 2, banner="{{À sourcer|date=mars 2026}}") + "{{refnec}}"
    features = quality_features(text)
    assert features.sections == 3
    assert features.references == 4
    assert features.infobox is True
    assert features.images == 1
    assert features.categories == 1
    assert features.unsourced_banner is True
    assert features.citation_needed == 1
    assert features.prose_words > 400


def test_estimate_grows_with_structure_and_banners_cap_it() -> None:
    stub = quality_features("'''X''' est une ville.\n{{Ébauche|géographie}}")
    assert estimate_class(stub, "fr") == "ébauche"
    middling = quality_features(_article(4, 1, 2))
    assert estimate_class(middling, "fr") == "BD"
    rich = quality_features(_article(14, 1, 7))
    assert FR_SCALE.index(estimate_class(rich, "fr")) >= FR_SCALE.index("B")
    flagged = quality_features(_article(14, 1, 7, banner="{{À sourcer}}"))
    assert estimate_class(flagged, "fr") == "BD"
    assert estimate_class(QualityFeatures(), "en") == "Stub"


def test_class_distance() -> None:
    assert class_distance("ébauche", "B", "fr") == 2
    assert class_distance("GA", "FA", "en") == 2
    assert class_distance("List", "B", "en") is None
