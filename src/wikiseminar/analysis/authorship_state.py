"""Token authorship of one page, built one revision at a time (the WikiWho algorithm, our code).

For each revision: split the text into paragraphs → sentences → tokens; reuse every paragraph,
then every sentence, found unchanged (by hash) in the previous revision *or any earlier one*
whose tokens are not already used in this revision, so text deleted and later restored keeps its
first author; diff the tokens left over against the previous revision's leftover tokens; what is
still unmatched is new and belongs to this revision's editor. Revisions that WikiWho's
heuristics call vandalism (a big blank-out, a copy-paste flood, or the text of an earlier
vandalism) are skipped, so a reverted vandal never "owns" the text the revert restores.

Tokens, sentences and paragraphs are integer ids in arrays (the members of sentences and
paragraphs as runs of consecutive ids); "already used in this revision" is a Python set, so the
per-paragraph checks WikiWho does word by word run as C-level set operations. `to_bytes` and
`from_bytes` store those arrays as they are, zlib-compressed: nothing is recomputed over the
whole history when a sync saves or loads the state.

The matching of each new revision lives in `authorship_matching`, the storage format in
`authorship_storage`; this module holds the state itself and what is read from it.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Sequence
from itertools import repeat

from ..record import FrozenRecord
from .authorship_matching import StateMatching
from .authorship_storage import (
    _KEPT,
    _NO_TIME,
    _VANDAL,
    FORMAT_VERSION,
    StateStorage,
    _from_micros,
    _to_micros,
)
from .authorship_store import EventRuns, IdRuns
from .authorship_text import (
    SEPARATORS,
    MarkupState,
    align_tokens,
    normalize_newlines,
)

__all__ = ["FORMAT_VERSION", "PageAuthorship", "Token"]
# Re-exported for the figures, which read revision flags and timestamps.
_REEXPORTED = (_KEPT, _NO_TIME, _to_micros)


class Token(FrozenRecord):
    """One token of the current text and where it comes from (WikiWho's output, plus display)."""

    __slots__ = (
        "text", "origin_revid", "editor", "in_revids", "out_revids", "token_id", "is_word", "sep",
    )

    text: str  # as written in the current revision (matching itself is case-insensitive)
    origin_revid: int  # the revision that first introduced it
    editor: str  # the editor key of that revision
    in_revids: tuple[int, ...]  # revisions that re-introduced it after a removal
    out_revids: tuple[int, ...]  # revisions that removed it
    token_id: int  # sequential per page, as WikiWho numbers tokens
    is_word: bool  # a letter or digit outside markup, where it was introduced
    sep: str  # whitespace before it in the current text: "", " ", "\n" or "\n\n"

    def __init__(
        self,
        text: str,
        origin_revid: int,
        editor: str,
        in_revids: tuple[int, ...],
        out_revids: tuple[int, ...],
        token_id: int,
        is_word: bool,
        sep: str = "",
    ) -> None:
        """Store the fields, unrolled: an article's page builds one token per word shown."""
        set_field = object.__setattr__  # frozen: past FrozenRecord.__setattr__
        set_field(self, "text", text)
        set_field(self, "origin_revid", origin_revid)
        set_field(self, "editor", editor)
        set_field(self, "in_revids", in_revids)
        set_field(self, "out_revids", out_revids)
        set_field(self, "token_id", token_id)
        set_field(self, "is_word", is_word)
        set_field(self, "sep", sep)


class PageAuthorship(StateMatching, StateStorage):
    """Incremental token authorship of ONE page: add its revisions in order, read who wrote what."""

    def __init__(self, *, words: bool = True) -> None:
        """Start an empty page history; `words=False` skips the word flags (see below).

        The word flag of each token (`Token.is_word`, the authorship's word figures) costs
        about a third of the analysis; an answer that only counts tokens, like
        `authorship_summary`, does without it. Such a state cannot be stored.
        """
        self._words = words
        # Every revision added, vandalism included, in call order ("revision index").
        self._revids: list[int] = []
        self._rev_index: dict[int, int] = {}
        self._rev_editor = array("I")
        self._rev_time = array("q")
        self._rev_flags = bytearray()
        self._editors: list[str] = []
        self._editor_index: dict[str, int] = {}
        # Tokens ever seen (WikiWho's `tokens`): lowercased value, origin revision index, flags.
        self._tok_value: list[str] = []
        self._tok_origin: array | None = array("I")  # revision index; None until needed
        self._tok_word = bytearray()
        # Removals ("out") and re-introductions ("in"): (token id, revision index) pairs in
        # chronological order, indexed per token only when read.
        self._outs = EventRuns()
        self._ins = EventRuns()
        self._event_index: dict[int, tuple[list[int], list[int]]] | None = None
        # Sentences and paragraphs ever created: hash, and member ids (runs) addressed by offset.
        self._s_hash: list[int] = []
        self._s_off = array("Q", [0])  # position of each sentence's first member
        self._s_len = array("I")
        self._s_members = IdRuns()  # token ids of every sentence, one after the other
        self._s_ht: dict[int, list[int]] = {}
        self._p_hash: list[int] = []
        self._p_off = array("Q", [0])
        self._p_len = array("I")
        self._p_members = IdRuns()  # sentence ids of every paragraph
        self._p_ht: dict[int, list[int]] = {}
        self._p_tokens: dict[int, tuple[int, ...]] = {}
        self._p_sentences: dict[int, Sequence[int]] = {}
        self._s_tokens: dict[int, Sequence[int]] = {}
        # The current revision: the last one kept.
        self._cur = -1
        self._cur_pids: list[int] = []
        self._cur_length = 0
        self._cur_present: set[int] | None = set()
        self._cur_text: str | None = None  # in memory only; display data is derived from it
        self._display: tuple[bytes, dict[int, str]] | None = (b"", {})
        self._rev_new = array("I")  # tokens introduced by each revision (storage of origins)
        # Vandalism and identity-revert bookkeeping.
        self._spam_hashes: set[int] = set()
        self._recent: list[tuple[int, int]] = []  # (text hash, revision index), newest last
        self._reverts: dict[int, list[int]] = {}  # revert revision index -> reverted indexes
        # In-memory caches, never stored: paragraph text -> hash for the current revision, and
        # markup spans per (paragraph hash, context).
        self._hash_memo: dict[str, int] = {}
        self._markup_cache: dict[
            tuple[int, MarkupState], tuple[list[tuple[int, int]], MarkupState]
        ] = {}

    # --- public reading ---------------------------------------------------------------------

    @property
    def last_revid(self) -> int | None:
        """The last revision added (kept or flagged as vandalism); None when empty."""
        return self._revids[-1] if self._revids else None

    @property
    def current_revid(self) -> int | None:
        """The revision the current tokens describe: the last one not flagged as vandalism."""
        return self._revids[self._cur] if self._cur >= 0 else None

    def __len__(self) -> int:
        """Number of revisions added."""
        return len(self._revids)

    def has_revision(self, revid: int) -> bool:
        """Whether this revision was already added."""
        return revid in self._rev_index

    def revision_ids(self) -> list[int]:
        """All revisions added, in order."""
        return list(self._revids)

    def kept_revision_ids(self) -> list[int]:
        """Revisions analysed and kept (WikiWho's ordered revisions: vandalism left out)."""
        return [r for r, f in zip(self._revids, self._rev_flags, strict=True) if f & _KEPT]

    def vandalism_revids(self) -> list[int]:
        """Revisions flagged as vandalism by WikiWho's heuristics (WikiWho's `spam_ids`)."""
        return [r for r, f in zip(self._revids, self._rev_flags, strict=True) if f & _VANDAL]

    def editor_of(self, revid: int) -> str:
        """The editor key given with a revision."""
        return self._editors[self._rev_editor[self._rev_index[revid]]]

    def timestamp_of(self, revid: int) -> dt.datetime | None:
        """The timestamp given with a revision (None when none was given)."""
        return _from_micros(self._rev_time[self._rev_index[revid]])

    def detected_reverts(self) -> dict[int, list[int]]:
        """Identity reverts found so far: revert revid -> the revids it undid (15-revision radius)."""
        ids = self._revids
        return {ids[r]: [ids[x] for x in xs] for r, xs in self._reverts.items()}

    def current_tokens(self) -> list[Token]:
        """The tokens of the current revision, in text order, with their origin."""
        tids = self._current_tids()
        seps, case = self._display_data()
        ids = self._revids
        editors = self._editors
        rev_editor = self._rev_editor
        events = self._events()
        origins = self._origins()
        none: tuple[list[int], list[int]] = ([], [])
        out: list[Token] = []
        for k, tid in enumerate(tids):
            origin = origins[tid]
            outs, ins = events.get(tid, none)
            out.append(
                Token(
                    text=case.get(k, self._tok_value[tid]),
                    origin_revid=ids[origin],
                    editor=editors[rev_editor[origin]],
                    in_revids=tuple(ids[r] for r in ins),
                    out_revids=tuple(ids[r] for r in outs),
                    token_id=tid,
                    is_word=bool(self._tok_word[tid]),
                    sep=SEPARATORS[seps[k]]
                    if k < len(seps)
                    else _guess_sep(out, self._tok_value[tid]),
                )
            )
        return out

    def current_origins(self) -> list[tuple[str, int, str]]:
        """(text, origin revid, editor) of each current token: `current_tokens` without events."""
        tids = self._current_tids()
        _, case = self._display_data()
        ids = self._revids
        editors = self._editors
        rev_editor = self._rev_editor
        origins = self._origins()
        values = self._tok_value
        return [(case.get(k, values[tid]), ids[origins[tid]], editors[rev_editor[origins[tid]]])
                for k, tid in enumerate(tids)]

    def all_tokens(self) -> list[Token]:
        """Every token ever seen, by token id (WikiWho's `tokens`); text is lowercased."""
        ids = self._revids
        editors = self._editors
        events = self._events()
        none: tuple[list[int], list[int]] = ([], [])
        tokens: list[Token] = []
        for tid, (value, origin) in enumerate(zip(self._tok_value, self._origins(), strict=True)):
            outs, ins = events.get(tid, none)
            tokens.append(
                Token(
                    text=value,
                    origin_revid=ids[origin],
                    editor=editors[self._rev_editor[origin]],
                    in_revids=tuple(ids[r] for r in ins),
                    out_revids=tuple(ids[r] for r in outs),
                    token_id=tid,
                    is_word=bool(self._tok_word[tid]),
                )
            )
        return tokens

    def _events(self) -> dict[int, tuple[list[int], list[int]]]:
        """token id -> (removal revision indexes, re-introduction revision indexes), in order."""
        if self._event_index is None:
            index: dict[int, tuple[list[int], list[int]]] = {}
            for kind, log in ((0, self._outs), (1, self._ins)):
                for tid, r in log:
                    got = index.get(tid)
                    if got is None:
                        got = index[tid] = ([], [])
                    got[kind].append(r)
            self._event_index = index
        return self._event_index

    def _display_data(self) -> tuple[bytes, dict[int, str]]:
        """Separator codes and original-case spellings of the current tokens (computed lazily)."""
        if self._display is None:
            self._display = self._compute_display()
        return self._display

    def _compute_display(self) -> tuple[bytes, dict[int, str]]:
        """Align the current tokens with the current text to recover spacing and letter case."""
        text = self._cur_text
        if text is None:
            return b"", {}
        orig = normalize_newlines(text)
        low = normalize_newlines(text.lower())
        values = [self._tok_value[t] for t in self._current_tids()]
        aligned = align_tokens(low, values)
        if aligned is None:
            return b"", {}
        offsets, seps = aligned
        index: list[int] | None = None
        if len(orig) != len(low):  # lowercasing changed the length (e.g. "İ"): map offsets back
            index = []
            for n, c in enumerate(orig):
                index.extend(repeat(n, len(c.lower())))
            index.append(len(orig))
        case: dict[int, str] = {}
        for k, (value, at) in enumerate(zip(values, offsets, strict=True)):
            if index is None:
                shown = orig[at : at + len(value)]
            else:
                shown = orig[index[at] : index[at + len(value)]]
            if shown != value:
                case[k] = shown
        return bytes(seps), case

    # --- storage ----------------------------------------------------------------------------

    # --- history queries used by the figures --------------------------------------------------

    def _kept_index_at_or_before(self, ridx: int) -> int:
        """The last kept revision index not after `ridx` (-1 if none)."""
        flags = self._rev_flags
        while ridx >= 0 and not flags[ridx] & _KEPT:
            ridx -= 1
        return ridx

    def _present_at(self, tid: int, ridx: int) -> bool:
        """Whether a token is in the text of kept revision `ridx` (removals and restores replayed)."""
        if self._origins()[tid] > ridx:
            return False
        got = self._events().get(tid)
        if got is None:
            return True
        outs, ins = got
        return sum(1 for r in outs if r <= ridx) == sum(1 for r in ins if r <= ridx)


_NO_SPACE_BEFORE = frozenset(".,;:!?)]}»”’%")
_NO_SPACE_AFTER = frozenset("([{«“‘")


def _guess_sep(before: list[Token], value: str) -> str:
    """Readable spacing when the current text is not known: a space, except around punctuation."""
    if not before:
        return ""
    if value[:1] in _NO_SPACE_BEFORE or before[-1].text[-1:] in _NO_SPACE_AFTER:
        return ""
    return " "


