"""The trainers' forms (WTForms, with CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice is new in WTForms 3.3; types-WTForms is 3.2
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

#: What a trainer may write as a note for learners; they read it on the module's page.
MAX_NOTE = 500


class NewDraftForm(FlaskForm):
    """A new module from the template."""

    module_id = StringField("Module id", validators=[DataRequired("Enter a module id"), Length(max=64)])
    title = StringField("Title", validators=[DataRequired("Enter the module's title"), Length(max=200)])
    level = SelectField("Level")


class UploadForm(FlaskForm):
    """A module file, or a zip of its folder."""

    file = FileField("Choose a .md file or a .zip file")


class EditForm(FlaskForm):
    """The text of a draft."""

    markdown = TextAreaField("Module text")
    #: when the draft was last saved, as the page showed it: a second tab's save is not lost silently
    saved_at = HiddenField()


class ChangeForm(FlaskForm):
    """A "what changed" note for learners, and whether the change is material."""

    note = TextAreaField(
        "What changed, for learners",
        validators=[
            DataRequired("Enter a short note for learners about what changed"),
            Length(max=MAX_NOTE, message=f"The note can be {MAX_NOTE} characters at most"),
        ],
    )
    material = RadioField(
        "Is this a material change?",
        choices=[
            SelectChoice("yes", "Yes, a material change"),
            SelectChoice("no", "No, not a material change"),
        ],
        validators=[InputRequired("Choose whether the change is material")],
    )
    #: the version that was current when the page was opened: a second click publishes nothing more
    current = HiddenField()


class ReasonForm(FlaskForm):
    """Why a module is retired."""

    reason = TextAreaField(
        "Why is this module being retired?",
        validators=[DataRequired("Enter why the module is being retired"), Length(max=500)],
    )
    confirmed = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
