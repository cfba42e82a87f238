"""Stream a Special:Export XML file (schemas 0.3 to 0.11) into `Revision` records with text.

The file may be plain or compressed with gzip, bzip2, xz or lzma — detected from its first
bytes, not its name. Elements are cleared as soon as a revision is read, so memory stays at
one revision's text whatever the file size. `<siteinfo>` becomes a `SiteInfo`.
"""

from __future__ import annotations

import io
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from .errors import ExportFormatError
from .sha1 import sha1_base36
from .types import Namespace, Revision, SiteInfo, parse_timestamp

# Only for the type checker: `analyze` starts without `typing`, the decompressors and urllib
# (imported where a file needs them; docs/benchmarks.md, section 10).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any, BinaryIO, Protocol

    Source = str | os.PathLike[str] | BinaryIO

__all__ = ["ExportReader", "HistoryFile", "open_binary", "open_history", "read_export"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Canonical names of core namespaces: exports only give the local name.
_CANONICAL = {
    -2: "Media", -1: "Special", 0: "", 1: "Talk", 2: "User", 3: "User talk", 4: "Project",
    5: "Project talk", 6: "File", 7: "File talk", 8: "MediaWiki", 9: "MediaWiki talk",
    10: "Template", 11: "Template talk", 12: "Help", 13: "Help talk", 14: "Category",
    15: "Category talk",
}
_UNIVERSAL_ALIASES = {6: ("Image",), 7: ("Image talk",)}

# Special:Export's XML namespace, one per schema version (export-0.10/, export-0.11/, ...).
_EXPORT_NS_PREFIXES = ("{http://www.mediawiki.org/xml/export-",
                       "{https://www.mediawiki.org/xml/export-")


class _Counting(io.RawIOBase):
    """A read-only wrapper that remembers how many compressed bytes were consumed."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.position += n
        return n


def open_binary(source: Source) -> tuple[IO[bytes], _Counting, str]:
    """Open a file (or binary stream) decompressing by magic bytes.

    Returns (decompressed stream, counter of raw bytes read, display name).
    """
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            raw: BinaryIO = open(name, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise ExportFormatError(f"{name}: cannot open ({exc.strerror})") from exc
    else:
        raw = source
        name = str(getattr(source, "name", "<stream>"))
    counting = _Counting(raw)
    buffered = io.BufferedReader(counting, 1 << 16)
    head = buffered.peek(6)[:6]
    stream: IO[bytes] = buffered
    if head.startswith(b"\x1f\x8b"):
        import gzip

        stream = gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]
    elif head.startswith(b"BZh"):
        import bz2

        stream = bz2.BZ2File(buffered, "rb")  # type: ignore[assignment]
    elif head.startswith(b"\xfd7zXZ\x00"):
        import lzma

        stream = lzma.LZMAFile(buffered, "rb", format=lzma.FORMAT_XZ)  # type: ignore[assignment]
    elif head[:1] == b"\x5d" and len(head) >= 5:
        # .lzma ("alone") files start with the properties byte, usually 0x5D; no XML or
        # JSON document can start with ']'.
        import lzma

        stream = lzma.LZMAFile(  # type: ignore[assignment]
            buffered, "rb", format=lzma.FORMAT_ALONE)
    return stream, counting, name


def read_errors(*more: type[Exception]) -> tuple[type[Exception], ...]:
    """What reading a truncated or corrupt file raises: EOFError, OSError, and the
    decompressors' own errors (zlib's under gzip, lzma's), once a file loaded them."""
    lzma, zlib = sys.modules.get("lzma"), sys.modules.get("zlib")
    own = ((lzma.LZMAError,) if lzma is not None else ()) + ((zlib.error,) if zlib else ())
    return (EOFError, OSError, *more, *own)


def _local(tag: str) -> str:
    """An element's name without its XML namespace."""
    return tag.rsplit("}", 1)[-1]


def _child_text(elem: ET.Element, ns: str, name: str) -> str | None:
    """The text of a direct child, or None when there is no such child."""
    child = elem.find(ns + name)
    if child is None:
        return None
    return child.text or ""


def split_base(base: str) -> tuple[str, str]:
    """(server, path) of <siteinfo>'s <base>, the main page's URL: ('https://fr.wikipedia.org',
    '/wiki/Wikipédia:Accueil_principal'); ('', text) when it has no scheme and host.

    What `urllib.parse.urlsplit` gives for such URLs (a test compares them), without importing
    urllib and ipaddress for it: 2 ms of every `analyze` run (docs/benchmarks.md, section 10).
    """
    text = base.strip().partition("#")[0].partition("?")[0]
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme.isascii() or not scheme.isalpha():
        return "", text
    netloc, slash, path = rest.partition("/")
    return (f"{scheme.lower()}://{netloc}" if netloc else ""), slash + path


def _siteinfo(elem: ET.Element, ns: str, lang: str | None) -> SiteInfo:
    """Build a SiteInfo from <siteinfo>: names, language, server and article path."""
    server, path = split_base(_child_text(elem, ns, "base") or "")
    articlepath = path[: path.rfind("/") + 1] + "$1" if "/" in path else "/wiki/$1"
    namespaces: dict[int, Namespace] = {}
    container = elem.find(ns + "namespaces")
    if container is not None:
        for item in container:
            try:
                key = int(item.get("key", ""))
            except ValueError:
                continue
            local = (item.text or "").strip()
            canonical = _CANONICAL.get(key)
            aliases = _UNIVERSAL_ALIASES.get(key, ())
            namespaces[key] = Namespace(key, local, canonical, aliases, key == 0)
    kwargs: dict[str, Any] = {}
    if namespaces:
        kwargs["namespaces"] = namespaces
    return SiteInfo(
        sitename=_child_text(elem, ns, "sitename") or "",
        lang=lang or "en",
        server=server,
        articlepath=articlepath,
        generator=_child_text(elem, ns, "generator") or "",
        **kwargs,
    )


class ExportReader:
    """Iterate the revisions of a Special:Export file; `siteinfo` is read first."""

    def __init__(self, source: Source) -> None:
        self._owns = isinstance(source, (str, os.PathLike))
        self._stream, self._counter, self.name = open_binary(source)
        self.total_bytes = self._size(source)
        self._events = self._generate()
        self._siteinfo: SiteInfo | None = None
        self._first: Revision | None = None
        self._started = False

    @staticmethod
    def _size(source: Source) -> int | None:
        """Size of the file on disk (for a progress bar), when known."""
        try:
            if isinstance(source, (str, os.PathLike)):
                return os.path.getsize(source)
            return os.fstat(source.fileno()).st_size
        except (OSError, AttributeError, io.UnsupportedOperation):
            return None

    @property
    def bytes_read(self) -> int:
        """Bytes of the (possibly compressed) file consumed so far."""
        return self._counter.position

    @property
    def siteinfo(self) -> SiteInfo:
        """The export's <siteinfo> (defaults when the file has none)."""
        if self._siteinfo is None:
            self._start()
        assert self._siteinfo is not None
        return self._siteinfo

    def _start(self) -> None:
        """Read up to the end of <siteinfo> (or the first page)."""
        if self._started:
            return
        self._started = True
        first = next(self._events, None)
        if isinstance(first, SiteInfo):
            self._siteinfo = first
        else:
            self._siteinfo = SiteInfo()
            self._first = first

    def __iter__(self) -> Iterator[Revision]:
        self._start()
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        for item in self._events:
            if isinstance(item, Revision):
                yield item

    def close(self) -> None:
        """Close the underlying file when this reader opened it."""
        self._stream.close()
        if self._owns:
            self._counter.raw.close()

    def __enter__(self) -> ExportReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, message: str) -> ExportFormatError:
        return ExportFormatError(f"{self.name}: {message}")

    def _generate(self) -> Iterator[SiteInfo | Revision]:
        """Parse events into one SiteInfo then Revisions, translating every failure."""
        try:
            yield from self._parse()
        except ET.ParseError as exc:
            line, column = getattr(exc, "position", (0, 0))
            reason = str(exc).split(":")[0]
            raise self._fail(f"line {line}, column {column}: malformed XML ({reason})") from exc
        except read_errors(ValueError) as exc:
            if isinstance(exc, ExportFormatError):
                raise
            raise self._fail(f"corrupt or truncated file ({exc})") from exc

    def _parse(self) -> Iterator[SiteInfo | Revision]:
        """The iterparse loop: siteinfo, then per page its revisions, clearing as it goes."""
        events = ET.iterparse(self._stream, events=("start", "end"))
        root: ET.Element | None = None
        ns = ""
        lang: str | None = None
        site_sent = False
        site = SiteInfo()
        page: ET.Element | None = None
        title = ""
        pageid = 0
        namespace: int | None = None
        previous: Revision | None = None
        first_in_page = True
        for event, elem in events:
            if root is None:
                root = elem
                if _local(elem.tag) != "mediawiki":
                    raise self._fail(f"not a MediaWiki export (root element <{_local(elem.tag)}>)")
                ns = elem.tag[: elem.tag.index("}") + 1] if elem.tag.startswith("{") else ""
                if ns and not ns.startswith(_EXPORT_NS_PREFIXES):
                    raise self._fail(f"not a MediaWiki export (namespace {ns[1:-1]!r})")
                lang = elem.get(_XML_LANG)
                continue
            name = _local(elem.tag)
            if event == "start":
                if name == "page":
                    page = elem
                    if not site_sent:
                        site_sent = True
                        site = SiteInfo(lang=lang or "en")
                        yield site
                    title, pageid, namespace, previous, first_in_page = "", 0, None, None, True
                continue
            if name == "siteinfo":
                site = _siteinfo(elem, ns, lang)
                site_sent = True
                yield site
                root.remove(elem)
            elif page is not None and name in ("title", "id", "ns") and elem in page:
                text = (elem.text or "").strip()
                if name == "title":
                    title = text
                elif name == "ns":
                    namespace = _int(text)
                else:
                    pageid = _int(text) or 0
            elif name == "revision" and page is not None:
                if namespace is None:
                    namespace = site.split_title(title)[0]
                rev = self._revision(elem, ns, title, pageid, namespace, previous, first_in_page)
                first_in_page = False
                previous = rev
                page.remove(elem)
                elem.clear()
                yield rev
            elif name in ("upload", "logitem") and page is not None and elem in page:
                page.remove(elem)
            elif name == "page":
                page = None
                root.clear()
        if root is None:
            raise self._fail("empty file")
        if not site_sent:
            yield SiteInfo(lang=lang or "en")

    def _revision(self, elem: ET.Element, ns: str, title: str, pageid: int, namespace: int,
                  previous: Revision | None, first_in_page: bool) -> Revision:
        """One <revision> element as a Revision (hidden parts flagged, sha1 filled in)."""
        revid = _int(_child_text(elem, ns, "id"))
        if revid is None:
            raise self._fail(f"page {title!r}: revision without an <id>")
        stamp = _child_text(elem, ns, "timestamp")
        try:
            timestamp = parse_timestamp(stamp or "")
        except ValueError as exc:
            raise self._fail(f"revision {revid}: bad timestamp {stamp!r}") from exc
        parent_text = _child_text(elem, ns, "parentid")
        if parent_text is not None:
            parentid = _int(parent_text) or 0
        else:
            # Old schemas have no <parentid>: the previous revision in the page is the
            # parent, and the first one is taken as the page's creation.
            parentid = 0 if first_in_page or previous is None else previous.revid
        user: str | None = None
        userid: int | None = None
        userhidden = False
        contributor = elem.find(ns + "contributor")
        if contributor is not None:
            if contributor.get("deleted") is not None:
                userhidden = True
            else:
                user = _child_text(contributor, ns, "username")
                if user is not None:
                    userid = _int(_child_text(contributor, ns, "id"))
                else:
                    user = _child_text(contributor, ns, "ip")
                    userid = 0 if user is not None else None
        comment_el = elem.find(ns + "comment")
        commenthidden = comment_el is not None and comment_el.get("deleted") is not None
        comment = None if comment_el is None or commenthidden else (comment_el.text or "")
        text_el = elem.find(ns + "text")
        text: str | None = None
        texthidden = False
        size: int | None = None
        if text_el is not None:
            texthidden = text_el.get("deleted") is not None
            declared = _int(text_el.get("bytes"))
            if not texthidden:
                text = text_el.text or ""
                if not text and declared:
                    text = None  # a stub dump: the text is stored elsewhere
            size = declared
        sha1 = (_child_text(elem, ns, "sha1") or "").strip() or None
        size, sha1, sizediff = derived_facts(text, size, sha1, parentid, previous)
        return Revision(
            revid=revid,
            pageid=pageid,
            title=title,
            namespace=namespace,
            timestamp=timestamp,
            parentid=parentid,
            user=user,
            userid=userid,
            size=size,
            sizediff=sizediff,
            sha1=sha1,
            comment=comment,
            minor=elem.find(ns + "minor") is not None,
            new=parentid == 0,
            texthidden=texthidden,
            userhidden=userhidden,
            commenthidden=commenthidden,
            text=text,
        )


def derived_facts(text: str | None, size: int | None, sha1: str | None, parentid: int,
                  previous: Revision | None) -> tuple[int | None, str | None, int | None]:
    """(size, sha1, size diff) of an exported revision, computed from its text where the
    export leaves them out: size in UTF-8 bytes, MediaWiki's base-36 sha1, and the difference
    with the previous revision of the page (a creation's diff is its size)."""
    if size is None and text is not None:
        size = len(text.encode("utf-8", "surrogatepass"))
    if sha1 is None and text is not None:
        sha1 = sha1_base36(text)
    sizediff = None
    if size is not None:
        if parentid == 0:
            sizediff = size
        elif previous is not None and previous.size is not None:
            sizediff = size - previous.size
    return size, sha1, sizediff


def _int(value: str | None) -> int | None:
    """An integer, or None when absent or not a number."""
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def read_export(source: Source) -> ExportReader:
    """Open a Special:Export file for streaming (use as a context manager)."""
    return ExportReader(source)


if TYPE_CHECKING:

    class HistoryFile(Protocol):
        """What `open_history` returns: an ExportReader or a revisionjson.RevisionJsonFile."""

        name: str

        @property
        def siteinfo(self) -> SiteInfo: ...

        @property
        def total_bytes(self) -> int | None: ...

        @property
        def bytes_read(self) -> int: ...

        def __iter__(self) -> Iterator[Revision]: ...

        def close(self) -> None: ...

        def __enter__(self) -> HistoryFile: ...

        def __exit__(self, *exc: object) -> None: ...


def open_history(source: Source) -> HistoryFile:
    """Open a history file of either kind: Special:Export XML or prop=revisions JSON.

    The kind is sniffed from the first non-blank character after decompression.
    """
    stream, counter, name = open_binary(source)
    try:
        peekable = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(
            stream, 1 << 16)  # type: ignore[arg-type, type-var]  # a decompressor reads as raw
        head = peekable.peek(512)[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    except read_errors() as exc:
        raise ExportFormatError(f"{name}: corrupt or truncated file ({exc})") from exc
    finally:
        if isinstance(source, (str, os.PathLike)):
            stream.close()
            counter.raw.close()
    if isinstance(source, (str, os.PathLike)):
        if head[:1] in (b"[", b"{"):
            from .revisionjson import RevisionJsonFile

            return RevisionJsonFile(source)
        if head[:1] != b"<":
            kind = "empty" if not head else "neither XML nor JSON"
            raise ExportFormatError(f"{name}: {kind}: expected a Special:Export XML file or "
                                    "a prop=revisions JSON file")
        return ExportReader(source)
    raise ExportFormatError(f"{name}: open_history needs a path")
