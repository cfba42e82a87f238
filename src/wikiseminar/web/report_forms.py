"""Forms of the restitution pages: programme settings, grading settings, rubric criteria."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..models import CriterionKind
from ..reports.grading import GRADING_METRICS, metric_by_id
from .forms import DateField  # bounded years: see web/forms.py
from .seminars.forms import choices

__all__ = ["CriterionForm", "GradingSettingsForm", "ProgrammeSettingsForm", "local_instant",
           "parse_number"]


def local_instant(day: dt.date | None, time: dt.time | None, timezone: str) -> dt.datetime | None:
    """A date and a wall-clock time in the seminar's zone, as UTC (None if either is missing)."""
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def parse_number(text: str | None, low: float, high: float) -> tuple[float | None, str | None]:
    """(value, None) for a number in [low, high] typed with '.' or ','; (None, None) if blank."""
    text = (text or "").strip().replace(",", ".").replace("\u202f", "").replace("\u00a0", "")
    if not text:
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, gettext("“%(text)s” is not a number.", text=text)
    if value != value or not low <= value <= high:  # NaN or out of range
        return None, gettext("Give a number between %(low)s and %(high)s.", low=f"{low:g}", high=f"{high:g}")
    return value, None


class CommaDecimalField(DecimalField):
    """A decimal typed with a comma or a point (French users write 1,5)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Accept '1,5' and '1 000,5' as well as '1.5'."""
        if valuelist:
            valuelist = [v.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
                         for v in valuelist]
        super().process_formdata(valuelist)


class ProgrammeSettingsForm(FlaskForm):
    """When the restitution starts and how its time is shared."""

    restitution_date = DateField(_l("Date of the restitution session"), validators=[Optional()])
    restitution_time = TimeField(_l("Start time"), validators=[Optional()])
    restitution_place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    presentation_minutes = IntegerField(_l("Minutes per presentation"),
                                        validators=[InputRequired(), NumberRange(1, 240)])
    break_every = IntegerField(_l("A break every … presentations"),
                               validators=[InputRequired(), NumberRange(0, 100)])
    break_minutes = IntegerField(_l("Minutes per break"), validators=[InputRequired(), NumberRange(0, 120)])

    def validate_restitution_time(self, field: TimeField) -> None:
        """Date and time go together."""
        if bool(field.data) != bool(self.restitution_date.data):
            raise ValidationError(_l("Give both the date and the time of the restitution."))


class GradingSettingsForm(FlaskForm):
    """The grade scale and the freeze date."""

    grade_scale = IntegerField(_l("Grades out of"), validators=[InputRequired(), NumberRange(1, 1000)])
    freeze_date = DateField(_l("Freeze date"), validators=[Optional()])
    freeze_time = TimeField(_l("Freeze time"), validators=[Optional()])

    def validate_freeze_date(self, field: DateField) -> None:
        """A time without a date means nothing."""
        if self.freeze_time.data and not field.data:
            raise ValidationError(_l("Give the date of the freeze too."))


def _metric_choices() -> list[tuple[str, str]]:
    return choices([("", "—")] + [(m.id, gettext(m.label)) for m in GRADING_METRICS if m.kind != "date"])


class CriterionForm(FlaskForm):
    """A rubric line; thresholds of ratio metrics are typed as percentages."""

    label = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Scored"), choices=choices([
        (CriterionKind.COMPUTED.value, _l("from a metric, with thresholds")),
        (CriterionKind.MANUAL.value, _l("by hand, for each student"))]))
    metric = SelectField(_l("Metric"), validators=[Optional()])
    weight = CommaDecimalField(_l("Weight"), places=None, validators=[InputRequired(), NumberRange(0, 1000)])
    threshold_low = CommaDecimalField(_l("Score 0 at or below"), places=None, validators=[Optional()])
    threshold_high = CommaDecimalField(_l("Full score at or above"), places=None, validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.metric.choices = _metric_choices()

    def validate(self, extra_validators: object = None) -> bool:
        """A computed criterion needs a metric and thresholds with low < high."""
        if not super().validate(extra_validators):
            return False
        if self.kind.data != CriterionKind.COMPUTED.value:
            return True
        ok = True
        if not metric_by_id(self.metric.data):
            self.metric.errors = [*self.metric.errors, gettext("Choose the metric this criterion uses.")]
            ok = False
        low, high = self.threshold_low.data, self.threshold_high.data
        if low is None or high is None:
            self.threshold_high.errors = [*self.threshold_high.errors,
                                          gettext("Give both thresholds.")]
            return False
        if high <= low:
            self.threshold_high.errors = [*self.threshold_high.errors,
                                          gettext("The full-score threshold must be above the zero-score one.")]
            ok = False
        return ok

    def is_ratio(self) -> bool:
        """Whether the chosen metric is a ratio (thresholds typed in %)."""
        metric = metric_by_id(self.metric.data)
        return bool(metric and metric.kind == "ratio")
