"""The one HTTP wrapper around a MediaWiki API: batching, continuation, politeness, retries.

mwclient sets up the HTTP session (User-Agent, OAuth 1.0a signing, cookies, bot-password
login); the read requests go through `WikiClient.call`, which fills mwclient 0.11's gaps:
it sends `maxlag`, waits out HTTP 429 and `maxlag` errors for their Retry-After, retries 5xx,
timeouts, dropped connections and garbled JSON with bounded exponential backoff, and counts
every request it makes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlparse

import mwclient
import requests

from .. import __version__
from .errors import WikiAPIError, WikiAuthError, WikiInvalidURL, WikiResponseError, WikiUnavailable
from .types import Namespace, PageInfo, Revision, RevisionText, SiteInfo, WikiUser, parse_timestamp

__all__ = ["ClientSettings", "RequestGate", "WikiClient", "batched", "format_timestamp"]

log = logging.getLogger(__name__)

REVISION_PROPS = "ids|timestamp|flags|comment|user|userid|size|sha1|tags"
CONTRIB_PROPS = "ids|title|timestamp|comment|size|sizediff|flags|tags"


def batched(items: Sequence[Any] | Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Split items into lists of at most `size` (the API's 50-values limit)."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def format_timestamp(value: dt.datetime) -> str:
    """An aware datetime as the API's ISO 8601 UTC form."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RequestGate(Protocol):
    """Admission control shared by every client of one wiki host (see sync/jobs.py)."""

    def slot(self, host: str) -> contextlib.AbstractContextManager[None]:
        """Hold one of the host's concurrent-request slots for the duration of a request."""


class _NoGate:
    """The inline default: one process, one request at a time, nothing to coordinate."""

    def slot(self, host: str) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


# With slots, `ClientSettings.user_agent` is the slot, not this default: keep it apart.
DEFAULT_USER_AGENT = f"wikiseminar/{__version__}"


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Everything a WikiClient is configured with (read from the app config)."""

    user_agent: str = DEFAULT_USER_AGENT
    contact: str = ""
    timeout: float = 30.0
    max_retries: int = 5
    max_backoff: float = 60.0
    maxlag: int = 5
    users_per_request: int = 50
    contribs_limit: int = 0  # 0: the API's maximum (500, or 5000 with apihighlimits)
    revisions_per_request: int = 50
    history_limit: int = 0  # 0: the API's maximum
    bot_username: str = ""
    bot_password: str = ""
    oauth1: tuple[str, str, str, str] | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ClientSettings:
        """Read the WIKI_* keys of a Flask config."""
        oauth = (
            config.get("WIKI_OAUTH1_CONSUMER_TOKEN", ""),
            config.get("WIKI_OAUTH1_CONSUMER_SECRET", ""),
            config.get("WIKI_OAUTH1_ACCESS_TOKEN", ""),
            config.get("WIKI_OAUTH1_ACCESS_SECRET", ""),
        )
        return cls(
            user_agent=config.get("WIKI_USER_AGENT") or DEFAULT_USER_AGENT,
            contact=config.get("WIKI_CONTACT", ""),
            timeout=float(config.get("WIKI_TIMEOUT", 30.0)),
            max_retries=int(config.get("WIKI_MAX_RETRIES", 5)),
            max_backoff=float(config.get("WIKI_MAX_BACKOFF", 60.0)),
            maxlag=int(config.get("WIKI_MAXLAG", 5)),
            users_per_request=int(config.get("WIKI_CONTRIBS_USERS_PER_REQUEST", 50)),
            contribs_limit=int(config.get("WIKI_CONTRIBS_LIMIT", 0)),
            revisions_per_request=int(config.get("WIKI_REVISIONS_PER_REQUEST", 50)),
            history_limit=int(config.get("WIKI_HISTORY_LIMIT", 0)),
            bot_username=config.get("WIKI_BOT_USERNAME", ""),
            bot_password=config.get("WIKI_BOT_PASSWORD", ""),
            oauth1=oauth if all(oauth) else None,
        )

    @property
    def full_user_agent(self) -> str:
        """The User-Agent Wikimedia asks for: tool/version (operator contact)."""
        contact = self.contact.strip()
        return f"{self.user_agent} ({contact})" if contact else self.user_agent


def split_api_url(api_url: str) -> tuple[str, str, str]:
    """(scheme, host[:port], path) of an api.php URL, or WikiInvalidURL."""
    parsed = urlparse(api_url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise WikiInvalidURL(f"{api_url!r} is not an http(s) URL of api.php")
    if not parsed.path.endswith("/api.php"):
        raise WikiInvalidURL(f"{api_url!r} does not end with /api.php")
    path = parsed.path[: -len("api.php")]
    return parsed.scheme, parsed.netloc, path


class WikiClient:
    """Reads one wiki through its API; the only object in the project that does HTTP to a wiki."""

    def __init__(
        self,
        api_url: str,
        settings: ClientSettings | None = None,
        *,
        gate: RequestGate | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url.strip()
        self.settings = settings or ClientSettings()
        self.scheme, self.host, self.path = split_api_url(self.api_url)
        self.gate: RequestGate = gate or _NoGate()
        self.sleep = sleep
        self.requests = 0
        self.waited = 0.0
        self._logged_in = False
        # Becomes True after the first good answer: an odd answer before it means a bad URL.
        self.requests_ok = False
        oauth = self.settings.oauth1
        self.site = mwclient.Site(
            self.host,
            path=self.path,
            scheme=self.scheme,
            clients_useragent=self.settings.full_user_agent,
            do_init=False,
            force_login=False,
            max_retries=self.settings.max_retries,
            retry_timeout=1,
            max_lag=self.settings.maxlag,
            connection_options={"timeout": self.settings.timeout},
            consumer_token=oauth[0] if oauth else None,
            consumer_secret=oauth[1] if oauth else None,
            access_token=oauth[2] if oauth else None,
            access_secret=oauth[3] if oauth else None,
        )
        # Count every HTTP round trip, including mwclient's own (login).
        self.site.connection.hooks["response"].append(self._count)

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.requests += 1

    # -- the request loop ------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, capped: 1, 2, 4 … seconds."""
        base = min(self.settings.max_backoff, 2.0**attempt)
        return min(self.settings.max_backoff, base * (0.75 + random.random() / 2))

    def _wait(self, seconds: float, why: str) -> None:
        log.warning("%s: %s, waiting %.1f s", self.host, why, seconds)
        self.waited += seconds
        self.sleep(seconds)

    def call(self, params: dict[str, Any], *, post: bool = False) -> dict[str, Any]:
        """One API request with formatversion=2 and maxlag, retried within bounds."""
        data = {"format": "json", "formatversion": "2", "maxlag": str(self.settings.maxlag)}
        data.update({k: _param(v) for k, v in params.items() if v is not None})
        last_problem = "no attempt made"
        for attempt in range(self.settings.max_retries + 1):
            try:
                with self.gate.slot(self.host):
                    response = self.site.connection.request(
                        "POST" if post else "GET",
                        self.api_url,
                        params=None if post else data,
                        data=data if post else None,
                        timeout=self.settings.timeout,
                        headers={"Accept-Encoding": "gzip"},
                    )
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"{type(exc).__name__}"
                self._wait(self._backoff(attempt), f"connection problem ({last_problem})")
                continue
            except requests.RequestException as exc:
                raise WikiUnavailable(f"{self.host}: request failed: {exc}") from exc
            status = response.status_code
            if status == 429 or status == 503 and response.headers.get("Retry-After"):
                wait = _retry_after(response, self._backoff(attempt))
                last_problem = f"HTTP {status}"
                self._wait(wait, f"HTTP {status} (rate limited)")
                continue
            if 500 <= status < 600:
                last_problem = f"HTTP {status}"
                self._wait(self._backoff(attempt), f"HTTP {status}")
                continue
            if status == 404 and attempt == 0 and not self.requests_ok:
                raise WikiInvalidURL(f"{self.api_url}: HTTP 404, not a MediaWiki api.php")
            if status >= 400:
                raise WikiUnavailable(f"{self.host}: HTTP {status} for {self.api_url}")
            try:
                payload = response.json()
            except ValueError:
                last_problem = "invalid JSON"
                if not self.requests_ok and "json" not in response.headers.get("Content-Type", ""):
                    raise WikiInvalidURL(
                        f"{self.api_url} does not answer like a MediaWiki API (no JSON)"
                    ) from None
                self._wait(self._backoff(attempt), "malformed JSON")
                continue
            if not isinstance(payload, dict):
                raise WikiResponseError(f"{self.host}: unexpected API answer {str(payload)[:80]}")
            error = payload.get("error")
            if error:
                code = str(error.get("code", "unknown"))
                if code == "maxlag":
                    wait = max(5.0, _retry_after(response, 5.0))
                    last_problem = "replication lag (maxlag)"
                    self._wait(wait, last_problem)
                    continue
                if code in ("ratelimited", "internal_api_error_DBConnectionError",
                            "internal_api_error_DBQueryError", "readonly"):
                    last_problem = f"API error {code}"
                    self._wait(_retry_after(response, self._backoff(attempt)), last_problem)
                    continue
                info = str(error.get("info", error.get("*", "")))
                raise WikiAPIError(code, info, self.host)
            self.requests_ok = True
            return payload
        raise WikiUnavailable(
            f"{self.host}: gave up after {self.settings.max_retries + 1} attempts ({last_problem})"
        )

    def query(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Run an action=query and follow `continue` until the answer is complete."""
        base = {"action": "query", **params}
        cont: dict[str, Any] = {}
        while True:
            payload = self.call({**base, **cont})
            yield payload.get("query", {})
            if "continue" not in payload:
                return
            cont = dict(payload["continue"])

    # -- session -----------------------------------------------------------------------------

    def login(self) -> None:
        """Log in with the configured bot password (OAuth 1.0a signs requests and needs none).

        Two requests (a login token, then action=login), through the same retrying loop as
        every read; the session cookie then identifies the sync for the wiki's rate limits.
        mwclient's own login would also re-read siteinfo, a third request every run.
        """
        if self._logged_in or not self.settings.bot_username:
            return
        token = self.call({"action": "query", "meta": "tokens", "type": "login"})
        login_token = token.get("query", {}).get("tokens", {}).get("logintoken")
        if not login_token:
            raise WikiAuthError(f"{self.host}: the wiki gave no login token")
        answer = self.call({
            "action": "login", "lgname": self.settings.bot_username,
            "lgpassword": self.settings.bot_password, "lgtoken": login_token,
        }, post=True).get("login", {})
        if answer.get("result") != "Success":
            reason = answer.get("reason") or answer.get("result") or "unknown reason"
            if isinstance(reason, dict):
                reason = reason.get("text") or reason.get("code") or "unknown reason"
            raise WikiAuthError(
                f"{self.host}: login as {self.settings.bot_username} failed ({reason})")
        self._logged_in = True

    # -- reads -----------------------------------------------------------------------------

    def siteinfo(self) -> SiteInfo:
        """Namespaces (local names and aliases), language and URL patterns of the wiki."""
        payload = self.call({
            "action": "query", "meta": "siteinfo",
            "siprop": "general|namespaces|namespacealiases",
        })
        query = payload.get("query")
        if not isinstance(query, dict) or "general" not in query:
            raise WikiInvalidURL(f"{self.api_url} did not return siteinfo: not a MediaWiki API")
        general = query["general"]
        aliases: dict[int, list[str]] = {}
        for alias in query.get("namespacealiases", []):
            aliases.setdefault(int(alias["id"]), []).append(alias.get("alias") or alias.get("*"))
        namespaces = {}
        for key, ns in query.get("namespaces", {}).items():
            ns_id = int(ns.get("id", key))
            namespaces[ns_id] = Namespace(
                id=ns_id,
                name=ns.get("name", ns.get("*", "")),
                canonical=ns.get("canonical", "" if ns_id == 0 else None),
                aliases=tuple(aliases.get(ns_id, ())),
                content=bool(ns.get("content", False)),
            )
        server = general.get("server", "")
        if server.startswith("//"):
            server = f"{self.scheme}:{server}"
        return SiteInfo(
            api_url=self.api_url,
            sitename=general.get("sitename", ""),
            lang=general.get("lang", "en"),
            server=server,
            articlepath=general.get("articlepath", "/wiki/$1"),
            script=general.get("script", "/w/index.php"),
            generator=general.get("generator", ""),
            namespaces=namespaces,
        )

    def users(self, names: Iterable[str]) -> list[WikiUser]:
        """Look accounts up by name (50 a request); missing and invalid ones are flagged."""
        return self._users("ususers", [n for n in names if n])

    def users_by_id(self, ids: Iterable[int]) -> list[WikiUser]:
        """Look accounts up by user id: follows renames."""
        return self._users("ususerids", [int(i) for i in ids])

    def _users(self, key: str, values: list[Any]) -> list[WikiUser]:
        found: list[WikiUser] = []
        for chunk in batched(values, self.settings.users_per_request):
            payload = self.call({
                "action": "query", "list": "users", key: chunk,
                "usprop": "registration|editcount",
            })
            for user in payload.get("query", {}).get("users", []):
                registration = user.get("registration")
                found.append(WikiUser(
                    name=user.get("name", ""),
                    userid=user.get("userid"),
                    missing=bool(user.get("missing")),
                    invalid=bool(user.get("invalid")),
                    registration=parse_timestamp(registration) if registration else None,
                    editcount=user.get("editcount"),
                ))
        return found

    def contributions(
        self,
        userids: Sequence[int],
        *,
        start: dt.datetime,
        end: dt.datetime,
        namespaces: Sequence[int],
    ) -> Iterator[Revision]:
        """Every edit of these accounts between start and end, oldest first per account."""
        for chunk in batched(userids, self.settings.users_per_request):
            for query in self.query({
                "list": "usercontribs",
                "ucuserids": chunk,
                "ucdir": "newer",
                "ucstart": format_timestamp(start),
                "ucend": format_timestamp(end),
                "ucnamespace": list(namespaces),
                "uclimit": self.settings.contribs_limit or "max",
                "ucprop": CONTRIB_PROPS,
            }):
                for item in query.get("usercontribs", []):
                    yield _contribution(item)

    def revision_texts(self, revids: Iterable[int]) -> Iterator[tuple[Revision, RevisionText]]:
        """Metadata and main-slot wikitext of revisions, 50 ids a request, following continue."""
        for chunk in batched(sorted(set(revids)), self.settings.revisions_per_request):
            seen: set[int] = set()
            for query in self.query({
                "prop": "revisions", "revids": chunk, "rvslots": "main",
                "rvprop": REVISION_PROPS + "|content",
            }):
                for page in query.get("pages", []):
                    for item in page.get("revisions", []):
                        if item["revid"] in seen:
                            continue
                        seen.add(item["revid"])
                        yield _page_revision(page, item)
                for bad in query.get("badrevids", {}).values() if isinstance(
                    query.get("badrevids"), dict) else query.get("badrevids", []):
                    revid = int(bad.get("revid", 0))
                    if revid and revid not in seen:
                        seen.add(revid)
                        yield (
                            Revision(revid=revid, pageid=0, title="", namespace=0,
                                     timestamp=dt.datetime.fromtimestamp(0, dt.UTC),
                                     texthidden=True),
                            RevisionText(revid=revid, pageid=0, text=None, missing=True),
                        )

    def page_history(self, pageid: int, *, after_revid: int | None = None) -> Iterator[Revision]:
        """A page's revisions by anyone, oldest first, without text (texts are fetched by id,
        only those not stored yet); only the revisions after `after_revid`."""
        params: dict[str, Any] = {
            "prop": "revisions", "pageids": pageid, "rvprop": REVISION_PROPS, "rvdir": "newer",
            "rvlimit": self.settings.history_limit or "max",
        }
        if after_revid:
            params["rvstartid"] = after_revid
        for query in self.query(params):
            for page in query.get("pages", []):
                for item in page.get("revisions", []):
                    if after_revid and item["revid"] <= after_revid:
                        continue
                    yield _page_revision(page, item)[0]

    def recent_texts(self, title: str, *, back_to: dt.datetime,
                     after_revid: int | None = None, limit: int = 20) -> list[Revision]:
        """A page's revisions with text, newest first, down to the last one made before
        `back_to` (included: the state at that date) or to `after_revid` (excluded).

        For talk pages, whose ratings change rarely: one request covers the usual case, and
        reading stops as soon as the older end is reached (continuation only if needed).
        """
        params: dict[str, Any] = {
            "prop": "revisions", "titles": title, "rvslots": "main", "rvdir": "older",
            "rvprop": "ids|timestamp|user|userid|size|content", "rvlimit": limit,
        }
        found: list[Revision] = []
        for query in self.query(params):
            for page in query.get("pages", []):
                for item in page.get("revisions", []):
                    if after_revid and int(item["revid"]) <= after_revid:
                        return found
                    revision = _page_revision(page, item)[0]
                    found.append(revision)
                    if revision.timestamp < back_to:
                        return found
        return found

    def page_infos(self, pageids: Iterable[int], *,
                   categories: Sequence[str] = ()) -> list[PageInfo]:
        """Current title, namespace, last revision and existence of pages (moves, deletions).

        With `categories` (full titles, e.g. "Catégorie:Admissibilité à vérifier"), the same
        request also says which of those categories each page is in: the answer stays small
        (only the categories asked about), so it costs no extra request.
        """
        infos: dict[int, PageInfo] = {}
        for chunk in batched(sorted(set(pageids)), self.settings.revisions_per_request):
            params: dict[str, Any] = {"prop": "info", "pageids": chunk}
            if categories:
                params.update(prop="info|categories", clcategories=list(categories),
                              cllimit="max")
            for query in self.query(params):
                for page in query.get("pages", []):
                    info = _page_info(page)
                    known = infos.get(info.pageid)
                    if known is not None:  # a continuation answer: more categories
                        info = known.replace(categories=known.categories + info.categories)
                    infos[info.pageid] = info
        return list(infos.values())

    def title_infos(self, titles: Iterable[str]) -> list[PageInfo]:
        """Normalise titles and say whether each page exists (invalid titles raise nothing)."""
        infos: list[PageInfo] = []
        for chunk in batched(list(titles), self.settings.revisions_per_request):
            payload = self.call({"action": "query", "prop": "info", "titles": chunk})
            for page in payload.get("query", {}).get("pages", []):
                infos.append(_page_info(page))
        return infos

    def normalise_titles(self, titles: Sequence[str]) -> dict[str, PageInfo | str]:
        """Map each typed title to its PageInfo, or to the wiki's reason when it is invalid."""
        result: dict[str, PageInfo | str] = {}
        for chunk in batched(list(titles), self.settings.revisions_per_request):
            payload = self.call({"action": "query", "prop": "info", "titles": chunk})
            query = payload.get("query", {})
            renamed = {n["from"]: n["to"] for n in query.get("normalized", [])}
            by_title: dict[str, PageInfo | str] = {}
            for page in query.get("pages", []):
                if page.get("invalid"):
                    by_title[page.get("title", "")] = str(page.get("invalidreason", "invalid"))
                else:
                    by_title[page["title"]] = _page_info(page)
            for typed in chunk:
                key = renamed.get(typed, typed)
                result[typed] = by_title.get(key, "invalid title")
        return result

    def page_text(self, title: str) -> str | None:
        """The current wikitext of a page by title, None when it does not exist."""
        payload = self.call({
            "action": "query", "prop": "revisions", "titles": title, "rvslots": "main",
            "rvprop": "content|ids",
        })
        for page in payload.get("query", {}).get("pages", []):
            if page.get("missing") or page.get("invalid"):
                return None
            for item in page.get("revisions", []):
                return _content(item)
        return None


def _param(value: Any) -> str:
    """Encode one API parameter: lists joined with '|', booleans as 1."""
    if isinstance(value, (list, tuple, set)):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _retry_after(response: requests.Response, default: float) -> float:
    """Seconds from a Retry-After header (delta form), else the default."""
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
    return default


def _content(item: dict[str, Any]) -> str | None:
    """Main-slot content of a formatversion=2 revision (or the old '*' form)."""
    slots = item.get("slots")
    if isinstance(slots, dict):
        main = slots.get("main", {})
        if main.get("texthidden") or main.get("missing"):
            return None
        return main.get("content", main.get("*"))
    return item.get("content", item.get("*"))


def _contribution(item: dict[str, Any]) -> Revision:
    """A usercontribs item as a Revision (no text)."""
    return Revision(
        revid=int(item["revid"]),
        parentid=int(item.get("parentid") or 0),
        pageid=int(item["pageid"]),
        title=item.get("title", ""),
        namespace=int(item.get("ns", 0)),
        timestamp=parse_timestamp(item["timestamp"]),
        user=item.get("user"),
        userid=item.get("userid"),
        size=item.get("size"),
        sizediff=item.get("sizediff"),
        comment=item.get("comment"),
        tags=tuple(item.get("tags", ())),
        minor=bool(item.get("minor")),
        new=bool(item.get("new")),
        texthidden=bool(item.get("texthidden")),
        userhidden=bool(item.get("userhidden")),
        commenthidden=bool(item.get("commenthidden")),
        suppressed=bool(item.get("suppressed")),
        top=bool(item.get("top")),
    )


def _page_revision(page: dict[str, Any], item: dict[str, Any]) -> tuple[Revision, RevisionText]:
    """A prop=revisions item with its page as (Revision, RevisionText)."""
    text = _content(item)
    hidden = bool(item.get("texthidden")) or (
        isinstance(item.get("slots"), dict)
        and bool(item["slots"].get("main", {}).get("texthidden"))
    )
    revision = Revision(
        revid=int(item["revid"]),
        parentid=int(item.get("parentid") or 0),
        pageid=int(page.get("pageid", 0)),
        title=page.get("title", ""),
        namespace=int(page.get("ns", 0)),
        timestamp=parse_timestamp(item["timestamp"]),
        user=item.get("user"),
        userid=item.get("userid"),
        size=item.get("size"),
        sha1=item.get("sha1"),
        comment=item.get("comment"),
        tags=tuple(item.get("tags", ())),
        minor=bool(item.get("minor")),
        new=int(item.get("parentid") or 0) == 0,
        texthidden=hidden,
        userhidden=bool(item.get("userhidden")),
        commenthidden=bool(item.get("commenthidden")),
        suppressed=bool(item.get("suppressed")),
        text=text,
    )
    return revision, RevisionText(
        revid=revision.revid, pageid=revision.pageid, text=text, sha1=revision.sha1,
        texthidden=hidden or text is None,
    )


def _page_info(page: dict[str, Any]) -> PageInfo:
    """A prop=info page as PageInfo."""
    return PageInfo(
        pageid=int(page.get("pageid", 0)),
        title=page.get("title", ""),
        namespace=int(page.get("ns", 0)),
        lastrevid=page.get("lastrevid"),
        length=page.get("length"),
        redirect=bool(page.get("redirect")),
        missing=bool(page.get("missing")),
        categories=tuple(c.get("title", "") for c in page.get("categories", ())),
    )
