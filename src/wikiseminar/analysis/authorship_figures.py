"""Per-editor figures from a page's token authorship: share of the text, survival, reverted work.

Every figure counts tokens as WikiWho defines them (see `authorship_text`). Definitions:

* ``tokens`` — tokens of the "now" revision whose origin revision is the editor's;
  ``share`` = tokens / all tokens of that revision.
* ``words`` / ``word_share`` — the same counted in *words*, as `analysis.words` defines them
  (the metrics' tokenizer): each token weighs the number of prose words that start in it in the
  revision that introduced it ("260&nbsp;000", "peut-être", "3,14" are one word over several
  tokens), words being read outside wiki markup (templates, comments, tags and non-prose
  tag contents such as <ref>, link targets, URLs, entities, magic words, table structure; see `markup_spans`).
* ``added`` — word tokens the editor introduced in revisions whose timestamp falls in the
  window [start, end) (all revisions up to "now" when there is no window). Restoring someone
  else's text adds nothing: the token keeps its first author.
* ``surviving_now`` — of those, the ones present in the "now" revision.
* ``surviving_7d`` — of those, the ones present in the revision that was current 7 days after
  the token's origin revision (the last kept revision timestamped at or before then). A token
  whose 7 days are not over at ``as_of`` (default: the timestamp of "now") is counted in
  ``pending_7d`` instead, and left out of the ratio: survival_7d = surviving_7d /
  (added − pending_7d).
* ``reverted`` — of those, the ones removed (at least once, up to "now") by a revert revision:
  a key of the caller's ``reverts`` mapping (revert revid → reverted revid(s)), or, without
  one, an identity revert found by the state (same text as one of the 15 revisions before the
  parent).

Revisions flagged as vandalism by WikiWho's heuristics do not count as "now" nor as the revision
current 7 days later: the text goes on as if they had not happened, as in WikiWho.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping

from ..record import FrozenRecord
from ..wiki.types import Revision
from .authorship_state import _KEPT, _NO_TIME, PageAuthorship, _to_micros

TYPE_CHECKING = False  # no `typing` at run time (docs/benchmarks.md, section 10)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["EditorFigures", "authorship_summary", "editor_figures"]

_WEEK_US = 7 * 86400 * 1_000_000


class EditorFigures(FrozenRecord):
    """One editor's authorship figures on one page, as of one revision (definitions above)."""

    __slots__ = (
        "tokens", "total_tokens", "share", "words", "total_words", "word_share", "added",
        "surviving_now", "surviving_7d", "pending_7d", "reverted",
    )

    tokens: int
    total_tokens: int
    share: float
    words: int
    total_words: int
    word_share: float
    added: int
    surviving_now: int
    surviving_7d: int
    pending_7d: int
    reverted: int

    def __init__(
        self,
        tokens: int,
        total_tokens: int,
        share: float,
        words: int,
        total_words: int,
        word_share: float,
        added: int = 0,
        surviving_now: int = 0,
        surviving_7d: int = 0,
        pending_7d: int = 0,
        reverted: int = 0,
    ) -> None:
        """Store the fields (in `__slots__` order)."""
        self._fill(
            tokens, total_tokens, share, words, total_words, word_share, added, surviving_now,
            surviving_7d, pending_7d, reverted
        )

    @property
    def survival_now(self) -> float | None:
        """Share of the words added that are still in the text (None when nothing was added)."""
        return self.surviving_now / self.added if self.added else None

    @property
    def survival_7d(self) -> float | None:
        """Share of the words added present 7 days later, over those whose 7 days are over."""
        settled = self.added - self.pending_7d
        return self.surviving_7d / settled if settled else None

    @property
    def reverted_share(self) -> float | None:
        """Share of the words added that a revert removed."""
        return self.reverted / self.added if self.added else None


def _now_index(state: PageAuthorship, now_revid: int | None) -> int:
    """Index of the kept revision the figures describe."""
    if now_revid is None:
        return state._cur
    try:
        ridx = state._rev_index[now_revid]
    except KeyError:
        raise ValueError(f"revision {now_revid} is not in this page's history") from None
    return state._kept_index_at_or_before(ridx)


def _present_tokens(state: PageAuthorship, now: int) -> list[int]:
    """Token ids in the text of kept revision `now`."""
    if now == state._cur:
        return state._current_tids()
    origin = state._origins()
    present = []
    for tid in range(len(origin)):
        if origin[tid] > now:
            break
        if state._present_at(tid, now):
            present.append(tid)
    return present


def editor_figures(
    state: PageAuthorship,
    *,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    reverts: Mapping[int, int | Iterable[int]] | None = None,
    now_revid: int | None = None,
    as_of: dt.datetime | None = None,
) -> dict[str, EditorFigures]:
    """Figures for every editor with text in the "now" revision or words added in the window.

    `now_revid` picks the revision the figures describe (default: the current one; a revision
    flagged as vandalism stands for the last kept one before it). `as_of` is when the history
    is known to be complete (default: the timestamp of that revision), for the 7-day survival.
    `reverts` maps revert revids to the revids they reverted, from the revert analysis; when
    None, the state's own identity-revert detection is used.
    """
    now = _now_index(state, now_revid)
    if now < 0:
        return {}
    origin = state._origins()
    is_word = state._tok_word
    rev_editor = state._rev_editor
    editors = state._editors
    times = state._rev_time

    present = _present_tokens(state, now)
    present_set = set(present)
    per_editor = Counter(rev_editor[origin[t]] for t in present)
    per_editor_words: Counter[int] = Counter()
    for t in present:
        if is_word[t]:
            per_editor_words[rev_editor[origin[t]]] += is_word[t]
    total = len(present)
    total_words = sum(per_editor_words.values())

    if reverts is None:
        revert_idx = {r for r in state._reverts if r <= now}
    else:
        revert_idx = {state._rev_index[r] for r in reverts if r in state._rev_index}
        revert_idx = {r for r in revert_idx if r <= now}
    start_us = end_us = 0
    if window is not None:
        start_us, end_us = _to_micros(window[0]), _to_micros(window[1])
    horizon = _to_micros(as_of) if as_of is not None else times[now]

    # Kept revisions up to "now", by time, to find the one current 7 days after a token's birth.
    kept = [r for r in range(now + 1) if state._rev_flags[r] & _KEPT and times[r] != _NO_TIME]
    kept_times = [times[r] for r in kept]
    monotonic = all(a <= b for a, b in zip(kept_times, kept_times[1:], strict=False))

    def current_at(when: int) -> int:
        if monotonic:
            k = bisect_right(kept_times, when) - 1
            return kept[k] if k >= 0 else -1
        best = -1
        for r, t in zip(kept, kept_times, strict=True):
            if t <= when:
                best = r
        return best

    events = state._events()
    added: Counter[int] = Counter()
    surviving_now: Counter[int] = Counter()
    surviving_7d: Counter[int] = Counter()
    pending_7d: Counter[int] = Counter()
    reverted: Counter[int] = Counter()
    for tid in range(len(origin)):
        o = origin[tid]
        if o > now:
            break  # token ids grow with their origin revision
        if not is_word[tid]:
            continue
        born = times[o]
        if window is not None and (born == _NO_TIME or not start_us <= born < end_us):
            continue
        e = rev_editor[o]
        weight = is_word[tid]
        added[e] += weight
        if tid in present_set:
            surviving_now[e] += weight
        if born == _NO_TIME or horizon == _NO_TIME or born + _WEEK_US > horizon:
            pending_7d[e] += weight
        else:
            later = current_at(born + _WEEK_US)
            if later >= o and state._present_at(tid, later):
                surviving_7d[e] += weight
        got = events.get(tid)
        if got and revert_idx and any(r in revert_idx for r in got[0] if r <= now):
            reverted[e] += weight

    figures: dict[str, EditorFigures] = {}
    for e in sorted(set(per_editor) | set(added), key=lambda x: (-per_editor[x], editors[x])):
        n = per_editor[e]
        w = per_editor_words[e]
        figures[editors[e]] = EditorFigures(
            tokens=n,
            total_tokens=total,
            share=n / total if total else 0.0,
            words=w,
            total_words=total_words,
            word_share=w / total_words if total_words else 0.0,
            added=added[e],
            surviving_now=surviving_now[e],
            surviving_7d=surviving_7d[e],
            pending_7d=pending_7d[e],
            reverted=reverted[e],
        )
    return figures


def _editor_name(rev: Revision) -> str:
    """The name an editor goes by: user name, IP for anonymous edits."""
    if rev.user:
        return rev.user
    if rev.userid:
        return f"#{rev.userid}"
    return "(hidden)" if rev.userhidden else "(unknown)"


def authorship_summary(revisions: Iterable[Revision]) -> dict[str, Any]:
    """Who wrote the last revision of a page: the CLI's `analyze --authorship` answer.

    `revisions` are one page's revisions in chronological order, with text (a revision whose
    text is hidden or missing is skipped, as WikiWho does). When they mix pages, the state is
    restarted at each change of page, so the answer is about the last page seen. Only the
    attribution state is held, never all texts. Returns
    ``{"revision": revid, "tokens": N, "editors": {name: {"tokens": n, "share": x}},
    "origins": [[token, origin_revid], ...]}``, where ``revision`` is the revision the tokens
    describe (the last one not flagged as vandalism), names are user names (the IP for
    anonymous edits), editors come by decreasing token count, shares are rounded to 6 places,
    and tokens are written as in that revision.
    """
    state: PageAuthorship | None = None
    page: object = None
    for rev in revisions:
        key = rev.pageid or rev.title
        if state is None or key != page:
            state = PageAuthorship(words=False)  # token counts only: no word flags needed
            page = key
        if rev.text is None or rev.texthidden or state.has_revision(rev.revid):
            continue
        state.add_revision(
            rev.revid,
            rev.text,
            _editor_name(rev),
            rev.timestamp,
            comment=rev.comment,
            minor=rev.minor,
        )
    if state is None or state.current_revid is None:
        return {"revision": None, "tokens": 0, "editors": {}, "origins": []}
    tokens = state.current_origins()
    counts = Counter(editor for _, _, editor in tokens)
    n = len(tokens)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "revision": state.current_revid,
        "tokens": n,
        "editors": {name: {"tokens": c, "share": round(c / n, 6)} for name, c in ranked},
        "origins": [[text, origin] for text, origin, _ in tokens],
    }
