"""Whether to invite a learner to evaluation questionnaires at all: the organisation's setting, and the
learner's own "Stop asking me about evaluations", which reaches every invitation on the site and by e-mail.

The learner's choice is theirs alone: it is in their data download and erased with them, and no
manager or trainer page reads it, nor the audit log, which admins see. A questionnaire opened from an
old link still answers (services/evaluation.py ``due_one``): choosing to answer is not being asked.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from tilearn.database import writes
from tilearn.extensions import db
from tilearn.models import EvaluationOptOut
from tilearn.services.evaluation import today_utc
from tilearn.services.organisation import current_settings


def organisation_invites() -> bool:
    """True unless an admin has turned evaluation invitations off for the organisation."""
    return current_settings().invite_to_evaluations


def stopped_asking(user_id: int) -> bool:
    """True when the learner chose "Stop asking me about evaluations"."""
    return db.session.get(EvaluationOptOut, user_id) is not None


def may_invite(user_id: int) -> bool:
    """True when invitations may reach the learner: the organisation invites and they have not said stop."""
    return organisation_invites() and not stopped_asking(user_id)


@writes
def stop_asking(user_id: int, today: date | None = None) -> None:
    """No more evaluation invitations for the learner; choosing it again changes nothing."""
    if not stopped_asking(user_id):
        db.session.add(EvaluationOptOut(user_id=user_id, stopped_on=today or today_utc()))
    db.session.flush()


@writes
def ask_again(user_id: int) -> None:
    """Invitations reach the learner again, as before they said stop."""
    db.session.execute(delete(EvaluationOptOut).where(EvaluationOptOut.user_id == user_id))
    db.session.flush()
