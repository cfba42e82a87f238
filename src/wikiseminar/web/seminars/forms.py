"""Forms of the seminar pages: settings, calendar, people, topics, proposals, decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ...models import ArticleKind, AssignmentStatus, SessionKind
from ...services.seminars import SLUG_RE
from ...services.topics import MAX_ARTICLES
from ..forms import DateField  # bounded years: see web/forms.py

__all__ = [
    "ArticleRowForm",
    "choices",
    "CatalogueTopicForm",
    "DecisionForm",
    "DeleteParticipantForm",
    "InstructorForm",
    "RosterConfirmForm",
    "LinkStartForm",
    "ProposalForm",
    "RosterForm",
    "SeminarCreateForm",
    "SeminarEditForm",
    "SessionForm",
]

SESSION_KIND_LABELS = {
    SessionKind.THEMATIC: _l("Thematic session (enrolled students only)"),
    SessionKind.IN_DEPTH: _l("In-depth session (open to auditors)"),
    SessionKind.RESTITUTION: _l("Restitution session"),
}
ARTICLE_KIND_LABELS = {
    ArticleKind.CREATE: _l("create"),
    ArticleKind.IMPROVE: _l("improve"),
}
STATUS_LABELS = {
    AssignmentStatus.PROPOSED: _l("awaiting decision"),
    AssignmentStatus.APPROVED: _l("approved"),
    AssignmentStatus.CHANGES_REQUESTED: _l("changes requested"),
    AssignmentStatus.REJECTED: _l("rejected"),
}


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[Any]:
    """Select choices in the form WTForms wants (SelectChoice since 3.3, tuples before)."""
    select_choice = getattr(wtforms, "SelectChoice", None)
    if select_choice is None:  # pragma: no cover - WTForms < 3.3
        return list(pairs)
    return [select_choice(value, label) for value, label in pairs]


def _valid_timezone(form: FlaskForm, field: StringField) -> None:
    try:
        ZoneInfo((field.data or "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_l("Unknown time zone (use a name such as Europe/Paris).")) from None


class _SeminarFields(FlaskForm):
    """What an instructor may change on a seminar after creating it."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    restitution_date = DateField(_l("Restitution session: date"), validators=[Optional()])
    restitution_time = TimeField(_l("Restitution session: time"), validators=[Optional()])
    restitution_place = StringField(_l("Restitution session: place"),
                                    validators=[Optional(), Length(max=300)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), _valid_timezone])
    allow_auditors = BooleanField(_l("Auditors may join with their own invitation link"))
    public = BooleanField(_l("Publish the programme on a public page (no sign-in; nothing about students)"))
    publish_topics = BooleanField(_l("Show the catalogue's topics on the public page"))

    def validate_end_date(self, field: DateField) -> None:
        """The seminar ends on or after its first day."""
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day is before the first day."))

    def validate_restitution_time(self, field: TimeField) -> None:
        """Date and time go together."""
        if bool(field.data) != bool(self.restitution_date.data):
            raise ValidationError(_l("Give both the date and the time of the restitution."))

    def validate_restitution_date(self, field: DateField) -> None:
        """The restitution cannot come before the seminar."""
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The restitution is before the first day."))

    def restitution_utc(self) -> dt.datetime | None:
        """The restitution as UTC, read in the seminar's time zone."""
        if not self.restitution_date.data or not self.restitution_time.data:
            return None
        zone = ZoneInfo((self.timezone.data or "UTC").strip())
        local = dt.datetime.combine(self.restitution_date.data, self.restitution_time.data,
                                    tzinfo=zone)
        return local.astimezone(dt.UTC)


class SeminarCreateForm(_SeminarFields):
    """A new seminar: also its address (slug) and its wiki, fixed afterwards."""

    slug = StringField(_l("Short name in addresses"), validators=[DataRequired(), Length(max=64)])
    api_url = URLField(_l("The wiki's api.php address"), validators=[DataRequired(), Length(max=500)])

    def validate_slug(self, field: StringField) -> None:
        """Lower-case letters, digits and dashes."""
        if not SLUG_RE.match((field.data or "").strip().lower()):
            raise ValidationError(
                _l("Use 3 to 64 lower-case letters, digits and dashes (e.g. cultures-num-2026)."))


class SeminarEditForm(_SeminarFields):
    """Seminar settings."""


class InstructorForm(FlaskForm):
    """A co-instructor: an existing instructor account, or an invitation to a new one."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name (for a new account)"), validators=[Optional(), Length(max=200)])


class SessionForm(FlaskForm):
    """One session of the calendar."""

    date = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[Optional()])
    end_time = TimeField(_l("End time"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=choices(SESSION_KIND_LABELS.items()),
                       default=SessionKind.THEMATIC.value)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    speakers = StringField(_l("Speakers"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    address = StringField(_l("Venue address"), validators=[Optional(), Length(max=300)])
    places = IntegerField(_l("Places open to registration (empty: no registration)"),
                          validators=[Optional(), NumberRange(min=0, max=100000)])
    registration_closes_date = DateField(_l("Registration closes: date"), validators=[Optional()])
    registration_closes_time = TimeField(_l("Registration closes: time"), validators=[Optional()])

    def validate_registration_closes_time(self, field: TimeField) -> None:
        """Date and time of the closing go together."""
        if bool(field.data) != bool(self.registration_closes_date.data):
            raise ValidationError(_l("Give both the date and the time registration closes."))

    def validate_end_time(self, field: TimeField) -> None:
        """A session ends after it starts, and has a start if it has an end."""
        if field.data and not self.start_time.data:
            raise ValidationError(_l("Give the start time too."))
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end time is not after the start time."))


class RosterForm(FlaskForm):
    """The roster CSV, the same file as `wikiseminar roster import`."""

    file = FileField(_l("Roster file (CSV: name, email, wiki_username, role; French titles work too)"),
                     validators=[FileRequired(_l("Choose a file.")),
                                 FileSize(max_size=1_000_000,
                                          message=_l("The file is larger than 1 MB."))])


class RosterConfirmForm(FlaskForm):
    """The previewed roster sent back to be imported, with or without the updates."""

    content = wtforms.HiddenField(validators=[DataRequired(), Length(max=2_000_000)])


class DeleteParticipantForm(FlaskForm):
    """Typing the name confirms a deletion that cannot be undone."""

    confirm_name = StringField(_l("Type the participant's name to confirm"),
                               validators=[DataRequired(), Length(max=200)])


class LinkStartForm(FlaskForm):
    """The username the student claims on the seminar's wiki."""

    username = StringField(_l("Your username on the wiki"),
                           validators=[DataRequired(), Length(max=255)])


class CatalogueTopicForm(FlaskForm):
    """A topic of the instructor's catalogue."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    suggested_articles = TextAreaField(_l("Suggested articles (one title per line)"),
                                       validators=[Optional(), Length(max=5000)])


class ArticleRowForm(Form):
    """One article line of a proposal; empty lines are ignored."""

    title = StringField(_l("Article title"), validators=[Optional(), Length(max=255)])
    kind = SelectField(_l("To do"), choices=choices(ARTICLE_KIND_LABELS.items()),
                       default=ArticleKind.IMPROVE.value)
    sandbox = StringField(_l("Draft page (optional)"), validators=[Optional(), Length(max=255)])


class ProposalForm(FlaskForm):
    """A student's topic (new or from the catalogue) and its articles."""

    topic = SelectField(_l("Topic"), coerce=int, default=0)
    new_title = StringField(_l("Your topic's title"), validators=[Optional(), Length(max=300)])
    new_description = TextAreaField(_l("What the topic covers"),
                                    validators=[Optional(), Length(max=5000)])
    articles = FieldList(FormField(ArticleRowForm), min_entries=MAX_ARTICLES,
                         max_entries=MAX_ARTICLES)
    note = TextAreaField(_l("Note for the instructor (optional)"),
                         validators=[Optional(), Length(max=5000)])


class DecisionForm(FlaskForm):
    """The instructor's answer to a proposal."""

    decision = RadioField(_l("Decision"), validators=[InputRequired()], choices=choices([
        (AssignmentStatus.APPROVED.value, _l("Approve")),
        (AssignmentStatus.CHANGES_REQUESTED.value, _l("Ask for changes")),
        (AssignmentStatus.REJECTED.value, _l("Reject")),
    ]))
    comment = TextAreaField(_l("Comment for the student"), validators=[Optional(), Length(max=5000)])
