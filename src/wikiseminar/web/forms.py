"""WTForms forms shared by the blueprints (labels translated lazily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

__all__ = ["MAX_YEAR", "MIN_YEAR", "DateField", "LoginForm"]

# Dates typed in forms stay within these years: a seminar ending in 9999 or a restitution in
# year 1 is a typo, and would overflow time-zone arithmetic and the database later.
MIN_YEAR = 2000
MAX_YEAR = 2100


class DateField(wtforms.DateField):
    """A date field that refuses years outside MIN_YEAR..MAX_YEAR with a form error."""

    data: dt.date | None  # what WTForms parsed (it leaves its fields untyped)

    def pre_validate(self, form: Any) -> None:
        """Check the bounds before the form's own validators compare dates."""
        super().pre_validate(form)
        day: dt.date | None = getattr(self, "data", None)  # (set by WTForms once processed)
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            self.data = None  # later validators and views never see the out-of-range date
            raise wtforms.validators.StopValidation(
                str(_l("Give a date between 2000 and 2100.")))



class LoginForm(FlaskForm):
    """Email and password sign-in."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))
