"""One function per metric: hand-counted French edits, creations, moves, and the registry."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from wikiseminar.analysis import metrics as m
from wikiseminar.analysis.metrics import METRICS, RevisionMetrics, compare, metrics_table
from wikiseminar.analysis.wikitext import PAGE_ABSENT, parse_wikitext

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "tests" / "data" / "french"
V1 = parse_wikitext((FRENCH / "musee-v1.wiki").read_text(encoding="utf-8"))
V2 = parse_wikitext((FRENCH / "musee-v2.wiki").read_text(encoding="utf-8"))

# The student's edit v1 → v2, word by word: "500 000" became "600 000", and the new
# section "=== Architecture ===" with two sentences (the gallery caption is not prose).
ADDED_WORDS = [
    "600000", "Architecture",
    "Le", "bâtiment", "conçu", "par", "l'", "agence", "Coop", "Himmelb", "l", "au", "a",
    "coûté", "255,2", "millions", "d'", "euros",
    "Jean-Paul", "Dupont", "l'", "a", "qualifié", "de", "nuage", "de", "verre",
]


def test_student_edit_hand_counted() -> None:
    assert m.words_added(V1, V2) == len(ADDED_WORDS) == 27
    assert m.words_removed(V1, V2) == 1  # "500000"
    assert m.chars_added(V1, V2) == sum(map(len, ADDED_WORDS)) == 124
    assert m.chars_removed(V1, V2) == 6
    # {{Article}} in a <ref> (cited) and a plain-text <ref> (not cited); the re-use is none.
    assert m.references_added(V1, V2) == 2
    assert m.cited_references_added(V1, V2) == 1
    assert m.references_removed(V1, V2) == 0
    assert m.sections_added(V1, V2) == 1
    assert m.sections_added_by_level(V1, V2) == {3: 1}
    assert m.wikilinks_added(V1, V2) == 0
    assert m.external_links_added(V1, V2) == 0
    assert m.files_added(V1, V2) == 1  # the gallery's Fichier:Confluences toit.jpg
    assert m.templates_added(V1, V2) == 1  # {{Article}}
    assert m.infoboxes_added(V1, V2) == 0
    assert m.categories_added(V1, V2) == 1
    assert not m.page_created(V1, V2) and not m.redirect_created(V1, V2)
    assert not m.is_move(V1, V2, "ajout section")


def test_undoing_the_edit_mirrors_it() -> None:
    back = compare(V2, V1)
    forth = compare(V1, V2)
    assert (back.words_added, back.words_removed) == (forth.words_removed, forth.words_added)
    assert (back.chars_added, back.chars_removed) == (forth.chars_removed, forth.chars_added)
    assert back.references_removed == forth.references_added == 2
    assert back.sections_added == back.files_added == back.categories_added == 0


def test_creation_counts_everything_in_the_page() -> None:
    created = compare(PAGE_ABSENT, V1, revid=7)
    assert created.created and created.revid == 7
    assert created.words_added == 40 and created.words_removed == 0
    assert created.references_added == 2 and created.cited_references_added == 2
    assert created.sections_added_by_level == {2: 2}
    assert created.wikilinks_added == 2 and created.external_links_added == 1
    assert created.files_added == 2 and created.templates_added == 4
    assert created.infoboxes_added == 1 and created.categories_added == 1
    assert created.prose_words_total == 40 and created.references_total == 2


def test_moving_text_adds_nothing() -> None:
    a = parse_wikitext("== A ==\nUn deux trois.\n== B ==\nQuatre cinq.")
    b = parse_wikitext("== B ==\nQuatre cinq.\n== A ==\nUn deux trois.")
    moved = compare(a, b)
    assert (moved.words_added, moved.words_removed, moved.sections_added) == (0, 0, 0)


def test_editing_a_reference_replaces_it() -> None:
    a = parse_wikitext("Texte<ref>{{Lien web|url=http://a.fr|titre=A}}</ref>.")
    b = parse_wikitext("Texte<ref>{{Lien web|url=http://a.fr|titre=A, corrigé}}</ref>.")
    edited = compare(a, b)
    assert (edited.references_added, edited.references_removed) == (1, 1)
    assert edited.cited_references_added == 1 and edited.words_added == 0


def test_redirects_and_moves() -> None:
    article = parse_wikitext("Un article.")
    redirect = parse_wikitext("#REDIRECTION [[Autre titre]]")
    assert compare(article, redirect).redirect_created
    assert compare(article, redirect).is_redirect
    assert not compare(redirect, parse_wikitext("#REDIRECT [[Encore]]")).redirect_created
    left_by_move = compare(PAGE_ABSENT, redirect,
                           comment="Alice a déplacé la page [[Titre]] vers [[Autre titre]]")
    assert left_by_move.is_move and left_by_move.created and left_by_move.redirect_created
    assert not compare(PAGE_ABSENT, redirect, comment="redirection").is_move
    null = compare(article, parse_wikitext("Un article."), comment="moved [[A]] to [[B]]")
    assert null.is_move and null.words_added == 0
    assert m.is_move_comment("Bob moved page [[A]] to [[B]]: better title")
    assert m.is_move_comment("Bob a renommé [[A]] en [[B]]")
    assert not m.is_move_comment("moved text to the history section")


def test_missing_texts_are_flagged_not_guessed() -> None:
    hidden = compare(V1, None, revid=3)
    assert hidden.flags == (m.FLAG_TEXT_MISSING,) and hidden.words_added == 0
    orphan = compare(None, V2, revid=4)
    assert orphan.flags == (m.FLAG_PARENT_MISSING,) and orphan.words_added == 0
    assert orphan.prose_words_total == V2.word_count
    large_parent = dataclasses.replace(V1, flags=("too_large",))
    assert compare(large_parent, V2).flags == ("parent_too_large",)


def test_tags_mark_reverts() -> None:
    assert compare(V2, V1, tags=("mw-undo",)).is_revert
    assert compare(V2, V1, tags=("mw-rollback",)).is_revert
    assert compare(V2, V1, tags=("mw-manual-revert",)).is_revert
    reverted = compare(V1, V2, tags=("mw-reverted", "visualeditor"))
    assert reverted.reverted and not reverted.is_revert and reverted.reverted_by is None


def test_registry_covers_every_field_once() -> None:
    ids = [metric.id for metric in METRICS]
    assert len(ids) == len(set(ids))
    fields = {f.name for f in dataclasses.fields(RevisionMetrics)} - {"revid", "flags"}
    assert set(ids) == fields
    for metric in METRICS:
        assert metric.description and metric.label
        if metric.compute is not None:
            assert metric.description == " ".join(metric.compute.__doc__.split())


def test_docs_list_every_metric() -> None:
    """docs/metrics.md embeds the registry table; regenerate it when a definition changes."""
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert metrics_table() in doc


def test_to_dict_is_json_ready() -> None:
    record = compare(V1, V2, revid=9).to_dict()
    assert record["revid"] == 9 and record["sections_added_by_level"] == {3: 1}
    assert record["reverts"] == [] and record["flags"] == []
