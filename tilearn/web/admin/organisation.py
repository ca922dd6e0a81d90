"""Admins and the organisation: teams, settings, revoking certificates and the audit log."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is 3.2

from tilearn.config import NATIONAL_SUPPORT_CONTACTS
from tilearn.database import writing
from tilearn.extensions import db
from tilearn.models import CompletionRecord, Team, User
from tilearn.plugins import added_level_schemes
from tilearn.services import people, teams
from tilearn.services.audit import recent_events
from tilearn.services.certificates import revoke_record
from tilearn.services.organisation import current_scheme, current_settings, update_settings
from tilearn.web.access import roles_required
from tilearn.web.admin.blueprint import PAGE_SIZE, bp, level_choices, show_error
from tilearn.web.admin.forms import RevokeForm, SettingsForm, TeamForm

SCHEMES = {
    "west-midlands": "West Midlands: Trauma Aware, Informed, Responsive, Specialist",
    "hampshire": "Hampshire: Trauma Informed, Skilled, Enhanced, Specialist",
}


def _team_form(team: Team | None) -> TeamForm:
    data = {}
    if team is not None:
        data = {
            "name": team.name,
            "expected_level": team.expected_level or "",
            "managers": teams.managers_of(team.id),
        }
    form = TeamForm(data=data)
    form.expected_level.choices = level_choices()
    managers = people.people_with_role("manager")
    form.managers.choices = [SelectChoice(m.id, f"{m.name} ({m.email})") for m in managers]
    return form


@bp.get("/teams")
@roles_required("admin")
def teams_list() -> str:
    """Every team with its expected level, members and managers."""
    return render_template("admin/teams.html", summaries=teams.team_summaries(), scheme=current_scheme())


@bp.route("/teams/new", methods=["GET", "POST"])
@roles_required("admin")
def add_team() -> ResponseReturnValue:
    """Add a team with its expected level and managers."""
    return _save_team(None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_team(team_id: int) -> ResponseReturnValue:
    """Change a team's name, expected level and managers."""
    team = teams.get_team(team_id)
    if team is None:
        abort(404)
    return _save_team(team)


def _save_team(team: Team | None) -> ResponseReturnValue:
    form = _team_form(team)
    if form.validate_on_submit():
        try:
            with writing():  # one action: if setting the managers fails, the team is not added either
                if team is None:
                    saved = teams.create_team(current_user.id, form.name.data or "", form.expected_level.data)
                else:
                    saved = teams.update_team(
                        current_user.id, team.id, form.name.data or "", form.expected_level.data
                    )
                teams.set_team_managers(current_user.id, saved.id, form.managers.data or [])
        except teams.TeamError as error:
            show_error(form, error)
        else:
            flash(f"The team {saved.name} has been saved.", "success")
            return redirect(url_for("admin.teams_list"))
    return render_template("admin/team.html", form=form, team=team)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings() -> ResponseReturnValue:
    """The organisation's name, support contacts, level scheme and evaluation invitations."""
    current = current_settings()
    lines = "\n".join(f"{c['name']} | {c['detail']}" for c in current.support_contacts)
    form = SettingsForm(
        data={
            "name": current.name,
            "support_contacts": lines,
            "level_scheme": current.level_scheme,
            "invite_to_evaluations": "yes" if current.invite_to_evaluations else "no",
        }
    )
    schemes = SCHEMES | added_level_schemes(current_app)
    schemes |= {current.level_scheme: schemes.get(current.level_scheme, current.level_scheme)}
    form.level_scheme.choices = [SelectChoice(key, label) for key, label in schemes.items()]
    if form.validate_on_submit():
        try:
            update_settings(
                current_user.id,
                form.name.data or "",
                form.contacts,
                form.level_scheme.data,
                invite_to_evaluations=form.invite_to_evaluations.data == "yes",
            )
        except ValueError as error:
            form.level_scheme.errors = [*form.level_scheme.errors, str(error)]
        else:
            flash("The organisation's settings have been saved.", "success")
            return redirect(url_for("admin.settings"))
    using_defaults = current.support_contacts == NATIONAL_SUPPORT_CONTACTS
    return render_template("admin/settings.html", form=form, using_defaults=using_defaults)


def _find_record(text: str) -> tuple[CompletionRecord, str] | None:
    """A completion record and its holder's name, by verification code, verify link or record number."""
    text = text.strip().rstrip("/").rsplit("/", 1)[-1]
    query = select(CompletionRecord, User.name).join(User, User.id == CompletionRecord.user_id)
    row = db.session.execute(query.where(CompletionRecord.verification_code == text)).first()
    if row is None and text.isdigit() and len(text) < 12:
        row = db.session.execute(query.where(CompletionRecord.id == int(text))).first()
    return (row.CompletionRecord, row.name) if row else None


@bp.route("/certificates/revoke", methods=["GET", "POST"])
@roles_required("admin")
def revoke() -> ResponseReturnValue:
    """Find a certificate, confirm, and revoke it with a reason (it is marked, never deleted)."""
    form = RevokeForm()
    if form.validate_on_submit():
        found = _find_record(form.record.data or "")
        if found is None:
            form.record.errors = ["No certificate has that verification code or record number"]
        elif found[0].revoked_at is not None:
            when = f"{found[0].revoked_at:%d %B %Y}"
            form.record.errors = [f"That certificate was already revoked on {when}"]
        elif form.confirmed.data != "yes":
            return render_template("admin/revoke_confirm.html", form=form, record=found[0], holder=found[1])
        else:
            try:
                revoke_record(current_user.id, found[0].id, form.reason.data or "")
            except ValueError as error:
                form.reason.errors = [str(error)]
            except LookupError:
                form.record.errors = ["No certificate has that verification code or record number"]
            else:
                flash(f"Certificate {found[0].id} for {found[1]} has been revoked.", "success")
                return redirect(url_for("admin.revoke"))
    return render_template("admin/revoke.html", form=form)


@bp.get("/audit")
@roles_required("admin")
def audit() -> str:
    """The audit log, newest first, a page at a time."""
    events = recent_events(limit=PAGE_SIZE + 1, before_id=request.args.get("before", type=int))
    older = events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None
    events = events[:PAGE_SIZE]
    names = people.names_of(event.actor_id for event in events if event.actor_id)
    return render_template("admin/audit.html", events=events, names=names, older=older)
