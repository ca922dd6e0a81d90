"""Where a learner stands with a module, and where a certificate stands: defined once.

Two vocabularies, one table. A learner's module (the manager's report, the CSV, "My learning")
is not started, in progress, completed, due soon, expired or refresher recommended; a
certificate (its page, the PDF, the public check) is valid, due for refresher, refresher
recommended, expired or revoked. Both are decided by the same ordered RULES over the record
that currently counts: the manager's report turns them into one SQL CASE (status_case), a
certificate and "My learning" test them in Python (decide). Pure Python: no Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import case

# A learner's module
NOT_STARTED, IN_PROGRESS, COMPLETED, DUE_SOON = "not started", "in progress", "completed", "due soon"
EXPIRED, RECOMMENDED = "expired", "refresher recommended"
# A certificate (EXPIRED and RECOMMENDED too)
VALID, DUE, REVOKED = "valid", "due for refresher", "revoked"

#: a record due for a refresher within this many days is due soon, shown in the first band it fits
DUE_BANDS = (30, 60, 90)
#: a record this close to its expiry is due soon (a certificate: due for refresher)
DUE_WINDOW = timedelta(days=DUE_BANDS[-1])


@dataclass(frozen=True)
class Status:
    """One status and how it is shown: the only label table the templates use."""

    key: str  #: the value in URLs, the CSV, the PDF and the code
    label: str  #: the words on its tag and in the report's filters and totals
    colour: str  #: the GOV.UK tag colour, e.g. "green" for govuk-tag--green
    #: counts as holding a current completion (the report's "current" column and complete learners)
    current: bool = False
    #: the learner's own wording on "My learning", where it is kinder than the manager's
    learner_label: str | None = None

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag class for its colour."""
        return f"govuk-tag--{self.colour}"


#: every status by key; a report lists a learner's module statuses in this order
STATUSES: dict[str, Status] = {
    status.key: status
    for status in (
        Status(NOT_STARTED, "Not started", "grey"),
        Status(IN_PROGRESS, "In progress", "light-blue"),
        Status(COMPLETED, "Completed", "green", current=True),
        Status(DUE_SOON, "Due soon", "yellow", current=True, learner_label="Refresher due soon"),
        Status(EXPIRED, "Expired", "orange", learner_label="Refresher due"),
        Status(RECOMMENDED, "Refresher recommended", "yellow", current=True),
        Status(VALID, "Valid", "green", current=True),
        Status(DUE, "Due for refresher", "yellow", current=True),
        Status(REVOKED, "Revoked", "red"),
    )
}
#: a learner's module, in the report's order
MODULE_STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED, DUE_SOON, EXPIRED, RECOMMENDED)
#: a certificate
RECORD_STATUSES = (VALID, DUE, RECOMMENDED, EXPIRED, REVOKED)
#: the module statuses that count as holding a current completion
CURRENT = frozenset(key for key in MODULE_STATUSES if STATUSES[key].current)


@dataclass(frozen=True)
class Rule:
    """One test on the record that counts, and the status it gives a certificate and a learner's module."""

    test: str  #: the name of the fact tested: missing, expired, due or changed
    record: str  #: the certificate's status when the test holds
    module: str  #: the learner's module status when the test holds


#: tested in this order; the first that holds decides
RULES = (
    Rule("missing", REVOKED, IN_PROGRESS),  # revoked; a module: started, no un-revoked record
    Rule("expired", EXPIRED, EXPIRED),  # its refresher date has passed
    Rule("due", DUE, DUE_SOON),  # its refresher date is within DUE_WINDOW
    Rule("changed", RECOMMENDED, RECOMMENDED),  # the module changed materially since
)
#: when no rule holds
OTHERWISE = Rule("", VALID, COMPLETED)
#: a certificate's status as the learner's module status it means
MODULE_STATUS_OF = {rule.record: rule.module for rule in (*RULES, OTHERWISE)}


def decide(facts: Mapping[str, bool]) -> Rule:
    """The first rule whose fact holds (facts by test name), or OTHERWISE."""
    return next((rule for rule in RULES if facts.get(rule.test)), OTHERWISE)


def status_case(facts: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    """SQL: the RULES as one CASE over SQL facts (by test name; a missing one is never true).

    Gives values[module status], so the same CASE can yield the status or a number to add up.
    """
    whens = [(facts[rule.test], values[rule.module]) for rule in RULES if facts.get(rule.test) is not None]
    return case(*whens, else_=values[OTHERWISE.module])


def due_band(days_left: int | None) -> int | None:
    """30, 60 or 90: the first band a record with this many days left is due within (None: none)."""
    if days_left is None or days_left < 0:
        return None
    return next((band for band in DUE_BANDS if days_left <= band), None)
