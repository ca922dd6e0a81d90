"""Admins: people, teams, CSV import, organisation settings, revoking certificates, the audit log."""

from __future__ import annotations

import csv
import io
import urllib.parse

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    SelectChoice,
)

from tilearn.extensions import db
from tilearn.models import CompletionRecord, Team, User
from tilearn.services import accounts, people, people_import, teams
from tilearn.services.audit import recent_events
from tilearn.services.certificates import revoke_record
from tilearn.services.mail import LinkLetter, mail_enabled, send_password_links
from tilearn.services.organisation import current_scheme, current_settings, update_settings
from tilearn.services.report_csv import safe_cell
from tilearn.web.access import roles_required
from tilearn.web.admin_forms import (
    ActionForm,
    ImportForm,
    LockForm,
    PersonForm,
    RevokeForm,
    SettingsForm,
    TeamForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
SCHEMES = {
    "west-midlands": "West Midlands: Trauma Aware, Informed, Responsive, Specialist",
    "hampshire": "Hampshire: Trauma Informed, Skilled, Enhanced, Specialist",
}
PAGE_SIZE = 50


def _level_choices(blank: str = "Not set") -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(lv.key, lv.name) for lv in current_scheme().levels]


def _person_form(person: User | None = None, **kwargs) -> PersonForm:
    data = {}
    if person is not None:
        data = {
            "name": person.name,
            "email": person.email,
            "roles": sorted(person.roles),
            "team": person.team_id or 0,
            "expected_level": person.expected_level or "",
        }
    form = PersonForm(data=data, **kwargs)
    form.team.choices = [SelectChoice(0, "No team")] + [SelectChoice(t.id, t.name) for t in teams.all_teams()]
    form.expected_level.choices = _level_choices("The team's level")
    return form


def _show_error(form: FlaskForm, error: ValueError) -> None:
    field = getattr(form, getattr(error, "field", "") or "-", None)
    field = field or next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
    field.errors = [*field.errors, str(error)]


def _person_or_404(user_id: int, living: bool = False) -> User:
    person = people.get_person(user_id)
    if person is None or (living and person.erased_at is not None):
        abort(404)
    return person


def _limits() -> dict:
    return accounts.sign_in_limits(current_app.config)


def _edit_page(person: User, form: PersonForm, new_link: dict | None = None):
    return render_template(
        "admin/person.html",
        person=person,
        form=form,
        has_password=people.has_password(person),
        team=teams.get_team(person.team_id) if person.team_id else None,
        scheme=current_scheme(),
        lock=accounts.sign_in_lock(accounts.ACCOUNT, person.email, _limits()),
        link_expires_at=None if new_link else accounts.password_link_expiry(person.id),
        new_link=new_link,
        mail_enabled=mail_enabled(),
    )


def _link_url(token: str) -> str:
    return url_for("auth.set_password", token=token, _external=True)


@bp.get("/")
@roles_required("admin")
def index():
    """What an admin can do."""
    return render_template("admin/index.html")


@bp.get("/people")
@roles_required("admin")
def people_list():
    """Everyone, searchable by name or email, a page at a time."""
    search = request.args.get("q", "")[:200]
    found = people.find_people(search, request.args.get("page", 1, type=int), PAGE_SIZE)
    locks = accounts.sign_in_locks(_limits())
    holders = people.people_by_email(lock.key for lock in locks if lock.scope == accounts.ACCOUNT)
    return render_template(
        "admin/people.html",
        found=found,
        search=search,
        has_password=people.has_password,
        locks=locks,
        holders=holders,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required("admin")
def add_person():
    """Add one person."""
    form = _person_form()
    if form.validate_on_submit():
        try:
            person = people.create_person(
                current_user.id,
                form.name.data,
                form.email.data,
                form.roles.data,
                form.team.data or None,
                form.expected_level.data or None,
            )
        except people.PersonError as error:
            _show_error(form, error)
        else:
            flash(
                f"{person.name} has been added. Now create a link for them to set their password, below.",
                "success",
            )
            return redirect(url_for("admin.edit_person", user_id=person.id))
    return render_template("admin/person_new.html", form=form)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_person(user_id: int):
    """A person's details and roles, with disable, enable, password and erase."""
    person = _person_or_404(user_id, living=request.method == "POST")
    form = _person_form(person)
    if form.validate_on_submit():
        try:
            people.update_person(
                current_user.id,
                person.id,
                form.name.data,
                form.email.data,
                form.roles.data,
                form.team.data or None,
                form.expected_level.data or None,
            )
        except people.PersonError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            flash("The changes have been saved.", "success")
            return redirect(url_for("admin.edit_person", user_id=person.id))
    return _edit_page(person, form)


@bp.post("/people/<int:user_id>/password-link")
@roles_required("admin")
def create_password_link(user_id: int):
    """Make a one-time link for the person to set their own password; show it once, e-mail it if set up."""
    person = _person_or_404(user_id, living=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        made = people.create_password_link(current_user.id, person.id)
    except people.PersonError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.edit_person", user_id=person.id))
    link = _link_url(made.token)
    letter = LinkLetter(person.id, person.name, person.email, link, made.expires_at)
    emailed = send_password_links([letter], current_settings().name) == 1
    new_link = {"url": link, "expires_at": made.expires_at, "emailed": emailed}
    return _edit_page(person, _person_form(person, formdata=None), new_link)


@bp.post("/sign-in-locks/lift")
@roles_required("admin")
def lift_lock():
    """Let a paused account or address try to sign in again now."""
    form = LockForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("admin.people_list")
    if form.user_id.data and form.user_id.data.isdigit():
        back = url_for("admin.edit_person", user_id=int(form.user_id.data))
    try:
        lifted = people.lift_sign_in_lock(current_user.id, form.scope.data, form.key.data)
    except people.PersonError as error:
        flash(str(error), "error")
        return redirect(back)
    who = "They" if form.scope.data == accounts.ACCOUNT else "People at that network address"
    if lifted:
        flash(f"{who} can try to sign in again now.", "success")
    else:
        flash("That pause had already ended: nothing needed lifting.", "success")
    return redirect(back)


def _change_access(user_id: int, change, done: str):
    person = _person_or_404(user_id, living=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        change(current_user.id, person.id)
    except people.PersonError as error:
        flash(str(error), "error")
    else:
        flash(f"{person.name} {done}.", "success")
    return redirect(url_for("admin.edit_person", user_id=person.id))


@bp.post("/people/<int:user_id>/disable")
@roles_required("admin")
def disable_person(user_id: int):
    """Stop a person signing in; their sessions end at once."""
    return _change_access(user_id, people.disable_person, "can no longer sign in")


@bp.post("/people/<int:user_id>/enable")
@roles_required("admin")
def enable_person(user_id: int):
    """Let a disabled person sign in again."""
    return _change_access(user_id, people.enable_person, "can sign in again")


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@roles_required("admin")
def erase_person(user_id: int):
    """Ask to confirm, then erase a person: their records are kept without their name."""
    person = _person_or_404(user_id, living=True)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            people.erase_person(current_user.id, person.id)
        except people.PersonError as error:
            flash(str(error), "error")
            return redirect(url_for("admin.edit_person", user_id=person.id))
        flash(f"Their details have been erased. They are now listed as {person.name}.", "success")
        return redirect(url_for("admin.people_list"))
    return render_template("admin/erase.html", person=person, form=form)


@bp.route("/people/import", methods=["GET", "POST"])
@roles_required("admin")
def import_people():
    """Add many people from a CSV file or pasted text; nothing is added if any row is wrong."""
    form = ImportForm()
    if form.validate_on_submit():
        field = form.file if form.file.data else form.text
        try:
            text = people_import.decode_csv(form.file.data.read()) if form.file.data else form.text.data
            added = people_import.import_people_csv(current_user.id, text)
        except people_import.ImportRejected as rejected:
            field.errors = [*field.errors, *rejected.problems]
        else:
            return _import_done(added)
    levels = [level.key for level in current_scheme().levels]
    return render_template(
        "admin/import.html", form=form, columns=people_import.IMPORT_COLUMNS, levels=levels
    )


def _import_done(added: list[people_import.ImportedPerson]):
    """The import's answer: the new people's set-password links, in this response only.

    The raw tokens exist only now (just their hashes are kept), so the CSV of links is built
    into this page as a download (a data: link) and never stored, cached or sent again.
    """
    letters = [
        LinkLetter(p.user_id, p.name, p.email, _link_url(p.link_token), p.link_expires_at) for p in added
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "email", "link"])
    writer.writerows([safe_cell(letter.name), safe_cell(letter.email), letter.link] for letter in letters)
    links_csv = buffer.getvalue()
    emailed = send_password_links(letters, current_settings().name)
    page = render_template(
        "admin/import_done.html",
        added=len(added),
        links_csv=links_csv,
        download_href="data:text/csv;charset=utf-8," + urllib.parse.quote("\ufeff" + links_csv),
        expires_at=min(letter.expires_at for letter in letters),
        emailed=emailed,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _team_form(team: Team | None) -> TeamForm:
    data = {}
    if team is not None:
        data = {
            "name": team.name,
            "expected_level": team.expected_level or "",
            "managers": teams.managers_of(team.id),
        }
    form = TeamForm(data=data)
    form.expected_level.choices = _level_choices()
    managers = people.people_with_role("manager")
    form.managers.choices = [SelectChoice(m.id, f"{m.name} ({m.email})") for m in managers]
    return form


@bp.get("/teams")
@roles_required("admin")
def teams_list():
    """Every team with its expected level, members and managers."""
    return render_template("admin/teams.html", summaries=teams.team_summaries(), scheme=current_scheme())


@bp.route("/teams/new", methods=["GET", "POST"])
@roles_required("admin")
def add_team():
    """Add a team with its expected level and managers."""
    return _save_team(None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_team(team_id: int):
    """Change a team's name, expected level and managers."""
    team = teams.get_team(team_id)
    if team is None:
        abort(404)
    return _save_team(team)


def _save_team(team: Team | None):
    form = _team_form(team)
    if form.validate_on_submit():
        try:
            if team is None:
                team = teams.create_team(current_user.id, form.name.data, form.expected_level.data)
            else:
                teams.update_team(current_user.id, team.id, form.name.data, form.expected_level.data)
            teams.set_team_managers(current_user.id, team.id, form.managers.data)
        except teams.TeamError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            flash(f"The team {team.name} has been saved.", "success")
            return redirect(url_for("admin.teams_list"))
    return render_template("admin/team.html", form=form, team=team)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings():
    """The organisation's name, support contacts and level scheme."""
    current = current_settings()
    lines = "\n".join(f"{c['name']} | {c['detail']}" for c in current.support_contacts)
    form = SettingsForm(
        data={"name": current.name, "support_contacts": lines, "level_scheme": current.level_scheme}
    )
    schemes = SCHEMES | {current.level_scheme: SCHEMES.get(current.level_scheme, current.level_scheme)}
    form.level_scheme.choices = [SelectChoice(key, label) for key, label in schemes.items()]
    if form.validate_on_submit():
        try:
            update_settings(current_user.id, form.name.data, form.contacts, form.level_scheme.data)
        except ValueError as error:
            form.level_scheme.errors = [*form.level_scheme.errors, str(error)]
        else:
            flash("The organisation's settings have been saved.", "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)


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
def revoke():
    """Find a certificate, confirm, and revoke it with a reason (it is marked, never deleted)."""
    form = RevokeForm()
    if form.validate_on_submit():
        found = _find_record(form.record.data)
        if found is None:
            form.record.errors = ["No certificate has that verification code or record number"]
        elif found[0].revoked_at is not None:
            when = f"{found[0].revoked_at:%d %B %Y}"
            form.record.errors = [f"That certificate was already revoked on {when}"]
        elif form.confirmed.data != "yes":
            return render_template("admin/revoke_confirm.html", form=form, record=found[0], holder=found[1])
        else:
            try:
                revoke_record(current_user.id, found[0].id, form.reason.data)
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
def audit():
    """The audit log, newest first, a page at a time."""
    events = recent_events(limit=PAGE_SIZE + 1, before_id=request.args.get("before", type=int))
    older = events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None
    events = events[:PAGE_SIZE]
    names = people.names_of(event.actor_id for event in events if event.actor_id)
    return render_template("admin/audit.html", events=events, names=names, older=older)
