"""The admin blueprint and what its pages share."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf import FlaskForm
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is 3.2

from tilearn.services.organisation import current_scheme
from tilearn.web.access import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


def level_choices(blank: str = "Not set") -> list[SelectChoice]:
    """The organisation's levels for a select, after a blank choice."""
    return [SelectChoice("", blank)] + [SelectChoice(lv.key, lv.name) for lv in current_scheme().levels]


def show_error(form: FlaskForm, error: ValueError) -> None:
    """Show a service's refusal by the field it names (or the form's first field)."""
    field = getattr(form, getattr(error, "field", "") or "-", None)
    field = field or next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
    field.errors = [*field.errors, str(error)]


@bp.get("/")
@roles_required("admin")
def index() -> str:
    """What an admin can do."""
    return render_template("admin/index.html")
