"""Admins: people, teams, CSV import, organisation settings, revoking certificates, the audit log."""

from __future__ import annotations

from tilearn.web.admin import organisation, people  # noqa: F401 (each adds its pages to the blueprint)
from tilearn.web.admin.blueprint import bp

__all__ = ["bp"]
