"""ParsedText: what one revision's wikitext contains, on French and real texts, and on junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikiseminar.analysis.wikitext import (
    FLAG_PARSE_ERROR,
    FLAG_TOO_LARGE,
    FLAG_UNBALANCED,
    PAGE_ABSENT,
    WikitextParser,
    parse_wikitext,
)
from wikiseminar.wiki.types import Namespace, SiteInfo
from wikiseminar.wiki.xmlexport import open_history

DATA = Path(__file__).resolve().parent / "data"
FRENCH = DATA / "french"
HISTORIES = DATA / "histories"


def test_french_article_hand_counted() -> None:
    parsed = parse_wikitext((FRENCH / "musee-v1.wiki").read_text(encoding="utf-8"))
    # Le musée des Confluences est un musée d' histoire naturelle situé à Lyon (13)
    # Il accueille 500000 visiteurs par an (6) · Histoire (1) · L' idée date de 1999 (5)
    # Aujourd'hui c' est peut-être le musée le plus visité de la ville (12)
    # Notes et références (3). Not counted: infobox, references, caption, category, en: link.
    assert parsed.word_count == 40
    assert parsed.words["musée"] == 3 and parsed.words["500000"] == 1
    assert parsed.words["d'"] == 1 and parsed.words["L'"] == 1 and parsed.words["c'"] == 1
    assert "vignette" not in parsed.words and "nuit" not in parsed.words
    assert "Lyon" in parsed.words and "Catégorie" not in parsed.words
    # Two sources (Lien web, Ouvrage), both cited; the <ref name="site" /> re-use is no source.
    assert len(parsed.references) == 2
    assert parsed.cited_references == parsed.references
    assert parsed.reference_uses == 1
    assert dict(parsed.sections) == {(2, "Histoire"): 1, (2, "Notes et références"): 1}
    assert dict(parsed.wikilinks) == {"Lyon": 2}
    assert dict(parsed.external_links) == {"https://www.museedesconfluences.fr/": 1}
    # The infobox's bare `image =` file name counts, and the [[Fichier:…]].
    assert dict(parsed.files) == {"Confluences Lyon.jpg": 1, "Confluences nuit.jpg": 1}
    assert dict(parsed.templates) == {
        "Infobox Musée": 1, "Lien web": 1, "Ouvrage": 1, "Références": 1}
    assert dict(parsed.infoboxes) == {"Infobox Musée": 1}
    assert parsed.categories == {"Musée à Lyon"}
    assert not parsed.is_redirect and parsed.flags == ()


def test_local_namespace_names_come_from_siteinfo() -> None:
    de = SiteInfo(lang="de", namespaces={
        0: Namespace(0, ""), 6: Namespace(6, "Datei", "File", ("Image",)),
        14: Namespace(14, "Kategorie", "Category"), 10: Namespace(10, "Vorlage", "Template")})
    text = "[[Datei:A.png|mini]] [[Kategorie:Wort]] [[File:B.png]] [[Image:C.png]] [[Fichier:D.png]]"
    parsed = parse_wikitext(text, de)
    assert set(parsed.files) == {"A.png", "B.png", "C.png"}
    assert parsed.categories == {"Wort"}
    # "Fichier" is no namespace on the German wiki: a link to a main-namespace page.
    assert dict(parsed.wikilinks) == {"Fichier:D.png": 1}
    # The default SiteInfo knows English and French names.
    fr = parse_wikitext("[[Fichier:A.png]] [[Image:B.png]] [[Média:C.ogg]] [[Catégorie:X]]")
    assert set(fr.files) == {"A.png", "B.png", "C.ogg"} and fr.categories == {"X"}


def test_links_categories_and_interlanguage() -> None:
    parsed = parse_wikitext(
        "[[paris|la capitale]] [[Paris#Histoire]] [[:Catégorie:Ville]] [[de:Paris]] "
        "[[#Section]] [[Category:Cities|Paris]] [http://example.org site] http://bare.example")
    assert dict(parsed.wikilinks) == {"Paris": 2, "Catégorie:Ville": 1}
    assert parsed.categories == {"Cities"}
    assert dict(parsed.external_links) == {"http://example.org": 1, "http://bare.example": 1}
    assert parsed.words["capitale"] == 1 and parsed.words["site"] == 1
    assert "bare" not in parsed.words and "de" not in parsed.words


def test_list_defined_references_count_once() -> None:
    text = (
        "Texte<ref name=a /> et suite<ref name=b />.\n"
        "<references>\n<ref name=a>{{Lien web|url=http://a.fr|titre=A}}</ref>\n"
        "<ref name=b>Une source sans modèle.</ref>\n</references>\n"
        "{{Reflist|refs=<ref name=c>{{cite book|title=C}}</ref>}}"
        "{{#tag:ref|{{Ouvrage|titre=D}}|name=d}} {{sfn|Dupont|2015|p=3}} {{sfn|Dupont|2015|p=3}}"
    )
    parsed = parse_wikitext(text)
    assert len(parsed.references) == 5  # a, b, c, #tag:ref d, one sfn (the same twice)
    assert len(parsed.cited_references) == 4  # all but the plain-text one
    assert parsed.reference_uses == 2
    # Re-spacing a citation keeps its identity.
    assert parse_wikitext("<ref>{{Cite web | url = http://a | title = A }}</ref>").references == (
        parse_wikitext("<ref>{{cite web|url=http://a|title=A}}</ref>").references)


def test_citation_templates_french_and_english_forms() -> None:
    for template in ("Lien web", "lien web", "Site web", "Article", "Ouvrage", "Chapitre",
                     "Harvsp", "Cite web", "cite_news", "Cite journal", "cite book", "Harvnb",
                     "Citation"):
        parsed = parse_wikitext(f"<ref>{{{{{template}|titre=X}}}}</ref>")
        assert parsed.cited_references, template
    assert not parse_wikitext("<ref>{{Date|1 mars 2020}} Texte</ref>").cited_references
    # fr {{Citation}} is a quotation, not a source; its text is prose.
    fr = parse_wikitext("<ref>{{Citation|Un texte}}</ref>", SiteInfo(lang="fr"))
    assert not fr.cited_references
    # Names read from the wiki (redirects) can be added.
    text = "<ref>{{Lien_Web_Archivé|url=http://a}}</ref>"
    assert not parse_wikitext(text).cited_references
    assert WikitextParser(citation_templates=["Lien web archivé"]).parse(text).cited_references


def test_inline_text_templates_and_formatting() -> None:
    parsed = parse_wikitext(
        "{{nombre|12000|habitants}} au {{s|XIX}}, ''en'' '''gras''' {{lang|en|the word}} "
        "{{formatnum:1234}} __NOTOC__ <!-- caché --> <math>x^2</math> &nbsp;fin")
    assert parsed.word_count == 11
    assert {"12000", "habitants", "au", "XIXe", "siècle", "en", "gras", "the", "word", "1234",
            "fin"} == set(parsed.words)


def test_redirects_in_english_and_french() -> None:
    en = parse_wikitext("#REDIRECT [[Pear]]\n[[Category:Maloideae]]\n{{R from move}}")
    assert en.is_redirect and en.redirect_target == "Pear"
    assert en.categories == {"Maloideae"} and en.word_count == 0 and not en.wikilinks
    fr = parse_wikitext("#REDIRECTION [[musée des Confluences#Histoire]]")
    assert fr.is_redirect and fr.redirect_target == "Musée des Confluences"
    assert not parse_wikitext("Voir #REDIRECT [[X]]").is_redirect


def test_sha1_is_mediawikis_base36() -> None:
    # From pair-0.10.xml: <text>#REDIRECT [[Çullu, Quzanlı]]</text>, <sha1>9onarl…</sha1>.
    assert parse_wikitext("#REDIRECT [[Çullu, Quzanlı]]").sha1 == "9onarlg8ywgp11wnrddqebdry0jyz56"


def test_page_absent_is_not_an_empty_page() -> None:
    assert not PAGE_ABSENT.exists
    empty = parse_wikitext("")
    assert empty.exists and empty.word_count == 0
    assert parse_wikitext(None) is PAGE_ABSENT


def test_pieces_parse_like_the_whole_on_real_histories() -> None:
    """Cutting at headings/paragraphs and reusing pieces never changes a summary."""
    checked = 0
    for path in sorted(HISTORIES.glob("*.xml")) + [HISTORIES / "nintendo_switch_revisions.json"]:
        with open_history(path) as history:
            cached = WikitextParser(history.siteinfo)
            whole = WikitextParser(history.siteinfo, reuse_sections=False)
            for rev in history:
                if rev.text is not None:
                    assert cached.parse(rev.text) == whole.parse(rev.text), rev.revid
                    checked += 1
    assert checked == 306


def test_too_large_text_is_approximated_with_a_flag() -> None:
    text = ("Un paragraphe avec [[lien]] et {{modèle}}.<ref>{{Lien web|url=http://a.fr}}</ref>"
            "\n== Titre ==\n") * 2
    small = WikitextParser(max_chars=100).parse(text)
    assert small.flags == (FLAG_TOO_LARGE,)
    exact = parse_wikitext(text)
    # The regex approximation finds the same things on well-formed text.
    assert small.words == exact.words and small.references == exact.references
    assert small.cited_references == exact.cited_references
    assert small.wikilinks == exact.wikilinks and small.templates == exact.templates
    assert small.sections == exact.sections and small.external_links == exact.external_links


@pytest.mark.parametrize(
    ("name", "text", "flag"),
    [
        ("5 MB of binary junk", "é\x00\x07 mot\ufffd " * 600_000, FLAG_TOO_LARGE),
        ("unclosed templates before text", "{{a|mot " * 400 + "Texte normal. " * 9000,
         FLAG_UNBALANCED),
        ("unclosed refs before text", "<ref>mot " * 400 + "Texte normal. " * 9000, FLAG_UNBALANCED),
        ("unfinished tags", '<ref name="a mot ' * 3000, FLAG_UNBALANCED),
    ],
)
def test_junk_never_raises_and_takes_the_bounded_path(name: str, text: str, flag: str) -> None:
    # The flag says the parser took its bounded path (size cap or approximation); how long that
    # takes is measured by bench/analysis.py, not asserted here (machines are noisy).
    parsed = WikitextParser().parse(text)
    assert flag in parsed.flags, name
    assert parsed.sha1 and parsed.length == len(text)


def test_junk_that_parses_is_summarised() -> None:
    text = "\x00\x01 [[a|b]] {{{{{{x}}}}}} </ref> <ref> ]] }} <!-- [[ " + "\ud800" + " mot"
    parsed = parse_wikitext(text)
    assert parsed.exists and FLAG_PARSE_ERROR not in parsed.flags
    nested = parse_wikitext("{{" * 20_000 + "x" + "}}" * 20_000)
    assert nested.exists
    # mwparserfromhell's tokenizer stops at a NUL: what follows one must still count.
    after_nul = parse_wikitext("Avant\x00 après [[Lien]] mot")
    assert dict(after_nul.wikilinks) == {"Lien": 1} and after_nul.word_count == 4
