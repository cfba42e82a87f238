"""Identity reverts along one page's history, plus MediaWiki's own revert tags.

A revision is an *identity revert* when its content hash equals that of one of the 15
revisions before its parent (MediaWiki's `$wgRevertedTagMaxDepth`): it restores an older
state, so every revision strictly between the restored one and the revert is *reverted*
(at most 15 of them), with `reverted_by` = the reverting revision. The most recent matching
state wins. A revision identical to its parent is a null revision, not a revert.

Restoring a state also restores which revisions were reverted in that state: when an edit
war or a history merge is itself reverted (the Nintendo Switch history has one), the edits
it had undone are live again and lose their `reverted` mark. So the revert status of a
revision can change while states it belongs to can still be restored: it is final once 32
revisions (twice the window) have followed it, and the tracker forgets it then.

Tags add what identity misses: `mw-undo`, `mw-rollback`, `mw-manual-revert` mark a revert,
`mw-reverted` marks a revision reverted (its reverter then stays unknown unless identity
finds it).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from ..wiki.sha1 import normalize_sha1, sha1_base36

__all__ = [
    "MAX_REVERT_DEPTH",
    "REVERT_TAGS",
    "REVERTED_TAG",
    "RevertInfo",
    "RevertRecord",
    "RevertTracker",
    "find_reverts",
    "normalize_sha1",
    "sha1_base36",
]

MAX_REVERT_DEPTH = 15
REVERT_TAGS = frozenset({"mw-undo", "mw-rollback", "mw-manual-revert"})
REVERTED_TAG = "mw-reverted"

@dataclass(frozen=True, slots=True)
class RevertRecord:
    """What revert detection needs of a revision: its id, content hash and change tags."""

    revid: int
    key: str | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RevertInfo:
    """The revert facts of one revision, once the whole window after it is known."""

    revid: int
    is_revert: bool = False
    reverts: tuple[int, ...] = ()
    restored: int | None = None
    reverted: bool = False
    reverted_by: int | None = None


class RevertTracker:
    """Incremental identity-revert detection over one page, in bounded memory."""

    def __init__(self, max_depth: int = MAX_REVERT_DEPTH) -> None:
        self.max_depth = max_depth
        # A revision's status is final once this many revisions followed it.
        self.horizon = 2 * (max_depth + 1)
        # parent + max_depth older revisions: (revid, key), the states one may restore
        self._window: deque[tuple[int, str | None]] = deque(maxlen=max_depth + 1)
        self._recent: deque[int] = deque(maxlen=self.horizon)
        # revid -> its reverter, now and as of each restorable state
        self._status: dict[int, int] = {}
        self._snapshots: dict[int, dict[int, int]] = {}

    def push(self, record: RevertRecord) -> tuple[RevertInfo, dict[int, int | None]]:
        """Add the next revision; return its revert facts and the earlier revisions whose
        reverter changed (None: no longer reverted)."""
        window = self._window
        key = normalize_sha1(record.key)
        reverts: tuple[int, ...] = ()
        restored: int | None = None
        if key is not None and window and window[-1][1] != key:
            for index in range(len(window) - 2, -1, -1):
                if window[index][1] == key:
                    restored = window[index][0]
                    reverts = tuple(revid for revid, _ in list(window)[index + 1:])
                    break
        self._recent.append(record.revid)
        live = set(self._recent)
        old = self._status
        if restored is not None:
            new = {v: r for v, r in self._snapshots.get(restored, {}).items() if v in live}
            for revid in reverts:
                new[revid] = record.revid
        else:
            new = {v: r for v, r in old.items() if v in live}
        changes = {v: new.get(v) for v in old.keys() | new.keys()
                   if v in live and old.get(v) != new.get(v)}
        self._status = new
        window.append((record.revid, key))
        self._snapshots[record.revid] = new
        if len(self._snapshots) > len(window):
            states = {revid for revid, _ in window}
            self._snapshots = {k: v for k, v in self._snapshots.items() if k in states}
        info = RevertInfo(
            revid=record.revid,
            is_revert=bool(reverts) or any(tag in REVERT_TAGS for tag in record.tags),
            reverts=reverts,
            restored=restored,
            reverted=REVERTED_TAG in record.tags,
        )
        return info, changes


def find_reverts(records: Iterable[RevertRecord],
                 max_depth: int = MAX_REVERT_DEPTH) -> dict[int, RevertInfo]:
    """Revert facts for every revision of one page's chronological history, keyed by revid."""
    tracker = RevertTracker(max_depth)
    result: dict[int, RevertInfo] = {}
    tagged: set[int] = set()
    for record in records:
        info, changes = tracker.push(record)
        result[record.revid] = info
        if info.reverted:
            tagged.add(record.revid)
        for revid, reverter in changes.items():
            if revid in result:
                result[revid] = dataclasses.replace(
                    result[revid], reverted=reverter is not None or revid in tagged,
                    reverted_by=reverter)
    return result
