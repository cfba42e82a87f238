"""The plain records that replaced dataclasses on `analyze`'s start-up path behave like them."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import pickle

import pytest

from wikiseminar.analysis import authorship_figures, authorship_matching, authorship_state
from wikiseminar.commands import CommandEntry
from wikiseminar.record import FrozenRecord, Record
from wikiseminar.wiki.types import Namespace, PageInfo, Revision, SiteInfo, WikiUser

_MODULES = (authorship_figures, authorship_matching, authorship_state)  # they define records


def _records(base: type[Record] = Record) -> list[type[Record]]:
    """Every record class defined so far (subclasses of subclasses included)."""
    found: list[type[Record]] = []
    for sub in base.__subclasses__():
        if sub is not FrozenRecord:
            found.append(sub)
        found.extend(_records(sub))
    return found


def test_every_record_takes_its_fields_in_slot_order() -> None:
    """`_fill` stores arguments by position into `__slots__`: the two orders must agree."""
    assert _MODULES
    records = _records()
    assert {"Revision", "SiteInfo", "Token", "EditorFigures", "CommandEntry"} <= {
        r.__name__ for r in records}
    for record in records:
        parameters = list(inspect.signature(record.__init__).parameters)[1:]
        assert parameters == list(record.__slots__), record.__name__
        assert set(record.__slots__) <= set(record.__annotations__), record.__name__
        assert not hasattr(record(*_samples(record)), "__dict__"), record.__name__


def _samples(record: type[Record]) -> list[object]:
    """One distinct value per field (types do not matter to the base class)."""
    return [f"value {i}" for i in range(len(record.__slots__))]


def test_equality_repr_and_hash_as_a_dataclass_had_them() -> None:
    talk = Namespace(1, "Discussion", "Talk", ("Talk",))
    assert talk == Namespace(1, "Discussion", "Talk", ("Talk",))
    assert talk != Namespace(1, "Discussion", "Talk")
    assert talk != (1, "Discussion", "Talk", ("Talk",), False)  # not a tuple
    assert hash(talk) == hash(Namespace(1, "Discussion", "Talk", ("Talk",)))
    assert {talk, Namespace(1, "Discussion", "Talk", ("Talk",))} == {talk}
    assert repr(talk) == ("Namespace(id=1, name='Discussion', canonical='Talk', "
                          "aliases=('Talk',), content=False)")
    with pytest.raises(TypeError):
        hash(SiteInfo())  # a dict field: unhashable, as the frozen dataclass was
    rev = Revision(1, 2, "Page", 0, dt.datetime(2024, 1, 5, tzinfo=dt.UTC))
    with pytest.raises(TypeError):
        hash(rev)  # mutable
    assert rev == Revision(1, 2, "Page", 0, dt.datetime(2024, 1, 5, tzinfo=dt.UTC))
    assert CommandEntry("a", "b", "help").needs_app is True


def test_frozen_records_refuse_changes_and_mutable_ones_accept_them() -> None:
    user = WikiUser("Ada", 7)
    with pytest.raises(AttributeError, match="cannot assign to field 'name' of WikiUser"):
        user.name = "Bob"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="cannot delete"):
        del user.userid  # type: ignore[misc]
    with pytest.raises(AttributeError):
        user.nickname = "x"  # type: ignore[attr-defined]
    rev = Revision(1, 2, "Page", 0, dt.datetime(2024, 1, 5, tzinfo=dt.UTC), text="v1")
    rev.text = "v2"
    assert rev.text == "v2"
    with pytest.raises(AttributeError):
        rev.extra = 1  # type: ignore[attr-defined]  # slots: no stray attributes


def test_replace_copy_and_pickle_keep_every_field() -> None:
    info = PageInfo(10, "Page", 0, lastrevid=5, categories=("A",))
    moved = info.replace(title="Moved", categories=("A", "B"))
    assert (moved.pageid, moved.title, moved.lastrevid, moved.categories) == (
        10, "Moved", 5, ("A", "B"))
    assert info.title == "Page"
    with pytest.raises(TypeError, match="no field 'titel'"):
        info.replace(titel="x")
    rev = Revision(1, 2, "Page", 0, dt.datetime(2024, 1, 5, tzinfo=dt.UTC), text="t", top=True)
    for record in (info, rev, SiteInfo(lang="fr"), Namespace(0, "", "", (), True)):
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.copy(record) == record and copy.deepcopy(record) == record
    assert rev.replace(text=None).text is None and rev.text == "t"
    assert SiteInfo().namespaces is not SiteInfo().namespaces  # a fresh default each time
