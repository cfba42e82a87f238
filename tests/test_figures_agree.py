"""One definition per figure: the same figure reads the same on every page (issue 12, item 1)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Page, PageAuthorship

from .dashkit import login_as, synced_seminar, text_of
from .localwiki import LocalWiki

FR = {"Accept-Language": "fr"}


def _legend(html: str) -> dict[str, str]:
    """Name -> the percentage the authorship legend gives."""
    legend = re.search(r'<ul class="authorship-legend">(.*?)</ul>', html, flags=re.S)
    assert legend is not None
    found = {}
    for item in re.findall(r"<li>(.*?)</li>", legend.group(1), flags=re.S):
        name = re.sub(r"<sup[^>]*>.*?</sup>", "", item.split("</span>")[0])
        name = re.sub(r"<[^>]+>", "", name).strip()
        found[name] = re.search(r"\(([^()]*%)\)", text_of(item)).group(1)  # type: ignore[union-attr]
    return found


def _table_shares(html: str) -> dict[str, str]:
    """Name -> the authorship share the article's table gives (6th column)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    shares = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        name = text_of(re.search(r"<th[^>]*>(.*?)</th>", row, flags=re.S).group(1))  # type: ignore[union-attr]
        cells = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        shares[name] = cells[4]
    return shares


@pytest.mark.wiki
def test_article_legend_and_table_give_the_same_share(app: Flask, wiki: LocalWiki) -> None:
    """Reproduces 76.7 % (legend, tokens, decimal point) vs 68,7 % (table, words) in French."""
    world = synced_seminar(app, wiki)
    client = app.test_client()
    login_as(client, world.people.users["instructor"])
    with app.app_context():
        article_pk = db.session.scalar(sa.select(Page.id).where(
            Page.title == world.scenario.titles["article"]))
        assert db.session.get(PageAuthorship, article_pk) is not None
    html = client.get(f"/seminars/{world.people.slug}/articles/{article_pk}", headers=FR).get_data(
        as_text=True)
    legend, table = _legend(html), _table_shares(html)
    assert legend and set(legend) <= set(table)
    for name, share in legend.items():
        assert share == table[name], (name, share, table[name])
        assert "." not in share  # French decimal comma


def _row_cell(html: str, label: str) -> str:
    """The value cell next to a row heading `label` (metric tables of the student page/report)."""
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, flags=re.S):
        cells = [text_of(c) for _, c in re.findall(r"<t([hd])\b[^>]*>(.*?)</t\1>", row, flags=re.S)]
        for k in range(len(cells) - 1):  # label, value pairs (the report puts two per row)
            if cells[k] == label:
                return cells[k + 1]
    raise AssertionError(f"no row {label!r}")


def _dashboard_cell(html: str, name: str, column: str) -> str:
    """The dashboard's cell of one participant's row in one column."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, flags=re.S):
        if re.search(rf">{re.escape(name)}</a>", row):
            cell = re.search(rf'<td data-column="{column}"[^>]*>(.*?)</td>', row, flags=re.S)
            assert cell is not None, column
            return text_of(cell.group(1)).split(" ")[0] if column == "reverted" else text_of(cell.group(1))
    raise AssertionError(f"no dashboard row for {name}")


@pytest.mark.wiki
def test_each_figure_reads_the_same_on_every_page_and_export(app: Flask, wiki: LocalWiki) -> None:
    """Dashboard, student page, report, grade CSV and progress.json of one seminar agree."""
    import csv
    import io
    import json

    from babel.numbers import format_decimal, format_percent

    from wikiseminar.models import Seminar
    from wikiseminar.reports.figures import student_figures

    world = synced_seminar(app, wiki)
    slug, people = world.people.slug, world.people
    client = app.test_client()
    login_as(client, people.users["instructor"])
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        figures = {f.participant_id: f for f in student_figures(db.session, seminar)}

    def number(value: int) -> str:
        return format_decimal(value, locale="fr_FR")

    def percent(value: float | None) -> str:
        return "—" if value is None else format_percent(value, "#,##0.0 %", locale="fr_FR")

    dashboard = client.get(f"/seminars/{slug}/dashboard", headers=FR).get_data(as_text=True)
    grades = client.get(f"/seminars/{slug}/export/grades.csv").data.decode("utf-8-sig")
    csv_rows = {r["Identifiant"]: r for r in csv.DictReader(io.StringIO(grades), delimiter=";")}
    progress = {s["id"]: s["figures"] for s in json.loads(
        client.get(f"/seminars/{slug}/progress.json").data)["students"]}
    checked = 0
    for key in ("elodie", "bruno"):
        pid = people.participants[key]
        f = figures[pid]
        student = client.get(f"/seminars/{slug}/students/{pid}", headers=FR).get_data(as_text=True)
        report = client.get(f"/seminars/{slug}/students/{pid}/report", headers=FR).get_data(as_text=True)
        expected = {  # (dashboard column, page label, value as shown)
            "words_added": ("words", "Mots ajoutés", number(f.words_added)),
            "edits": ("edits", "Modifications", number(f.edits)),
            "references_added": ("references", "Références ajoutées", number(f.references_added)),
            "articles_created": ("created", "Articles créés", number(f.articles_created)),
        }
        for field_name, (column, label, shown) in expected.items():
            assert _dashboard_cell(dashboard, f.name, column) == shown, (key, field_name)
            assert _row_cell(student, label) == shown, (key, field_name)
            assert _row_cell(report, label) == shown, (key, field_name)
            value = getattr(f, field_name)
            assert csv_rows[str(pid)][label] == str(value), (key, field_name)
            assert progress[pid][field_name] == value, (key, field_name)
            checked += 1
        share = percent(f.authorship_share)
        assert _dashboard_cell(dashboard, f.name, "share") == share, key
        assert _row_cell(student, "Part des articles") == share, key
        if f.authorship_share is not None:
            assert _row_cell(report, "Part des articles") == share, key
            assert float(csv_rows[str(pid)]["Part des articles"].replace(",", ".")) == \
                pytest.approx(f.authorship_share)
    assert checked == 8


def _rows_by_header(html: str, caption_marker: str) -> dict[str, list[str]]:
    """Row header text -> its cells, in the table whose caption holds `caption_marker`."""
    start = html.index(caption_marker)
    body = html[start:].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        header = re.search(r"<th[^>]*>(.*?)</th>", row, flags=re.S)
        assert header is not None
        link = re.search(r'href="([^"]*)"', header.group(1))
        key = link.group(1) if link else text_of(header.group(1))
        rows[key] = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
    return rows


def test_the_article_page_and_the_student_page_give_the_same_per_article_figures(
        app: Flask, wiki: LocalWiki) -> None:
    """Per article and student: edits, words, references, share, survival read the same on
    the student's page and on the article's page."""
    world = synced_seminar(app, wiki)
    slug, people = world.people.slug, world.people
    client = app.test_client()
    login_as(client, people.users["instructor"])
    compared = 0
    for key in ("elodie", "bruno"):
        pid = people.participants[key]
        student = client.get(f"/seminars/{slug}/students/{pid}", headers=FR).get_data(as_text=True)
        for href, cells in _rows_by_header(student, 'id="articles-title"').items():
            if "/articles/" not in href:
                continue
            page = client.get(href, headers=FR).get_data(as_text=True)
            mine = _rows_by_header(page, "<caption>")[f"/seminars/{slug}/students/{pid}"]
            edits, words, refs, share, survival = cells[1:6]
            # article page: edits, words added, references, words still there, share, survival
            assert [mine[0], mine[1], mine[2], mine[4], mine[5]] == \
                [edits, words, refs, share, survival], (key, href)
            compared += 1
    assert compared >= 2
