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
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, repeat

from .authorship_diff import equal_pairs
from .authorship_store import EventRuns, IdRuns, from_le, to_le
from .authorship_text import (
    PROSE,
    SEPARATORS,
    MarkupState,
    align_tokens,
    digest,
    markup_spans,
    normalize_newlines,
    split_paragraphs,
    split_sentences,
    token_density,
    token_offsets,
    tokenize,
    word_weights,
)

__all__ = ["FORMAT_VERSION", "PageAuthorship", "Token"]

FORMAT_VERSION = 1
_MAGIC = b"WSAUTH"

# WikiWho's vandalism heuristics (1.0.3 constants).
_BLANKING_PREVIOUS_MIN = 1000  # previous revision longer than this (characters)...
_BLANKING_CURRENT_MAX = 1000  # ...current one shorter than this...
_BLANKING_CHANGE = -0.40  # ...and it lost at least 40 % of its length.
_DENSITY_LIMIT = 20  # new tokens repeat on average more than this: copy-paste flood.

# Identity reverts restore one of the 15 revisions before the parent (as analysis/reverts.py
# and MediaWiki's $wgRevertedTagMaxDepth); equal to the parent itself is a null edit.
_REVERT_RADIUS = 15
_NO_TIME = -(2**63)  # stored timestamp of a revision given without one

# Level 2: as fast as level 1 and 3 % smaller; level 6 saves another 10 % but takes 4× longer.
_ZLIB_LEVEL = 2

_MARKUP_CACHE_MAX = 4096
_TOKEN_CACHE_MAX = 20_000

_KEPT = 1  # revision flag: analysed and kept (WikiWho's "ordered_revisions")
_VANDAL = 2  # revision flag: flagged as vandalism and skipped


@dataclass(frozen=True, slots=True)
class Token:
    """One token of the current text and where it comes from (WikiWho's output, plus display)."""

    text: str  # as written in the current revision (matching itself is case-insensitive)
    origin_revid: int  # the revision that first introduced it
    editor: str  # the editor key of that revision
    in_revids: tuple[int, ...]  # revisions that re-introduced it after a removal
    out_revids: tuple[int, ...]  # revisions that removed it
    token_id: int  # sequential per page, as WikiWho numbers tokens
    is_word: bool  # a letter or digit outside markup, where it was introduced
    sep: str = ""  # whitespace before it in the current text: "", " ", "\n" or "\n\n"


@dataclass(slots=True)
class _Outcome:
    """How one revision's text maps onto reused and new paragraphs and sentences."""

    paragraphs: list[str]  # the revision's paragraphs (lowercased)
    hashes: list[int]  # their hashes
    layout: list[int]  # per paragraph: reused paragraph id, or ~n for the n-th new one
    new_paragraphs: list[int]  # indexes (in `paragraphs`) of the new ones
    sentence_layouts: list[list[int]]  # per new paragraph: sentence id, or ~n for new sentence n
    new_sentences: list[tuple[list[str], int]]  # (tokens, hash) of each new sentence


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


def _take(
    candidates: Sequence[int] | None,
    used: set[int],
    done: set[int],
    tokens_of: Callable[[int], Sequence[int]],
    deferred: list[int] | None = None,
) -> int:
    """Reuse the first candidate none of whose tokens is used yet; -1 if none (WikiWho's rule).

    A candidate all of whose tokens are already used elsewhere is set aside for this revision.
    With `deferred`, a reused candidate is listed there instead of adding its tokens to `used`
    (and when `used` is empty there is nothing to check).
    """
    if not candidates:
        return -1
    for cid in candidates:
        if cid in done:
            continue
        if deferred is not None and not used:
            done.add(cid)
            deferred.append(cid)
            return cid
        toks = tokens_of(cid)
        if used.isdisjoint(toks):
            done.add(cid)
            if deferred is None:
                used.update(toks)
            else:
                deferred.append(cid)
            return cid
        if used.issuperset(toks):
            done.add(cid)
    return -1


class PageAuthorship:
    """Incremental token authorship of ONE page: add its revisions in order, read who wrote what."""

    def __init__(self) -> None:
        """Start an empty page history."""
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

    # --- adding a revision ------------------------------------------------------------------

    def add_revision(
        self,
        revid: int,
        text: str,
        editor: str,
        timestamp: dt.datetime | None = None,
        *,
        comment: str | None = None,
        minor: bool = False,
    ) -> None:
        """Fold the next revision of the page in (skip revisions whose text is hidden).

        `comment` and `minor` feed WikiWho's blank-out heuristic, which spares minor edits that
        carry a comment (moves of content to another page, in good faith).
        """
        if revid in self._rev_index:
            raise ValueError(f"revision {revid} was already added")
        if not isinstance(text, str):
            raise TypeError(f"revision {revid} has no text: skip hidden revisions")
        ridx = len(self._revids)
        self._revids.append(revid)
        self._rev_index[revid] = ridx
        eidx = self._editor_index.get(editor)
        if eidx is None:
            eidx = self._editor_index[editor] = len(self._editors)
            self._editors.append(editor)
        self._rev_editor.append(eidx)
        self._rev_time.append(_to_micros(timestamp))

        tokens_before = len(self._tok_value)
        text_hash = digest(text)
        self._note_revert(ridx, text_hash)
        vandal = text_hash in self._spam_hashes
        if not vandal and not (comment and minor):
            before, now = self._cur_length, len(text)
            vandal = (
                before > _BLANKING_PREVIOUS_MIN
                and now < _BLANKING_CURRENT_MAX
                and (now - before) / before <= _BLANKING_CHANGE
            )
        if not vandal:
            vandal = not self._analyse(ridx, text)
        if vandal:
            self._rev_flags.append(_VANDAL)
            self._spam_hashes.add(text_hash)
        else:
            self._rev_flags.append(_KEPT)
        self._rev_new.append(len(self._tok_value) - tokens_before)

    def _note_revert(self, ridx: int, text_hash: int) -> None:
        """Record an identity revert: the text of one of the 15 revisions before the parent."""
        recent = self._recent
        for k in range(len(recent) - 1, -1, -1):
            h, r = recent[k]
            if h == text_hash:
                if k < len(recent) - 1:
                    self._reverts[ridx] = [x for _, x in recent[k + 1 :]]
                break
        recent.append((text_hash, ridx))
        if len(recent) > _REVERT_RADIUS + 1:
            del recent[0]

    def _sentence_tokens(self, sid: int) -> Sequence[int]:
        """Token ids of a sentence (cached: sentences never change once made)."""
        got = self._s_tokens.get(sid)
        if got is None:
            got = self._s_tokens[sid] = self._s_members.slice(
                self._s_off[sid], self._s_off[sid + 1]
            )
        return got

    def _paragraph_sentences(self, pid: int) -> Sequence[int]:
        """Sentence ids of a paragraph (cached)."""
        got = self._p_sentences.get(pid)
        if got is None:
            got = self._p_sentences[pid] = self._p_members.slice(
                self._p_off[pid], self._p_off[pid + 1]
            )
        return got

    def _origins(self) -> array:
        """Origin revision index of every token (rebuilt from per-revision counts after a load)."""
        if self._tok_origin is None:
            counts = self._rev_new
            self._tok_origin = array(
                "I", chain.from_iterable(map(repeat, range(len(counts)), counts))
            )
        return self._tok_origin

    def _paragraph_tokens(self, pid: int) -> tuple[int, ...]:
        """Token ids of a paragraph (cached: paragraphs never change once made)."""
        toks = self._p_tokens.get(pid)
        if toks is None:
            sentence = self._sentence_tokens
            toks = self._p_tokens[pid] = tuple(
                chain.from_iterable(sentence(sid) for sid in self._paragraph_sentences(pid))
            )
        return toks

    def _current_tids(self) -> list[int]:
        """Token ids of the current revision in text order."""
        return list(chain.from_iterable(self._paragraph_tokens(p) for p in self._cur_pids))

    def _present(self) -> set[int]:
        """Token ids present in the current revision, as a set."""
        if self._cur_present is None:
            present: set[int] = set()
            for pid in self._cur_pids:
                present.update(self._paragraph_tokens(pid))
            self._cur_present = present
        return self._cur_present

    def _analyse(self, ridx: int, text: str) -> bool:
        """Attribute the tokens of one revision; False (and no change) when it is vandalism."""
        low = normalize_newlines(text.lower())
        paragraphs = split_paragraphs(low)
        memo = self._hash_memo
        hashes = [memo.get(ptext) or digest(ptext) for ptext in paragraphs]
        # Tokens already given to this revision. The tokens of paragraphs reused from the previous
        # revision are left out until something from an older revision is considered: tokens
        # are unique within a revision, so until then they cannot clash with anything.
        used: set[int] = set()
        reused_prev: list[int] | None = []  # None once `used` holds their tokens too
        p_done: set[int] = set()
        prev_by_hash: dict[int, list[int]] = {}
        for pid in self._cur_pids:
            prev_by_hash.setdefault(self._p_hash[pid], []).append(pid)
        p_tokens = self._paragraph_tokens
        p_ht = self._p_ht
        # layout[k]: a reused paragraph id, or ~n for the n-th new paragraph.
        layout: list[int] = []
        new_paragraphs: list[int] = []  # indexes in `paragraphs`
        restored: list[int] = []  # paragraphs and sentences reused from older revisions
        for k, h in enumerate(hashes):
            pid = -1
            candidates = prev_by_hash.get(h)
            if candidates:
                if reused_prev is None:
                    pid = _take(candidates, used, p_done, p_tokens)
                else:
                    pid = _take(candidates, used, p_done, p_tokens, reused_prev)
            if pid < 0:
                older = p_ht.get(h)
                if older and not p_done.issuperset(older):
                    if reused_prev is not None:
                        for rp in reused_prev:
                            used.update(p_tokens(rp))
                        reused_prev = None
                    pid = _take(older, used, p_done, p_tokens)
                    if pid >= 0:
                        restored.extend(p_tokens(pid))
            if pid < 0:
                layout.append(~len(new_paragraphs))
                new_paragraphs.append(k)
            else:
                layout.append(pid)

        sentence_layouts: list[list[int]] = []  # per new paragraph: sid, or ~n for new sentence n
        new_sentences: list[tuple[list[str], int]] = []  # (tokens, hash)
        prev_free: list[int] = []
        if new_paragraphs:
            unmatched_prev = [pid for pid in self._cur_pids if pid not in p_done]
            prev_sentences: dict[int, list[int]] = {}
            s_hash = self._s_hash
            for pid in unmatched_prev:
                for sid in self._paragraph_sentences(pid):
                    prev_sentences.setdefault(s_hash[sid], []).append(sid)
            s_done: set[int] = set()
            s_tokens = self._sentence_tokens
            s_ht = self._s_ht
            for k in new_paragraphs:
                entries: list[int] = []
                for stext in split_sentences(paragraphs[k]):
                    toks = tokenize(stext)
                    sh = digest(" ".join(toks))
                    # Sentences of unreused previous paragraphs cannot clash with reused ones.
                    sid = _take(prev_sentences.get(sh), used, s_done, s_tokens)
                    if sid < 0:
                        older = s_ht.get(sh)
                        if older and not s_done.issuperset(older):
                            if reused_prev is not None:
                                for rp in reused_prev:
                                    used.update(p_tokens(rp))
                                reused_prev = None
                            sid = _take(older, used, s_done, s_tokens)
                            if sid >= 0:
                                restored.extend(s_tokens(sid))
                    if sid < 0:
                        entries.append(~len(new_sentences))
                        new_sentences.append((toks, sh))
                    else:
                        entries.append(sid)
                sentence_layouts.append(entries)
            if new_sentences:
                for pid in unmatched_prev:
                    for sid in self._paragraph_sentences(pid):
                        if sid not in s_done:
                            prev_free.extend(t for t in s_tokens(sid) if t not in used)

        # Word level: the leftover tokens of the previous revision vs. the new sentences' tokens.
        new_values = [t for toks, _ in new_sentences for t in toks]
        assigned: list[int] = []
        if new_values:
            if token_density(new_values) > _DENSITY_LIMIT:
                return False
            assigned = [-1] * len(new_values)
            if prev_free:
                values = self._tok_value
                old_values = [values[t] for t in prev_free]
                for i, j in equal_pairs(old_values, new_values):
                    tid = prev_free[i]
                    assigned[j] = tid
                    used.add(tid)
        self._hash_memo = dict(zip(paragraphs, hashes, strict=True))
        self._commit(
            ridx,
            text,
            _Outcome(paragraphs, hashes, layout, new_paragraphs, sentence_layouts, new_sentences),
            new_values,
            assigned,
            used,
            restored,
        )
        return True

    def _commit(
        self,
        ridx: int,
        text: str,
        outcome: _Outcome,
        new_values: list[str],
        assigned: list[int],
        used: set[int],
        restored: list[int],
    ) -> None:
        """Store the outcome of `_analyse` for a kept revision."""
        first_new = len(self._tok_value)
        next_tid = first_new
        for j, tid in enumerate(assigned):
            if tid < 0:
                assigned[j] = next_tid
                next_tid += 1
                self._tok_value.append(new_values[j])
        n_new = next_tid - first_new
        if n_new:
            if self._tok_origin is not None:
                self._tok_origin.extend(repeat(ridx, n_new))
            self._tok_word.extend(bytes(n_new))

        # New sentences, then new paragraphs, get the next ids and enter the hash tables.
        sid_of_new: list[int] = []
        pos = 0
        for toks, sh in outcome.new_sentences:
            sid = len(self._s_hash)
            sid_of_new.append(sid)
            self._s_hash.append(sh)
            members = assigned[pos : pos + len(toks)]
            self._s_members.extend(members)
            pos += len(toks)
            self._s_off.append(len(self._s_members))
            self._s_len.append(len(members))
            self._s_ht.setdefault(sh, []).append(sid)
        pid_of_new: list[int] = []
        for k, entries in zip(outcome.new_paragraphs, outcome.sentence_layouts, strict=True):
            pid = len(self._p_hash)
            pid_of_new.append(pid)
            h = outcome.hashes[k]
            self._p_hash.append(h)
            members = [sid_of_new[~e] if e < 0 else e for e in entries]
            self._p_members.extend(members)
            self._p_off.append(len(self._p_members))
            self._p_len.append(len(members))
            self._p_ht.setdefault(h, []).append(pid)
        pids = [pid_of_new[~p] if p < 0 else p for p in outcome.layout]

        if n_new:
            self._flag_words(outcome, pid_of_new, first_new)

        # Removals and re-introductions against the previous kept revision: only paragraphs
        # that left the layout can lose tokens, only restored text can bring tokens back.
        # The set of present tokens is kept up to date once built; after a load it is only
        # built when restored text needs it.
        before = self._present() if restored or self._cur_present is not None else None
        kept = set(pids)
        gone = sorted(
            t
            for pid in self._cur_pids
            if pid not in kept
            for t in self._paragraph_tokens(pid)
            if t not in used
        )
        back = sorted(t for t in restored if t not in before) if before is not None else []
        if gone:
            self._outs.add(ridx, gone)
        if back:
            self._ins.add(ridx, back)
        if gone or back:
            self._event_index = None
        if before is not None:
            before.difference_update(gone)
            before.update(back)
            before.update(range(first_new, next_tid))

        if len(self._p_tokens) + len(self._s_tokens) > _TOKEN_CACHE_MAX:
            # Only caches: what the current revision needs comes back on use.
            self._p_tokens.clear()
            self._p_sentences.clear()
            self._s_tokens.clear()
        self._cur = ridx
        self._cur_pids = pids
        self._cur_length = len(text)
        self._cur_text = text
        self._display = None

    def _flag_words(self, outcome: _Outcome, pid_of_new: list[int], first_new: int) -> None:
        """Set the word flag of the tokens this revision introduced (their markup context).

        Paragraphs are scanned in order, each from the context the previous one left open;
        results are cached per (paragraph hash, context), so only changed paragraphs are read.
        """
        fresh_at: dict[int, tuple[tuple[int, ...], list[int]]] = {}
        for k, pid in zip(outcome.new_paragraphs, pid_of_new, strict=True):
            tids = self._paragraph_tokens(pid)
            fresh = [n for n, t in enumerate(tids) if t >= first_new]
            if fresh:
                fresh_at[k] = (tids, fresh)
        if not fresh_at:
            return
        cache = self._markup_cache
        if len(cache) > _MARKUP_CACHE_MAX:
            cache.clear()
        values = self._tok_value
        flags = self._tok_word
        state = PROSE
        for k in range(max(fresh_at) + 1):
            key = (outcome.hashes[k], state)
            got = cache.get(key)
            if got is None:
                got = cache[key] = markup_spans(outcome.paragraphs[k], state)
            spans, after = got
            if k in fresh_at:
                tids, fresh = fresh_at[k]
                toks = [values[t] for t in tids[: fresh[-1] + 1]]
                found = token_offsets(outcome.paragraphs[k], toks)
                if found is None:  # cannot happen for tokens cut from this text
                    offsets = [0] * len(toks)
                    spans = []
                else:
                    offsets = found
                words = word_weights(outcome.paragraphs[k], [toks[n] for n in fresh],
                                     [offsets[n] for n in fresh], spans)
                for n, weight in zip(fresh, words, strict=True):
                    flags[tids[n]] = weight
            state = after

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

    def to_bytes(self) -> bytes:
        """The whole state as compact bytes (zlib, versioned; arrays and JSON, no pickle)."""
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
    def from_bytes(cls, data: bytes) -> PageAuthorship:
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
