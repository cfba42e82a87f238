"""The pure integrity checks: copy confidence, citations that cannot exist, AI traces."""

from __future__ import annotations

import datetime as dt

from wikiseminar.integrity.checks import cited_urls, offline_findings
from wikiseminar.integrity.citations import check_citations, doi_is_wellformed, isbn_is_valid
from wikiseminar.integrity.compare import SourceIndex, compare, shared_spans
from wikiseminar.integrity.text import finding_key, words
from wikiseminar.integrity.traces import find_traces

SOURCE = (
    "Le travail du clic désigne l'ensemble des micro-tâches payées à la pièce sur des "
    "plateformes numériques. Selon le sociologue Antonio Casilli, ces travailleurs invisibles "
    "entraînent les intelligences artificielles en annotant des images et des textes."
)
WHEN = dt.datetime(2024, 1, 10, 10, tzinfo=dt.UTC)


def test_normalisation_drops_case_accents_punctuation_and_elisions() -> None:
    assert words("L’Intelligence, c'est qu'il DÉCIDE.") == ["intelligence", "est", "il", "decide"]


def test_verbatim_copy_scores_one_and_shows_the_source_sentence() -> None:
    passage = ("Le travail du clic désigne l’ensemble des micro-tâches payées à la pièce sur "
               "des plateformes numériques.")
    match = compare(passage, SourceIndex(SOURCE))
    assert match is not None and match.confidence == 1.0
    assert match.source_passage.startswith("Le travail du clic désigne l'ensemble")


def test_light_rewording_stays_above_possible_and_summary_stays_low() -> None:
    index = SourceIndex(SOURCE)
    reworded = compare("Le travail du clic recouvre l'ensemble des micro-tâches rémunérées à la "
                       "pièce sur des plateformes en ligne.", index)
    summary = compare("D'après Antonio Casilli, des personnes mal payées effectuent en ligne de "
                      "petites tâches qui servent à améliorer les logiciels dits intelligents.",
                      index)
    assert reworded is not None and reworded.confidence >= 0.5
    assert summary is not None and summary.confidence < 0.3


def test_short_passages_are_not_compared() -> None:
    assert compare("Le travail du clic", SourceIndex(SOURCE)) is None


def test_shared_spans_mark_the_common_words() -> None:
    segments = shared_spans("Le travail du clic recouvre tout.", SOURCE)
    assert segments[0] == ("Le travail du clic", True)
    assert ("".join(text for text, _ in segments)) == "Le travail du clic recouvre tout."


def test_finding_key_ignores_typography_but_not_the_source() -> None:
    a = finding_key("copy", "L’homme est là.", "http://a")
    assert a == finding_key("copy", "l'homme  est LÀ", "http://a")
    assert a != finding_key("copy", "l'homme est là", "http://b")


def test_isbn_checksums() -> None:
    assert isbn_is_valid("978-2-02-140188-1") is False
    assert isbn_is_valid("978-0-306-40615-7") is True
    assert isbn_is_valid("0-306-40615-2") is True
    assert isbn_is_valid("2-07-036822-X") is True
    assert isbn_is_valid("2-07-036822-5") is False


def test_doi_syntax() -> None:
    assert doi_is_wellformed("10.1000/xyz123")
    assert not doi_is_wellformed("10.10/abc")
    assert not doi_is_wellformed("doi:10.1000/x y")


def test_citations_added_with_problems() -> None:
    text = ("Texte.<ref>{{Ouvrage |titre=X |isbn=978-2-02-140188-1 |date=12 mars 2031}}</ref>"
            "<ref>{{Article |doi=10.12/bad |année=2023}}</ref>")
    problems = {(p.kind, p.value) for p in check_citations(None, text, WHEN)}
    assert problems == {("isbn", "978-2-02-140188-1"), ("doi", "10.12/bad"),
                        ("future-date", "12 mars 2031")}
    # Already in the parent: not this revision's problem.
    assert check_citations(text, text + " Suite.", WHEN) == []


def test_ai_traces_name_the_exact_string() -> None:
    text = ("Voir [https://exemple.org/a?utm_source=chatgpt.com article]. "
            ":contentReference[oaicite:0]{index=0} turn0search3 **Important** "
            "[lien](https://exemple.org)\n## Histoire\nSelon mes connaissances à ce jour, rien.")
    found = {(t.label, t.found) for t in find_traces(text)}
    assert ("utm_source", "utm_source=chatgpt.com") in found
    assert ("oaicite", ":contentReference[oaicite:0]{index=0}") in found
    assert ("turn0search", "turn0search3") in found
    assert ("markdown-bold", "**Important**") in found
    assert ("markdown-link", "[lien](https://exemple.org)") in found
    assert ("markdown-heading", "## Histoire") in found
    assert any(label == "knowledge-cutoff" for label, _ in found)


def test_wikitext_lists_and_bold_are_not_markdown() -> None:
    text = "# premier\n## sous-point\n* a\n** b\n'''gras''' et ''italique''"
    assert find_traces(text) == []


def test_style_is_never_a_finding() -> None:
    text = "Il convient de souligner que ce domaine fascinant joue un rôle crucial."
    assert offline_findings(None, text, WHEN) == []


def test_cited_urls_include_added_and_paragraph_sources() -> None:
    parent = "Intro.<ref>http://old.example/a</ref>\n\nAutre."
    text = ("Intro. Le travail du clic désigne des micro-tâches.<ref>http://old.example/a</ref>"
            "\n\nAutre.<ref>http://new.example/b</ref>")
    urls = cited_urls(parent, text, ["Le travail du clic désigne des micro-tâches."])
    assert urls == ["http://new.example/b", "http://old.example/a"]


def test_source_passage_leaves_out_a_title_that_repeats_the_first_words() -> None:
    source = ("Le travail du clic\n\nLe numérique est souvent présenté comme immatériel, mais il "
              "repose sur le travail de millions de personnes.\n\n" + SOURCE)
    passage = ("Le travail du clic désigne l'ensemble des micro-tâches payées à la pièce sur des "
               "plateformes numériques.")
    match = compare(passage, SourceIndex(source))
    assert match is not None and match.source_passage == passage
