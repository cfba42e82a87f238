"""Which tokens of the previous text a new text keeps: the pairs `difflib.Differ` calls equal.

WikiWho 1.0.3 feeds the unmatched tokens of both revisions to `difflib.Differ().compare` and
walks the delta; a new token inherits an old token's authorship exactly when the delta lists the
pair as unchanged ("  " lines), whatever the order of its "-" and "+" lines. So only the equal
pairs matter, and those are cheap to get without producing the delta:

* `SequenceMatcher.get_matching_blocks()` gives the equal runs (Differ uses the same matcher,
  with its default `autojunk`, so "popular" tokens of long texts are never anchors);
* inside a "replace" gap Differ's `_fancy_replace` may still synchronise on an *identical* pair,
  but only on a value present on both sides. Without autojunk a gap never has one (the matcher
  would have matched it), so the costly pairwise similarity search runs only for gaps that share
  a popular value, and only on the values that can change the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import chain

__all__ = ["equal_pairs"]

_BEST_START = 0.74  # Differ starts its search for a "close" pair just under its cutoff...
_CUTOFF = 0.75  # ...and ignores a best pair scoring below the cutoff.


def equal_pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs (i, j) with a[i] == b[j] that `Differ().compare(a, b)` reports unchanged."""
    matcher = SequenceMatcher(None, a, b)
    pairs: list[tuple[int, int]] = []
    prev_a = prev_b = 0
    popular = getattr(matcher, "bpopular", ())  # documented attribute, missing from typeshed
    for i, j, size in matcher.get_matching_blocks():
        if popular and i > prev_a and j > prev_b:
            _fancy_pairs(a, prev_a, i, b, prev_b, j, pairs, {})
        pairs.extend(zip(range(i, i + size), range(j, j + size), strict=True))
        prev_a, prev_b = i + size, j + size
    if len(pairs) > 1 and popular:
        pairs.sort()
    return pairs


def _shares_value(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> bool:
    """Whether a[alo:ahi] and b[blo:bhi] have a value in common."""
    left = set(a[alo:ahi])
    return any(x in left for x in b[blo:bhi])


@lru_cache(maxsize=4096)
def _length_bound(la: int, lb: int) -> float:
    """Differ's `real_quick_ratio` for strings of these lengths: an upper bound of the ratio."""
    return 2.0 * min(la, lb) / (la + lb)


def _ratio(x: str, y: str, cache: dict[tuple[str, str], float]) -> float:
    """`SequenceMatcher(None, x, y).ratio()`, memoised (tokens repeat a lot)."""
    key = (x, y)
    r = cache.get(key)
    if r is None:
        r = cache[key] = SequenceMatcher(None, x, y).ratio()
    return r


def _fancy_pairs(
    a: Sequence[str],
    alo: int,
    ahi: int,
    b: Sequence[str],
    blo: int,
    bhi: int,
    out: list[tuple[int, int]],
    cache: dict[tuple[str, str], float],
) -> None:
    """Append the identical pairs Differ's `_fancy_replace` synchronises on in this gap.

    Same search as Differ: the first best non-identical pair scoring over 0.74 (j-major order)
    splits the gap if it reaches 0.75, else the first identical pair does; recurse on both sides.
    Real-quick ratio (a length bound) prunes pairs that cannot beat the current best.
    """
    if not _shares_value(a, alo, ahi, b, blo, bhi):
        return  # nothing identical can come out of this gap, however Differ cuts it
    best = _BEST_START
    best_i = best_j = -1
    eq_i = eq_j = -1
    by_len: dict[int, list[int]] = {}
    for i in range(alo, ahi):
        by_len.setdefault(len(a[i]), []).append(i)
    # Candidates per length of b[j]: the a-positions whose real-quick ratio (a bound on the
    # ratio) can beat `best`; rebuilt when `best` rises.
    candidates_for: dict[int, list[int]] = {}
    bound = _length_bound
    for j in range(blo, bhi):
        bj = b[j]
        lb = len(bj)
        candidates = candidates_for.get(lb)
        if candidates is None:
            candidates = sorted(
                chain.from_iterable(v for la, v in by_len.items() if bound(la, lb) > best)
            )
            candidates_for[lb] = candidates
        if not candidates:
            continue
        raised = False
        for i in candidates:
            ai = a[i]
            if ai == bj:
                if eq_i < 0:
                    eq_i, eq_j = i, j
                continue
            if raised and bound(len(ai), lb) <= best:
                continue
            r = _ratio(ai, bj, cache)
            if r > best:
                best, best_i, best_j = r, i, j
                raised = True
        if raised:
            candidates_for.clear()
    if best < _CUTOFF:
        if eq_i < 0:
            return
        si, sj, identical = eq_i, eq_j, True
    else:
        si, sj, identical = best_i, best_j, False
    if alo < si and blo < sj:
        _fancy_pairs(a, alo, si, b, blo, sj, out, cache)
    if identical:
        out.append((si, sj))
    if si + 1 < ahi and sj + 1 < bhi:
        _fancy_pairs(a, si + 1, ahi, b, sj + 1, bhi, out, cache)
