"""Compact containers behind the authorship state: id runs, event runs, little-endian arrays.

Most id sequences in a page's history are runs of consecutive ids: a new sentence's tokens
were created together, a deleted paragraph removes a block of tokens at once. Keeping them as
runs makes the stored state small, and keeping the *stored* form (first id of each run as a
difference from the previous run's, 32-bit) up to date as ids are appended makes saving a copy
and loading nearly free: nothing is recomputed over the whole history.
"""

from __future__ import annotations

import operator
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain

__all__ = ["EventRuns", "IdRuns", "from_le", "to_le"]


def to_le(values: array) -> bytes:
    """An array's bytes in little-endian order, whatever the machine."""
    if sys.byteorder != "little":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def from_le(data: bytes, typecode: str) -> array:
    """The inverse of `to_le`."""
    values = array(typecode)
    values.frombytes(data)
    if sys.byteorder != "little":
        values.byteswap()
    return values


class IdRuns:
    """An append-only sequence of ids, stored as runs, readable by position ranges.

    `jumps[k]` is run k's first id minus run k-1's (the stored form), `lengths[k]` its length;
    `starts` (absolute first ids) and `offsets` (position of each run) are rebuilt on load.
    """

    __slots__ = ("jumps", "lengths", "offsets", "size", "starts")

    def __init__(self, jumps: array | None = None, lengths: array | None = None) -> None:
        """Start empty, or from stored runs."""
        self.jumps = jumps if jumps is not None else array("i")
        self.lengths = lengths if lengths is not None else array("I")
        self.starts = array("I", accumulate(self.jumps))
        self.offsets = array("Q", chain((0,), accumulate(self.lengths)))
        self.size = self.offsets.pop()

    def extend(self, ids: Iterable[int]) -> None:
        """Append ids, growing the last run when they follow on."""
        starts, lengths, jumps, offsets = self.starts, self.lengths, self.jumps, self.offsets
        last = starts[-1] if starts else 0
        end = last + lengths[-1] if starts else -1
        size = self.size
        for i in ids:
            if i == end:
                lengths[-1] += 1
            else:
                jumps.append(i - last)
                starts.append(i)
                lengths.append(1)
                offsets.append(size)
                last = i
            end = i + 1
            size += 1
        self.size = size

    def slice(self, lo: int, hi: int) -> Sequence[int]:
        """The ids at positions lo … hi-1."""
        if lo >= hi:
            return ()
        k = bisect_right(self.offsets, lo) - 1
        starts, lengths, offsets = self.starts, self.lengths, self.offsets
        first = starts[k] + lo - offsets[k]
        if hi <= offsets[k] + lengths[k]:
            return range(first, first + hi - lo)  # within one run: the usual case
        out: list[int] = []
        pos = lo
        while pos < hi:
            first = starts[k] + pos - offsets[k]
            take = min(hi - pos, offsets[k] + lengths[k] - pos)
            out.extend(range(first, first + take))
            pos += take
            k += 1
        return out

    def __len__(self) -> int:
        """Number of ids."""
        return self.size

    def expand(self) -> array:
        """All ids, in order."""
        ends = map(operator.add, self.starts, self.lengths)
        return array("I", chain.from_iterable(map(range, self.starts, ends)))


class EventRuns:
    """Token events (removals, or re-introductions) as (first token, count, revision) runs.

    Stored as differences from the previous run (first token, revision) and run lengths, kept
    up to date as events are added.
    """

    __slots__ = ("jumps", "last_rev", "last_start", "lengths", "rev_steps")

    def __init__(
        self,
        jumps: array | None = None,
        lengths: array | None = None,
        rev_steps: array | None = None,
    ) -> None:
        """Start empty, or from stored runs."""
        self.jumps = jumps if jumps is not None else array("i")
        self.lengths = lengths if lengths is not None else array("I")
        self.rev_steps = rev_steps if rev_steps is not None else array("i")
        self.last_start = sum(self.jumps)
        self.last_rev = sum(self.rev_steps)

    def add(self, rev: int, tids: Sequence[int]) -> None:
        """Record that revision `rev` did this to the (sorted) tokens `tids`."""
        jumps, lengths, steps = self.jumps, self.lengths, self.rev_steps
        last_start, last_rev = self.last_start, self.last_rev
        end = -1
        for t in tids:
            if t == end:
                lengths[-1] += 1
            else:
                jumps.append(t - last_start)
                steps.append(rev - last_rev)
                lengths.append(1)
                last_start, last_rev = t, rev
            end = t + 1
        self.last_start, self.last_rev = last_start, last_rev

    def __iter__(self) -> Iterator[tuple[int, int]]:
        """(token id, revision) pairs in the order recorded (chronological)."""
        for start, length, rev in zip(
            accumulate(self.jumps), self.lengths, accumulate(self.rev_steps), strict=True
        ):
            for t in range(start, start + length):
                yield t, rev

    def __len__(self) -> int:
        """Number of runs."""
        return len(self.jumps)
