"""Trainers' workspace: drafts, checking, preview, publishing, versions, rollback and retiring."""

from __future__ import annotations

from tilearn.web.author import drafts, library, versions  # noqa: F401 (each adds its pages to the blueprint)
from tilearn.web.author.blueprint import bp

__all__ = ["bp"]
