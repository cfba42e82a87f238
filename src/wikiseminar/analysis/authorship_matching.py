"""How each new revision is matched against the page's history (WikiWho's algorithm).

Paragraphs, then sentences, found unchanged (by hash) in the previous revision or an earlier
one are reused when none of their tokens is already used; the leftover tokens are diffed
against the previous revision's; what is still unmatched belongs to the revision's editor.
WikiWho's vandalism heuristics and identity reverts are recognised here too.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Sequence
from itertools import chain, repeat

from ..record import Record
from .authorship_diff import equal_pairs
from .authorship_storage import _KEPT, _VANDAL, _StateFields, _to_micros
from .authorship_text import (
    PROSE,
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

TYPE_CHECKING = False  # no `typing` at run time (docs/benchmarks.md, section 10)
if TYPE_CHECKING:
    from typing import Any

# WikiWho's vandalism heuristics (1.0.3 constants).
_BLANKING_PREVIOUS_MIN = 1000  # previous revision longer than this (characters)...
_BLANKING_CURRENT_MAX = 1000  # ...current one shorter than this...
_BLANKING_CHANGE = -0.40  # ...and it lost at least 40 % of its length.
_DENSITY_LIMIT = 20  # new tokens repeat on average more than this: copy-paste flood.

# Identity reverts restore one of the 15 revisions before the parent (as analysis/reverts.py
# and MediaWiki's $wgRevertedTagMaxDepth); equal to the parent itself is a null edit.
_REVERT_RADIUS = 15

_MARKUP_CACHE_MAX = 4096
_TOKEN_CACHE_MAX = 20_000


class _Outcome(Record):
    """How one revision's text maps onto reused and new paragraphs and sentences."""

    __slots__ = (
        "paragraphs", "hashes", "layout", "new_paragraphs", "sentence_layouts", "new_sentences",
    )

    paragraphs: list[str]  # the revision's paragraphs (lowercased)
    hashes: list[int]  # their hashes
    layout: list[int]  # per paragraph: reused paragraph id, or ~n for the n-th new one
    new_paragraphs: list[int]  # indexes (in `paragraphs`) of the new ones
    sentence_layouts: list[list[int]]  # per new paragraph: sentence id, or ~n for new sentence n
    new_sentences: list[tuple[list[str], int]]  # (tokens, hash) of each new sentence

    def __init__(
        self,
        paragraphs: list[str],
        hashes: list[int],
        layout: list[int],
        new_paragraphs: list[int],
        sentence_layouts: list[list[int]],
        new_sentences: list[tuple[list[str], int]],
    ) -> None:
        """Store the fields (one outcome per revision analysed)."""
        self.paragraphs = paragraphs
        self.hashes = hashes
        self.layout = layout
        self.new_paragraphs = new_paragraphs
        self.sentence_layouts = sentence_layouts
        self.new_sentences = new_sentences


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


class StateMatching(_StateFields):
    """Adding revisions to `PageAuthorship` (its attributes are set by its constructor)."""

    def __getattr__(self, name: str) -> Any:  # pragma: no cover - typing aid only
        raise AttributeError(name)

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

        if n_new and self._words:
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
