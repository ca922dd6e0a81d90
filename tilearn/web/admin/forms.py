"""The admin area's forms (WTForms, with CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice is new in WTForms 3.3; types-WTForms is 3.2
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from tilearn.models import ROLES

ROLE_LABELS = {"learner": "Learner", "trainer": "Trainer", "manager": "Manager", "admin": "Admin"}


class PersonForm(FlaskForm):
    """A person's details and roles."""

    name = StringField("Full name", validators=[DataRequired("Enter the person's name"), Length(max=200)])
    email = EmailField("Email address", validators=[DataRequired("Enter an email address"), Length(max=254)])
    roles = SelectMultipleField(
        "Roles",
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
        validators=[DataRequired("Choose at least one role")],
    )
    team = SelectField("Team", coerce=int)
    expected_level = SelectField("Expected level")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LockForm(FlaskForm):
    """Which sign-in pause to lift: an account (e-mail address) or a network address."""

    scope = HiddenField(validators=[DataRequired(), AnyOf(["account", "address"])])
    key = HiddenField(validators=[DataRequired(), Length(max=254)])
    #: the person whose page the button is on, to go back to
    user_id = HiddenField()


class ImportForm(FlaskForm):
    """People to add, pasted or uploaded as CSV."""

    text = TextAreaField("Paste the CSV")
    file = FileField("Or choose a CSV file")

    def validate_text(self, field: Field) -> None:
        """One of the two must be given."""
        if not (field.data or "").strip() and not self.file.data:
            raise ValidationError("Paste the people's details, or choose a CSV file")


class TeamForm(FlaskForm):
    """A team's name, expected level and managers."""

    name = StringField("Team name", validators=[DataRequired("Enter the team's name"), Length(max=200)])
    expected_level = SelectField("Expected level")
    managers = SelectMultipleField("Managers", coerce=int)


class SettingsForm(FlaskForm):
    """The organisation's name, support contacts, level scheme and evaluation invitations."""

    name = StringField(
        "Organisation name", validators=[DataRequired("Enter the organisation's name"), Length(max=200)]
    )
    support_contacts = TextAreaField("Support contacts")
    level_scheme = SelectField("Level scheme")
    invite_to_evaluations = RadioField(
        "Invite learners to evaluation questionnaires",
        choices=[SelectChoice("yes", "Yes, invite learners"), SelectChoice("no", "No, invite nobody")],
        validators=[InputRequired("Choose whether to invite learners to evaluation questionnaires")],
    )
    contacts: list[dict[str, str]] = []

    def validate_support_contacts(self, field: Field) -> None:
        """One contact per line, "Name | detail"."""
        lines = [(n, line.strip()) for n, line in enumerate(field.data.splitlines(), 1) if line.strip()]
        bad = [n for n, line in lines if line.count("|") != 1 or not all(p.strip() for p in line.split("|"))]
        if bad:
            raise ValidationError(f'Line {bad[0]}: write each contact as "Name | detail"')
        if not lines or len(lines) > 20:
            raise ValidationError("Enter between 1 and 20 support contacts, one on each line")
        pairs = [[part.strip()[:300] for part in line.split("|")] for _n, line in lines]
        self.contacts = [{"name": name, "detail": detail} for name, detail in pairs]


class RevokeForm(FlaskForm):
    """Which certificate to revoke, and why."""

    record = StringField(
        "Verification code or record number",
        validators=[DataRequired("Enter the verification code or record number"), Length(max=300)],
    )
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Give a reason for revoking the certificate"), Length(max=2000)]
    )
    confirmed = HiddenField()
