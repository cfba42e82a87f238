"""Reading Special:Export XML (0.3–0.11, compressed or not) and prop=revisions JSON."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import tracemalloc
from pathlib import Path

import pytest

from wikiseminar.analysis.reverts import normalize_sha1, sha1_base36
from wikiseminar.wiki.errors import ExportFormatError
from wikiseminar.wiki.revisionjson import load_revision_json, revisions_from_json
from wikiseminar.wiki.xmlexport import open_history, read_export, split_base

HISTORIES = Path(__file__).resolve().parent / "data" / "histories"
NINTENDO = HISTORIES / "nintendo_switch_revisions.json"

EXPORT_011 = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="fr">
  <siteinfo>
    <sitename>Wikipédia</sitename>
    <dbname>frwiki</dbname>
    <base>https://fr.wikipedia.org/wiki/Wikip%C3%A9dia:Accueil_principal</base>
    <generator>MediaWiki 1.43.0</generator>
    <case>first-letter</case>
    <namespaces>
      <namespace key="0" case="first-letter" />
      <namespace key="2" case="first-letter">Utilisateur</namespace>
      <namespace key="6" case="first-letter">Fichier</namespace>
      <namespace key="14" case="first-letter">Catégorie</namespace>
    </namespaces>
  </siteinfo>
  <page>
    <title>Utilisateur:Alice/Brouillon</title>
    <ns>2</ns>
    <id>42</id>
    <revision>
      <id>100</id>
      <timestamp>2024-03-01T10:00:00Z</timestamp>
      <contributor><username>Alice</username><id>7</id></contributor>
      <comment>Création</comment>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="18" xml:space="preserve">Premier jet.</text>
    </revision>
    <revision>
      <id>101</id>
      <timestamp>2024-03-01T11:00:00Z</timestamp>
      <contributor deleted="deleted" />
      <minor />
      <comment deleted="deleted" />
      <text deleted="deleted" />
      <sha1>0000000000000000000000000000000</sha1>
    </revision>
    <revision>
      <id>102</id>
      <parentid>101</parentid>
      <timestamp>2024-03-02T09:30:00Z</timestamp>
      <contributor><ip>192.0.2.1</ip></contributor>
      <comment>correction</comment>
      <text bytes="27" xml:space="preserve">Premier jet, corrigé.</text>
    </revision>
    <revision>
      <id>103</id>
      <parentid>102</parentid>
      <timestamp>2024-03-03T09:30:00Z</timestamp>
      <contributor><username>Alice</username><id>7</id></contributor>
      <text bytes="5000" id="9" />
    </revision>
  </page>
</mediawiki>
"""


def read_all(path: Path) -> tuple[object, list]:
    """Siteinfo and revisions of a history file."""
    with open_history(path) as history:
        return history.siteinfo, list(history)


def test_every_history_file_is_read_with_its_siteinfo() -> None:
    counts = {}
    for path in sorted(HISTORIES.glob("*.xml")) + [NINTENDO]:
        site, revs = read_all(path)
        counts[path.name] = len(revs)
        assert all(r.timestamp.tzinfo is not None for r in revs)
    assert counts == {"Anontalkpagetext.xml": 18, "Finger_Lakes3_dummy.xml": 28,
                      "Hallo.xml": 135, "article-pear-0.10.xml": 1, "article-pear.xml": 4,
                      "article-pyrus.xml": 6, "familia.xml": 80, "pair-0.10.xml": 4,
                      "nintendo_switch_revisions.json": 30}
    site, revs = read_all(HISTORIES / "Hallo.xml")
    assert site.lang == "de" and site.server == "https://de.wiktionary.org"
    assert site.namespace_id("Datei") == 6 and site.namespace_id("File") == 6
    assert site.namespace_id("Image") == 6 and site.namespace_id("Fichier") is None
    assert revs[0].revid == 6997 and revs[0].minor and revs[0].user == "Wikinator"
    assert revs[0].parentid == 0 and revs[0].new and revs[0].size == 475


def test_sha1s_match_what_mediawiki_declared() -> None:
    """Our base-36 sha1 equals every real export's <sha1> (the dummy file's are fake), except
    where XML's end-of-line normalisation turned a stored CR LF into LF: there the declared
    size says so (one byte per lost CR), which is why reverts hash the text we have."""
    checked = 0
    for name in ("Hallo.xml", "familia.xml", "Anontalkpagetext.xml", "pair-0.10.xml",
                 "article-pear-0.10.xml"):
        for rev in read_all(HISTORIES / name)[1]:
            if rev.size == len(rev.text.encode("utf-8")):
                assert sha1_base36(rev.text) == rev.sha1, (name, rev.revid)
                checked += 1
            else:
                assert rev.size > len(rev.text.encode("utf-8")), (name, rev.revid)
    for rev in read_all(NINTENDO)[1]:  # the API gives hex sha1s
        assert normalize_sha1(rev.sha1) == sha1_base36(rev.text)
        checked += 1
    assert checked == 265  # 238 of the 241 exported texts, and the 30 API ones


def test_old_schema_without_ns_parentid_or_sha1() -> None:
    site, revs = read_all(HISTORIES / "article-pear.xml")
    assert [r.parentid for r in revs] == [0, 185185, 185241, 185408]
    conversion = revs[0]
    assert conversion.user == "Conversion script" and conversion.userid == 0
    assert conversion.namespace == 0 and conversion.title == "Pear" and conversion.pageid == 24278
    assert conversion.sha1 == sha1_base36(conversion.text)  # computed: the export has none
    assert [r.minor for r in revs] == [True, False, True, True]
    assert revs[1].sizediff == revs[1].size - revs[0].size


def test_hidden_parts_ips_and_stub_texts() -> None:
    with read_export(_bytes_file(EXPORT_011.encode())) as export:
        site = export.siteinfo
        revs = list(export)
    assert site.lang == "fr" and site.sitename == "Wikipédia"
    assert site.server == "https://fr.wikipedia.org" and site.articlepath == "/wiki/$1"
    assert site.namespace_id("Fichier") == 6 and site.namespace_id("Catégorie") == 14
    first, hidden, ip, stub = revs
    assert (first.namespace, first.pageid, first.userid) == (2, 42, 7)
    assert first.sha1 == sha1_base36("Premier jet.")
    assert hidden.parentid == 100  # no <parentid>: the previous revision
    assert hidden.userhidden and hidden.user is None and hidden.commenthidden
    assert hidden.texthidden and hidden.text is None and hidden.minor
    assert ip.user == "192.0.2.1" and ip.userid == 0 and ip.text == "Premier jet, corrigé."
    assert stub.text is None and stub.size == 5000


@pytest.mark.parametrize(
    ("name", "compress"),
    [("history.xml", gzip.compress), ("history.bz", bz2.compress),
     ("history.txt", lzma.compress),
     ("history.xml.gz", lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE))],
)
def test_compression_is_detected_from_content(tmp_path: Path, name: str, compress) -> None:
    plain = (HISTORIES / "familia.xml").read_bytes()
    path = tmp_path / name
    path.write_bytes(compress(plain))
    site, revs = read_all(path)
    assert len(revs) == 80 and site.lang == "de"
    assert [r.text for r in revs] == [r.text for r in read_all(HISTORIES / "familia.xml")[1]]


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes((HISTORIES / "article-pear.xml").read_bytes()[:3000])
    with pytest.raises(ExportFormatError, match=r"broken\.xml: line \d+, column \d+: malformed"):
        read_all(broken)
    other = tmp_path / "other.xml"
    other.write_text("<html><body>Not an export</body></html>")
    with pytest.raises(ExportFormatError, match="not a MediaWiki export"):
        read_all(other)
    for suffix, compress in (("gz", gzip.compress), ("xz", lzma.compress),
                             ("bz2", bz2.compress)):
        truncated = tmp_path / f"cut.xml.{suffix}"
        data = compress((HISTORIES / "familia.xml").read_bytes())
        truncated.write_bytes(data[:5000])
        with pytest.raises(ExportFormatError, match=rf"cut\.xml\.{suffix}: "):
            read_all(truncated)
        garbled = tmp_path / f"garbled.xml.{suffix}"  # a right header, then noise
        garbled.write_bytes(data[:12] + bytes(range(256)) * 40)
        with pytest.raises(ExportFormatError, match=rf"garbled\.xml\.{suffix}: "):
            read_all(garbled)
    for name, content in (("empty.xml", b""), ("text.xml", b"hello")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ExportFormatError, match=name):
            read_all(tmp_path / name)


def test_streaming_keeps_memory_bounded(tmp_path: Path) -> None:
    """An 11 MB export is read with a peak of a few revisions' worth, not the file's."""
    head, _, rest = (HISTORIES / "Hallo.xml").read_text(encoding="utf-8").partition("<page>")
    page_head, _, revisions = rest.partition("<revision>")
    one = "<revision>" + revisions.split("</revision>")[0] + "</revision>\n"
    body = "".join(one.replace("<id>6997</id>", f"<id>{i}</id>", 1) for i in range(1, 12001))
    path = tmp_path / "big.xml"
    path.write_text(head + "<page>" + page_head + body + "</page></mediawiki>", encoding="utf-8")
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_all_iter(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 12000 and peak < 2_000_000


def read_all_iter(path: Path):
    """Revisions of a file, one at a time."""
    with open_history(path) as history:
        yield from history


def test_json_formatversion_1_bare_list() -> None:
    site, revs = load_revision_json(NINTENDO)
    assert len(revs) == 30 and revs[0].revid == 651807915 and revs[0].parentid == 0
    assert revs[0].user == "Bussta33" and revs[0].text.startswith("<!--- Don't mess")
    assert revs[4].comment.startswith("SNS moved page")


def test_json_api_answers_in_both_formatversions() -> None:
    raw = json.loads(NINTENDO.read_text(encoding="utf-8"))
    fv2 = {"batchcomplete": True, "query": {"pages": [{
        "pageid": 46490431, "ns": 0, "title": "Nintendo Switch",
        "revisions": [
            {k: v for k, v in r.items() if k != "*"}
            | {"minor": False, "slots": {"main": {"contentmodel": "wikitext", "content": r["*"]}}}
            for r in reversed(raw)  # newest first, as the API lists them by default
        ]}]}}
    revs = revisions_from_json(fv2)
    assert [r.revid for r in revs] == [r["revid"] for r in raw]
    assert revs[0].title == "Nintendo Switch" and revs[0].pageid == 46490431
    assert revs[-1].text == raw[-1]["*"]
    fv1 = {"query": {"pages": {"46490431": {
        "pageid": 46490431, "ns": 0, "title": "Nintendo Switch",
        "revisions": [{**r, "slots": {"main": {"*": r["*"]}}} for r in raw[:3]]
        + [{"revid": 1, "parentid": raw[2]["revid"], "timestamp": "2015-03-20T00:00:00Z",
            "user": "X", "texthidden": "", "minor": ""}]}}}}
    revs = revisions_from_json([fv1, {"query": {"pages": {}}}])
    assert len(revs) == 4 and revs[3].texthidden and revs[3].text is None and revs[3].minor
    assert not revs[0].minor


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[\n  {"revid": 1,\n  "timestamp": }\n]')
    with pytest.raises(ExportFormatError, match=r"bad\.json: line 3, column 16: malformed JSON"):
        load_revision_json(bad)
    shape = tmp_path / "shape.json"
    shape.write_text('{"hello": 1}')
    with pytest.raises(ExportFormatError, match=r"shape\.json: not a revision list"):
        read_all(shape)
    compressed = tmp_path / "revs.dat"
    compressed.write_bytes(bz2.compress(NINTENDO.read_bytes()))
    assert len(read_all(compressed)[1]) == 30


def _bytes_file(data: bytes) -> io.BytesIO:
    """An in-memory binary file (read_export takes streams too)."""
    return io.BytesIO(data)


@pytest.mark.parametrize("base", [
    "https://fr.wikipedia.org/wiki/Wikip%C3%A9dia:Accueil_principal",
    "https://de.wiktionary.org/wiki/Wiktionary:Hauptseite",
    "http://127.0.0.1:41234/index.php/Main_Page",
    "http://localhost/index.php?title=Accueil",
    "https://en.wikipedia.org/wiki/Main_Page#top",
    "HTTPS://Example.org/wiki/X",
    "https://example.org",
    "https://user@host:8443/w/a:b",
    "/wiki/Main_Page",
    "Main_Page",
    "",
])
def test_siteinfo_base_is_split_as_urllib_splits_it(base: str) -> None:
    """`split_base` stands in for urlsplit (not imported by `analyze`): same server and path."""
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    assert split_base(base) == (f"{parts.scheme}://{parts.netloc}" if parts.netloc else "",
                                parts.path)


def test_every_history_base_gives_the_server_and_article_path() -> None:
    from urllib.parse import urlsplit

    for path in sorted(HISTORIES.glob("*.xml")):
        head = path.read_text(encoding="utf-8")[:4000]
        if "<base>" not in head:
            continue
        base = head.split("<base>", 1)[1].split("</base>", 1)[0]
        parts = urlsplit(base)
        assert split_base(base) == (f"{parts.scheme}://{parts.netloc}", parts.path), path.name
