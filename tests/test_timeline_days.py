"""The charts' days are the seminar's local days, computed in SQL on both databases.

`reports.figures.timeline` groups revisions by `_local_day`: the zone's UTC offsets over the
seminar's dates, written into the query. Each instant must land on the day that Python's
zoneinfo gives it, across DST changes and in zones whose offset is not a whole hour.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Seminar
from wikiseminar.models._types import UTCDateTime
from wikiseminar.reports.figures import _local_day, _offset_spans

ZONES = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


def test_the_offset_spans_follow_the_zone_changes() -> None:
    paris = ZoneInfo("Europe/Paris")
    start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    spans = _offset_spans(paris, start, dt.datetime(2025, 11, 30, tzinfo=dt.UTC))
    assert spans == [(start, 3600), (dt.datetime(2025, 3, 30, 1, tzinfo=dt.UTC), 7200),
                     (dt.datetime(2025, 10, 26, 1, tzinfo=dt.UTC), 3600)]
    assert _offset_spans(ZoneInfo("Asia/Kolkata"), start, start + dt.timedelta(days=90)) == [
        (start, 19800)]


@pytest.mark.parametrize("zone", ZONES)
def test_each_instant_lands_on_its_local_day(app: Flask, zone: str) -> None:
    seminar = Seminar(slug="days", title="Days", timezone=zone, start_date=dt.date(2025, 3, 1),
                      end_date=dt.date(2025, 11, 29))
    changes = [at for at, _ in _offset_spans(ZoneInfo(zone), seminar.start_at, seminar.end_at)[1:]]
    near_midnight = [dt.datetime.combine(dt.date(2025, 3, 1) + dt.timedelta(days=d), dt.time(0),
                                         tzinfo=ZoneInfo(zone)).astimezone(dt.UTC) + dt.timedelta(minutes=m)
                     for d in (0, 28, 29, 30, 150, 238, 239) for m in (-31, -1, 0, 1, 29, 31)]
    instants = [t for t in near_midnight + [c + dt.timedelta(seconds=s) for c in changes
                                            for s in (-1, 0, 1)]
                if seminar.start_at <= t < seminar.end_at]
    with app.app_context():
        for instant in instants:
            day = db.session.scalar(sa.select(_local_day(
                db.session, seminar, sa.literal(instant, UTCDateTime()))))
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day
            assert day == instant.astimezone(ZoneInfo(zone)).date(), instant
