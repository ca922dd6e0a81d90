"""What module pages fill in per request: level names from the organisation's scheme, support contacts."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from tilearn.engine.level_names import fill_level_names
from tilearn.engine.levels import LevelScheme


@pass_context
def fill_levels(context: Context, html: Any) -> Markup:
    """A module's sanitised HTML with ``[[level:…]]`` filled in from the organisation's scheme.

    Plain text such as a title must be escaped first (``title|e|fill_levels``); the names put in are escaped.
    """
    text = str(html) if isinstance(html, Markup) else str(html or "")
    if "[[level" not in text:  # most blocks: no need to look up the scheme
        return Markup(text)  # noqa: S704 (module HTML is sanitised by the engine)
    module = context.get("module")
    level = getattr(module, "level", None) if module is not None else None
    return Markup(fill_level_names(text, _scheme(), level))  # noqa: S704 (module HTML is sanitised)


def _scheme() -> LevelScheme:
    """The organisation's level scheme, looked up once per request (settings are read from the database)."""
    from tilearn.services.organisation import current_scheme

    if "tilearn_level_scheme" not in g:
        g.tilearn_level_scheme = current_scheme()
    scheme: LevelScheme = g.tilearn_level_scheme
    return scheme


def support_contacts() -> list[dict[str, str]]:
    """The organisation's support contacts, as the grounding page shows them."""
    from tilearn.errors import page_settings

    return list(page_settings().support_contacts)


def init_app(app: Flask) -> None:
    """Register the ``fill_levels`` filter and the ``support_contacts()`` helper for templates."""
    app.jinja_env.filters["fill_levels"] = fill_levels
    app.jinja_env.globals["support_contacts"] = support_contacts


__all__ = ["fill_levels", "init_app", "support_contacts"]
