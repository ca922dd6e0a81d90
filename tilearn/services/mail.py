"""E-mails the site sends (set-password links, evaluation invitations), through Flask-Mailman when set up."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app
from flask_mailman import EmailMessage

from tilearn.eventlog import log_event
from tilearn.extensions import mail

log = logging.getLogger("tilearn.mail")


@dataclass(frozen=True)
class LinkLetter:
    """Who gets which set-password link."""

    user_id: int
    name: str
    email: str
    link: str
    expires_at: datetime


def mail_enabled() -> bool:
    """True when the site is set up to send e-mail (MAIL_SERVER, or a MAIL_BACKEND)."""
    return bool(current_app.config.get("MAIL_ENABLED"))


def _message(letter: LinkLetter, organisation: str, connection: Any) -> EmailMessage:
    body = (
        f"Hello {letter.name},\n\n"
        f"You can now use {organisation} learning. To choose your password, open this link:\n\n"
        f"{letter.link}\n\n"
        f"The link works once and lasts 7 days, until {letter.expires_at:%d %B %Y at %H:%M} UTC. "
        "If it has stopped working, ask your administrator for a new one.\n\n"
        "If you were not expecting this e-mail, you can ignore it.\n"
    )
    return EmailMessage(
        subject=f"Set your password for {organisation} learning",
        body=body,
        to=[letter.email],
        connection=connection,
    )


Letter = TypeVar("Letter", "LinkLetter", "EvaluationLetter")


def _send_all(
    letters: Iterable[Letter],
    message: Callable[[Letter, Any], EmailMessage],
    event: str,
    sent_one: Callable[[Letter], None] | None = None,
) -> int:
    """Send each letter's message over one connection, logging ``<event>.emailed``; how many went.

    Sends nothing when e-mail is off. A mail server problem stops the run: it is logged as
    ``<event>.email_not_sent`` with its kind only (never a message's text).
    """
    letters = list(letters)
    if not letters or not mail_enabled():
        return 0
    sent = 0
    try:
        with mail.get_connection() as connection:
            for letter in letters:
                message(letter, connection).send()
                if sent_one is not None:
                    sent_one(letter)
                sent += 1
                log_event(f"{event}.emailed", letter.user_id)
    except Exception as error:  # any mail server problem; the callers say what happens to the rest
        log.warning("could not send %s e-mails: %s", event.replace("_", " "), type(error).__name__)
        log_event(f"{event}.email_not_sent", None, error=type(error).__name__, sent=sent)
    return sent


def send_password_links(letters: Iterable[LinkLetter], organisation: str) -> int:
    """E-mail people their set-password links over one connection; how many were sent.

    Sends nothing when e-mail is off. A mail server problem is logged (never the link) and the
    admin still has the links on the page. Links are in the messages only, never in a log.
    """
    return _send_all(
        letters, lambda letter, connection: _message(letter, organisation, connection), "password_link"
    )


@dataclass(frozen=True)
class EvaluationLetter:
    """An invitation to a level's six-month questionnaire."""

    user_id: int
    name: str
    email: str
    level_key: str
    level_name: str
    link: str


def _evaluation_message(letter: EvaluationLetter, organisation: str, connection: Any) -> EmailMessage:
    body = (
        f"Hello {letter.name},\n\n"
        f"About six months ago you finished {letter.level_name} on {organisation} learning. "
        "If you would like to, you can tell us in a few clicks what has changed in your work since:\n\n"
        f"{letter.link}\n\n"
        "It is optional. Your answers are kept without your name, so nobody (your manager included) "
        "can tell they are yours. If you would rather not, you can ignore this e-mail, or choose "
        '"Don\'t ask again" on the page, or "Stop asking me about evaluations" for no more of these '
        "questions at all.\n"
    )
    return EmailMessage(
        subject=f"Six months on: a few optional questions from {organisation} learning",
        body=body,
        to=[letter.email],
        connection=connection,
    )


def send_evaluation_invitations(
    letters: Iterable[EvaluationLetter], organisation: str, sent_one: Callable[[EvaluationLetter], None]
) -> int:
    """E-mail six-month invitations over one connection, calling ``sent_one`` after each; how many went.

    Sends nothing when e-mail is off. A mail server problem stops the run and is logged; the ones
    not sent go on the next run.
    """
    return _send_all(
        letters,
        lambda letter, connection: _evaluation_message(letter, organisation, connection),
        "evaluation_invitation",
        sent_one,
    )
