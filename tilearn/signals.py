"""Signals tilearn sends, all in one namespace. Receivers must not log self-care details.

Every signal is sent with the running Flask app as sender, so a plug-in can connect a
receiver in its ``register(app)`` for that app only (``signal.connect(receiver, sender=app)``).
Signals are sent inside the action's transaction, before it commits: a receiver's own writes
commit or roll back with the action; anything it tells the outside world belongs in
``tilearn.database.after_commit``.

- ``section_seen``: sender is the app; ``user_id``, ``module_id``, ``section_id``.
- ``answers_submitted``: sender is the app; ``user_id``, ``module_id``, ``section_id``, ``attempt_id``.
- ``module_completed``: sender is the app; ``record`` (a CompletionRecord).
- ``user_signed_in`` / ``user_signed_out``: sender is the app; ``user_id``.
"""

from __future__ import annotations

from blinker import Namespace
from flask import Flask, current_app

tilearn_signals = Namespace()

section_seen = tilearn_signals.signal("section-seen")
answers_submitted = tilearn_signals.signal("answers-submitted")
module_completed = tilearn_signals.signal("module-completed")
user_signed_in = tilearn_signals.signal("user-signed-in")
user_signed_out = tilearn_signals.signal("user-signed-out")


def sender() -> Flask:
    """The running app, the sender of every tilearn signal."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy method Flask's types hide
    return app
