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
