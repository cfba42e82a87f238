"""How a page's authorship state is stored: versioned, zlib-compressed arrays, no pickle.

`to_bytes` and `from_bytes` write and read the state's arrays as they are, so nothing is
recomputed over the whole history when a sync saves or loads a page. Revision flags and
timestamps are kept in the stored integer forms defined here.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate, chain

from .authorship_store import EventRuns, IdRuns, from_le, to_le

TYPE_CHECKING = False  # no `typing` at run time (docs/benchmarks.md, section 10)
if TYPE_CHECKING:
    from typing import Any, Self

FORMAT_VERSION = 1
_MAGIC = b"WSAUTH"
_NO_TIME = -(2**63)  # stored timestamp of a revision given without one

# Level 2: as fast as level 1 and 3 % smaller; level 6 saves another 10 % but takes 4× longer.
_ZLIB_LEVEL = 2

_KEPT = 1  # revision flag: analysed and kept (WikiWho's "ordered_revisions")
_VANDAL = 2  # revision flag: flagged as vandalism and skipped


def _to_micros(ts: dt.datetime | None) -> int:
    """A timestamp as integer microseconds since the epoch (UTC assumed when naive)."""
    if ts is None:
        return _NO_TIME
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    delta = ts - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_micros(us: int) -> dt.datetime | None:
    """The inverse of `_to_micros`."""
    if us == _NO_TIME:
        return None
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


def _hash_table(hashes: Sequence[int]) -> dict[int, list[int]]:
    """hash -> ids in creation order."""
    table: dict[int, list[int]] = {}
    for i, h in enumerate(hashes):
        got = table.get(h)
        if got is None:
            table[h] = [i]
        else:
            got.append(i)
    return table


class _StateFields:
    """The attributes `PageAuthorship.__init__` sets, declared for the mixins that use them.

    Annotations only (no values): `StateStorage` and `StateMatching` read and write these on the
    `PageAuthorship` they are mixed into; `PageAuthorship.__init__` documents and sets them.
    """

    _revids: list[int]
    _rev_index: dict[int, int]
    _rev_editor: array
    _rev_time: array
    _rev_flags: bytearray
    _editors: list[str]
    _editor_index: dict[str, int]
    _tok_value: list[str]
    _tok_origin: array | None
    _tok_word: bytearray
    _words: bool
    _outs: EventRuns
    _ins: EventRuns
    _event_index: dict[int, tuple[list[int], list[int]]] | None
    _s_hash: list[int]
    _s_off: array
    _s_len: array
    _s_members: IdRuns
    _s_ht: dict[int, list[int]]
    _p_hash: list[int]
    _p_off: array
    _p_len: array
    _p_members: IdRuns
    _p_ht: dict[int, list[int]]
    _p_tokens: dict[int, tuple[int, ...]]
    _p_sentences: dict[int, Sequence[int]]
    _s_tokens: dict[int, Sequence[int]]
    _cur: int
    _cur_pids: list[int]
    _cur_length: int
    _cur_present: set[int] | None
    _cur_text: str | None
    _display: tuple[bytes, dict[int, str]] | None
    _rev_new: array
    _spam_hashes: set[int]
    _recent: list[tuple[int, int]]
    _reverts: dict[int, list[int]]
    _hash_memo: dict[str, int]


class StateStorage(_StateFields):
    """Saving and loading of `PageAuthorship` (its attributes are set by its constructor)."""

    def __getattr__(self, name: str) -> Any:  # pragma: no cover - typing aid only
        raise AttributeError(name)

    def to_bytes(self) -> bytes:
        """The whole state as compact bytes (zlib, versioned; arrays and JSON, no pickle)."""
        if not self._words:
            raise ValueError("a state built with words=False has no word flags to store")
        blobs: list[tuple[str, bytes]] = []

        def put(name: str, data: bytes | array) -> None:
            blobs.append((name, to_le(data) if isinstance(data, array) else data))

        reverts = sorted(self._reverts)
        put("revids", array("q", self._revids))
        put("rev_editor", self._rev_editor)
        put("rev_time", self._rev_time)
        put("rev_flags", bytes(self._rev_flags))
        put("rev_new", self._rev_new)
        put("tok_values", "\n".join(self._tok_value).encode("utf-8", "surrogatepass"))
        put("tok_word", bytes(self._tok_word))
        for name, log in (("out", self._outs), ("in", self._ins)):
            put(f"{name}_jumps", log.jumps)
            put(f"{name}_lengths", log.lengths)
            put(f"{name}_rev_steps", log.rev_steps)
        for name, hashes, lengths, runs in (
            ("s", self._s_hash, self._s_len, self._s_members),
            ("p", self._p_hash, self._p_len, self._p_members),
        ):
            put(f"{name}_hash", array("Q", hashes))
            put(f"{name}_len", lengths)
            put(f"{name}_jumps", runs.jumps)
            put(f"{name}_lengths", runs.lengths)
        put("cur_pids", array("I", self._cur_pids))
        put("cur_text", (self._cur_text or "").encode("utf-8", "surrogatepass"))
        put("spam", array("Q", sorted(self._spam_hashes)))
        put("recent_hash", array("Q", (h for h, _ in self._recent)))
        put("recent_rev", array("I", (r for _, r in self._recent)))
        put("revert_revs", array("I", reverts))
        put("revert_counts", array("I", (len(self._reverts[r]) for r in reverts)))
        put("revert_undone", array("I", chain.from_iterable(self._reverts[r] for r in reverts)))
        header = {
            "version": FORMAT_VERSION,
            "editors": self._editors,
            "cur": self._cur,
            "cur_length": self._cur_length,
            "blobs": [[name, len(data)] for name, data in blobs],
        }
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        payload = b"".join(chain((len(head).to_bytes(4, "little"), head), (d for _, d in blobs)))
        return _MAGIC + bytes([FORMAT_VERSION]) + zlib.compress(payload, _ZLIB_LEVEL)

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Rebuild a state saved with `to_bytes` (refuses other formats and versions)."""
        if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 1:
            raise ValueError("not a wikiseminar authorship state")
        version = data[len(_MAGIC)]
        if version != FORMAT_VERSION:
            raise ValueError(f"authorship state format {version} is not supported")
        try:
            payload = zlib.decompress(data[len(_MAGIC) + 1 :])
        except zlib.error as exc:
            raise ValueError(f"damaged authorship state: {exc}") from None
        head_len = int.from_bytes(payload[:4], "little")
        header = json.loads(payload[4 : 4 + head_len])
        blobs: dict[str, bytes] = {}
        pos = 4 + head_len
        for name, size in header["blobs"]:
            blobs[name] = payload[pos : pos + size]
            pos += size

        def arr(name: str, typecode: str) -> array:
            return from_le(blobs[name], typecode)

        self = cls()
        self._revids = arr("revids", "q").tolist()
        self._rev_index = {r: i for i, r in enumerate(self._revids)}
        self._rev_editor = arr("rev_editor", "I")
        self._rev_time = arr("rev_time", "q")
        self._rev_flags = bytearray(blobs["rev_flags"])
        self._rev_new = arr("rev_new", "I")
        self._editors = list(header["editors"])
        self._editor_index = {e: i for i, e in enumerate(self._editors)}
        values = blobs["tok_values"].decode("utf-8", "surrogatepass")
        self._tok_value = values.split("\n") if values else []
        self._tok_origin = None
        self._tok_word = bytearray(blobs["tok_word"])
        self._outs = EventRuns(
            arr("out_jumps", "i"), arr("out_lengths", "I"), arr("out_rev_steps", "i")
        )
        self._ins = EventRuns(
            arr("in_jumps", "i"), arr("in_lengths", "I"), arr("in_rev_steps", "i")
        )
        self._s_hash = arr("s_hash", "Q").tolist()
        self._s_len = arr("s_len", "I")
        self._s_off = array("Q", chain((0,), accumulate(self._s_len)))
        self._s_members = IdRuns(arr("s_jumps", "i"), arr("s_lengths", "I"))
        self._p_hash = arr("p_hash", "Q").tolist()
        self._p_len = arr("p_len", "I")
        self._p_off = array("Q", chain((0,), accumulate(self._p_len)))
        self._p_members = IdRuns(arr("p_jumps", "i"), arr("p_lengths", "I"))
        self._s_ht = _hash_table(self._s_hash)
        self._p_ht = _hash_table(self._p_hash)
        self._cur = int(header["cur"])
        self._cur_pids = arr("cur_pids", "I").tolist()
        self._cur_length = int(header["cur_length"])
        self._cur_present = None
        self._cur_text = (
            blobs["cur_text"].decode("utf-8", "surrogatepass") if self._cur >= 0 else None
        )
        self._display = None
        self._spam_hashes = set(arr("spam", "Q"))
        self._recent = list(zip(arr("recent_hash", "Q"), arr("recent_rev", "I"), strict=True))
        undone = arr("revert_undone", "I").tolist()
        pos = 0
        for r, count in zip(arr("revert_revs", "I"), arr("revert_counts", "I"), strict=True):
            self._reverts[r] = undone[pos : pos + count]
            pos += count
        return self
