"""The wiki client against the real local MediaWiki, with injected faults where a real server
cannot be made to produce them on cue (429, maxlag, malformed JSON, 5xx, dropped connections)."""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from collections.abc import Iterable
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from wikiseminar.wiki.client import ClientSettings, WikiClient, split_api_url
from wikiseminar.wiki.errors import WikiAPIError, WikiAuthError, WikiInvalidURL, WikiUnavailable

from .localwiki import BOT_LOGIN, BOT_PASSWORD, LocalWiki, PageSpec, Rev

pytestmark = pytest.mark.wiki


class FaultAdapter(HTTPAdapter):
    """Answers the next requests with canned faults, then lets requests reach the real wiki."""

    def __init__(self, faults: Iterable[Any]) -> None:
        super().__init__()
        self.faults: deque[Any] = deque(faults)
        self.seen: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.seen.append(request)
        if self.faults:
            fault = self.faults.popleft()
            if isinstance(fault, Exception):
                raise fault
            status, headers, body = fault
            response = requests.Response()
            response.status_code = status
            response.headers.update(headers)
            response._content = body.encode() if isinstance(body, str) else body
            response.url = request.url or ""
            response.request = request
            return response  # the session runs its response hooks (the request counter)
        return super().send(request, **kwargs)


def faulty_client(wiki: LocalWiki, faults: Iterable[Any], **settings: Any) -> tuple[WikiClient, FaultAdapter, list[float]]:
    waits: list[float] = []
    client = WikiClient(wiki.api_url, ClientSettings(max_retries=3, max_backoff=30.0, **settings),
                        sleep=waits.append)
    adapter = FaultAdapter(faults)
    client.site.connection.mount("http://", adapter)
    return client, adapter, waits


MAXLAG = json.dumps({"error": {"code": "maxlag", "info": "Waiting for a database server: 7 seconds lagged."}})


def test_siteinfo_reads_local_namespace_names(wiki: LocalWiki) -> None:
    info = WikiClient(wiki.api_url).siteinfo()
    assert info.lang == "fr"
    assert info.namespace_names(2)[0] == "Utilisateur"
    assert "Utilisatrice" in info.namespace_names(2)
    assert info.namespace_id("Fichier") == 6 and info.namespace_id("File") == 6
    assert info.namespace_id("Catégorie") == 14
    assert info.draft_namespace is None  # like fr.wikipedia: no Draft namespace
    assert info.tracked_namespaces() == (0, 1, 2, 3)
    assert info.server == wiki.base


def test_every_request_names_the_operator_and_asks_for_maxlag(wiki: LocalWiki) -> None:
    client, adapter, _ = faulty_client(wiki, [], user_agent="wikiseminar/9.9", contact="ops@example.org", maxlag=5)
    client.siteinfo()
    sent = adapter.seen[-1]
    assert sent.headers["User-Agent"].startswith("wikiseminar/9.9 (ops@example.org)")
    assert "maxlag=5" in (sent.url or "") and "formatversion=2" in (sent.url or "")


def test_http_429_waits_for_retry_after_then_succeeds(wiki: LocalWiki) -> None:
    client, _, waits = faulty_client(wiki, [(429, {"Retry-After": "7"}, "Too many requests")])
    assert client.siteinfo().lang == "fr"
    assert waits == [7.0]
    assert client.requests == 2


def test_maxlag_error_waits_at_least_five_seconds(wiki: LocalWiki) -> None:
    client, _, waits = faulty_client(wiki, [(200, {"Retry-After": "2", "X-Database-Lag": "7",
                                                   "Content-Type": "application/json"}, MAXLAG)])
    client.siteinfo()
    assert waits == [5.0]


def test_5xx_timeouts_and_dropped_connections_back_off_within_bounds(wiki: LocalWiki) -> None:
    faults = [(502, {}, "Bad gateway"), requests.ConnectionError("reset by peer"),
              requests.Timeout("read timed out")]
    client, _, waits = faulty_client(wiki, faults)
    assert client.siteinfo().lang == "fr"
    assert len(waits) == 3
    assert all(0 < w <= 30 for w in waits)
    assert waits[0] < waits[2]  # exponential


def test_malformed_json_is_retried(wiki: LocalWiki) -> None:
    client, _, waits = faulty_client(wiki, [(200, {"Content-Type": "application/json"}, '{"query": {"gen')])
    client.requests_ok = True
    assert client.siteinfo().lang == "fr"
    assert len(waits) == 1


def test_retries_are_bounded_and_the_error_is_one_line(wiki: LocalWiki) -> None:
    client, _, waits = faulty_client(wiki, [(503, {}, "down")] * 10)
    with pytest.raises(WikiUnavailable) as info:
        client.siteinfo()
    assert len(waits) == 4  # max_retries=3: four attempts, a wait after each
    assert "gave up after 4 attempts (HTTP 503)" in str(info.value)
    assert "\n" not in str(info.value)


def test_unreachable_wiki_and_invalid_urls(wiki: LocalWiki) -> None:
    down = WikiClient("http://127.0.0.1:9/api.php", ClientSettings(max_retries=1), sleep=lambda s: None)
    with pytest.raises(WikiUnavailable, match="127.0.0.1:9"):
        down.siteinfo()
    for bad in ("not a url", "ftp://x/api.php", "http://example.org/w/index.php"):
        with pytest.raises(WikiInvalidURL):
            split_api_url(bad)
    not_api = WikiClient(wiki.base + "/index.php/api.php", ClientSettings(max_retries=0))
    with pytest.raises((WikiInvalidURL, WikiUnavailable)):
        not_api.siteinfo()


def test_api_errors_are_raised_with_their_code(wiki: LocalWiki) -> None:
    client = WikiClient(wiki.api_url)
    with pytest.raises(WikiAPIError, match="badvalue|unrecognized"):
        client.call({"action": "query", "list": "usercontribs", "ucuserids": "1", "ucdir": "sideways"})


def test_bot_password_login(wiki: LocalWiki) -> None:
    wiki.bot()  # creates BotUser and its bot password on this wiki
    client = WikiClient(wiki.api_url, ClientSettings(bot_username=BOT_LOGIN, bot_password=BOT_PASSWORD))
    client.login()
    who = client.call({"action": "query", "meta": "userinfo", "uiprop": "rights"})["query"]["userinfo"]
    assert who["name"] == "BotUser"
    assert "apihighlimits" in who["rights"]
    bad = WikiClient(wiki.api_url, ClientSettings(bot_username=BOT_LOGIN, bot_password="x" * 32))
    with pytest.raises(WikiAuthError, match="login as BotUser@ci failed"):
        bad.login()


def test_contributions_of_many_users_in_batches_with_continuation(wiki: LocalWiki) -> None:
    names = [f"Batch{i} {dt.datetime.now().timestamp():.0f}" for i in range(5)]
    wiki.import_pages([
        PageSpec(f"Page de {name}", [Rev(name, f"2024-01-{10 + j:02d}T10:00:00Z", f"texte {j}") for j in range(3)])
        for name in names
    ])
    users = WikiClient(wiki.api_url).users(names + ["Personne inexistante zz"])
    ids = [u.userid for u in users if u.userid]
    assert len(ids) == 5 and any(u.missing for u in users)
    client = WikiClient(wiki.api_url, ClientSettings(users_per_request=2, contribs_limit=2))
    contribs = list(client.contributions(ids, start=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                                         end=dt.datetime(2024, 2, 1, tzinfo=dt.UTC), namespaces=[0]))
    assert len(contribs) == 15
    assert len({c.revid for c in contribs}) == 15
    # Users in batches of 2, 2, 1 → 6, 6, 3 contributions → ceil(x/2) answers: 3 + 3 + 2.
    assert client.requests == 8
    texts = list(WikiClient(wiki.api_url, ClientSettings(revisions_per_request=4)).revision_texts(
        [c.revid for c in contribs] + [99_999_999]))
    assert {r.revid for r, _ in texts} == {c.revid for c in contribs} | {99_999_999}
    assert all(t.text and t.text.startswith("texte") for r, t in texts if r.revid != 99_999_999)
    assert all(r.sha1 for r, t in texts if r.revid != 99_999_999)
