"""Organisation settings: stored in the database when an admin changes them, else from config."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import current_app

from tilearn.engine.levels import LevelScheme, load_scheme
from tilearn.extensions import db
from tilearn.models import OrganisationSettings
from tilearn.models.types import utcnow
from tilearn.services.audit import record_event


@dataclass(frozen=True)
class Settings:
    """What the site shows for the organisation."""

    name: str
    support_contacts: list[dict[str, str]]
    level_scheme: str


def _row() -> OrganisationSettings | None:
    return db.session.get(OrganisationSettings, 1)


def current_settings() -> Settings:
    """The organisation's settings: admin's choices over the configured defaults."""
    row = _row()
    config = current_app.config
    return Settings(
        name=(row.name if row and row.name else config["ORGANISATION_NAME"]),
        support_contacts=(
            json.loads(row.support_contacts) if row and row.support_contacts else config["SUPPORT_CONTACTS"]
        ),
        level_scheme=(row.level_scheme if row and row.level_scheme else config["LEVEL_SCHEME"]),
    )


def current_scheme() -> LevelScheme:
    """The level scheme in force, loaded once per scheme name per app."""
    name = current_settings().level_scheme
    schemes: dict[str, LevelScheme] = current_app.extensions.setdefault("tilearn.schemes", {})
    if name not in schemes:
        schemes[name] = load_scheme(name)
    return schemes[name]


def update_settings(
    actor_id: int, name: str, support_contacts: list[dict[str, str]], level_scheme: str
) -> None:
    """Save the organisation's name, support contacts and level scheme (checked loadable first)."""
    load_scheme(level_scheme)  # raises ValueError with a plain message if unusable
    row = _row() or OrganisationSettings(id=1)
    row.name = name.strip()
    row.support_contacts = json.dumps(support_contacts)
    row.level_scheme = level_scheme
    row.updated_at = utcnow()
    db.session.add(row)
    record_event(actor_id, "settings.updated", "organisation", f"name, contacts, scheme={level_scheme}")
    db.session.commit()
