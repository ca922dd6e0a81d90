"""An example tilearn plug-in: a 'put these in order' question, a 'key point' block and a module."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tilearn import signals

#: The folder of modules this package adds to the library (entry point group tilearn.modules).
MODULES = str(Path(__file__).resolve().parent / "modules")
#: Where register(app) keeps its counts, in app.extensions (per app, never a module global).
EXTENSION = "tilearn_order_question"


def register(app: Flask) -> None:
    """Connect to tilearn's signals for this app: count modules completed (no personal details)."""
    counts = app.extensions.setdefault(EXTENSION, {"modules_completed": 0, "senders": []})

    def on_completed(sender: Flask, **_extra: object) -> None:
        counts["modules_completed"] += 1
        counts["senders"].append(sender)

    signals.module_completed.connect(on_completed, sender=app, weak=False)
