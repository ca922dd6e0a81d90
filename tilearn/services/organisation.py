"""Organisation settings: stored in the database when an admin changes them, else from config."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

from flask import current_app
from sqlalchemy import select

from tilearn.database import after_commit, writes
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
    #: whether learners are invited to evaluation questionnaires, on the site and by e-mail
    invite_to_evaluations: bool = True


def _row() -> OrganisationSettings | None:
    return db.session.get(OrganisationSettings, 1)


def current_settings() -> Settings:
    """The organisation's settings: admin's choices over the configured defaults."""
    settings = _read_settings()
    _remember(settings)
    return settings


#: the admin's choices, read as plain values in a statement built once
_SETTINGS_ROW = select(
    OrganisationSettings.name,
    OrganisationSettings.support_contacts,
    OrganisationSettings.level_scheme,
    OrganisationSettings.invite_to_evaluations,
).where(OrganisationSettings.id == 1)
#: in app.extensions: (what the settings were made from, the settings)
_PARSED = "tilearn.parsed_settings"


def _read_settings() -> Settings:
    """The settings, read from the database on every call (so a change on any worker shows at once).

    Only the parsing is kept: the same row and configuration give back the same ``Settings``.
    """
    row = db.session.execute(_SETTINGS_ROW).first()
    config = current_app.config
    made_from = (
        tuple(row) if row is not None else None,
        config["ORGANISATION_NAME"],
        config["SUPPORT_CONTACTS"],
        config["LEVEL_SCHEME"],
    )
    parsed = current_app.extensions.get(_PARSED)
    if parsed is not None and parsed[0] == made_from:
        return cast(Settings, parsed[1])
    name, contacts, scheme, invite = row if row is not None else (None, None, None, True)
    settings = Settings(
        name=name or config["ORGANISATION_NAME"],
        support_contacts=json.loads(contacts) if contacts else config["SUPPORT_CONTACTS"],
        level_scheme=scheme or config["LEVEL_SCHEME"],
        invite_to_evaluations=invite is not False,
    )
    current_app.extensions[_PARSED] = (made_from, settings)
    return settings


def _last_known_path() -> Path:
    return Path(current_app.config["CACHE_DIR"]) / "organisation.json"


def _remember(settings: Settings) -> None:
    """Keep the settings just read where a worker can find them while the database is down."""
    remembered = current_app.extensions.get("tilearn.last_settings")
    if remembered is settings or remembered == settings:
        return
    current_app.extensions["tilearn.last_settings"] = settings
    path = _last_known_path()
    text = json.dumps(asdict(settings), sort_keys=True)
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as out:
            out.write(text)
        os.replace(out.name, path)
    except OSError:  # a read-only disk must never stop a page
        pass


def last_known_settings() -> Settings:
    """For pages shown while the database is down: the last settings read, else the configured ones."""
    remembered: Settings | None = current_app.extensions.get("tilearn.last_settings")
    if remembered is not None:
        return remembered
    try:
        saved = json.loads(_last_known_path().read_text(encoding="utf-8"))
        return Settings(
            saved["name"],
            list(saved["support_contacts"]),
            saved["level_scheme"],
            saved.get("invite_to_evaluations", True) is not False,
        )
    except (OSError, ValueError, KeyError, TypeError):
        config = current_app.config
        return Settings(config["ORGANISATION_NAME"], config["SUPPORT_CONTACTS"], config["LEVEL_SCHEME"])


def current_scheme() -> LevelScheme:
    """The level scheme in force, loaded once per scheme name per app."""
    name = current_settings().level_scheme
    schemes: dict[str, LevelScheme] = current_app.extensions.setdefault("tilearn.schemes", {})
    if name not in schemes:
        schemes[name] = load_scheme(name)
    return schemes[name]


@writes
def update_settings(
    actor_id: int,
    name: str,
    support_contacts: list[dict[str, str]],
    level_scheme: str,
    invite_to_evaluations: bool | None = None,
) -> None:
    """Save the organisation's settings (the scheme checked first); None keeps invitations as they are."""
    from tilearn.plugins import level_scheme as find_scheme

    find_scheme(current_app, level_scheme)  # one a plug-in added, or shipped; ValueError if unusable
    row = _row() or OrganisationSettings(id=1)
    row.name = name.strip()
    row.support_contacts = json.dumps(support_contacts)
    row.level_scheme = level_scheme
    if invite_to_evaluations is not None:
        row.invite_to_evaluations = invite_to_evaluations
    row.updated_at = utcnow()
    db.session.add(row)
    inviting = "on" if row.invite_to_evaluations is not False else "off"
    record_event(
        actor_id,
        "settings.updated",
        "organisation",
        f"name, contacts, scheme={level_scheme}, evaluation invitations={inviting}",
    )
    db.session.flush()
    saved = _read_settings()  # remembered once committed, so pages shown during an outage have them
    after_commit(lambda: _remember(saved))
