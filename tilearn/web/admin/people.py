"""Admins and people: adding and changing people, set-password links, sign-in pauses, disabling,
erasing, and the CSV import."""

from __future__ import annotations

import csv
import io
import urllib.parse
from collections.abc import Callable
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is 3.2

from tilearn.database import commit_now
from tilearn.models import User
from tilearn.services import accounts, passwords, people, people_import, teams
from tilearn.services.mail import LinkLetter, mail_enabled, send_password_links
from tilearn.services.organisation import current_scheme, current_settings
from tilearn.services.report_csv import safe_cell
from tilearn.web.access import roles_required
from tilearn.web.admin.blueprint import PAGE_SIZE, bp, level_choices, show_error
from tilearn.web.admin.forms import ActionForm, ImportForm, LockForm, PersonForm


def _person_form(person: User | None = None, **kwargs: Any) -> PersonForm:
    data: dict[str, Any] = {}
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
    form.expected_level.choices = level_choices("The team's level")
    return form


def _details(form: PersonForm) -> tuple[str, str, list[str], int | None, str | None]:
    """The person form's name, email, roles, team and expected level, as the people service takes them."""
    return (
        form.name.data or "",
        form.email.data or "",
        form.roles.data or [],
        form.team.data or None,
        form.expected_level.data or None,
    )


def _person_or_404(user_id: int, living: bool = False) -> User:
    person = people.get_person(user_id)
    if person is None or (living and person.erased_at is not None):
        abort(404)
    return person


def _limits() -> dict[str, Any]:
    return accounts.sign_in_limits(current_app.config)


def _edit_page(person: User, form: PersonForm, new_link: dict[str, Any] | None = None) -> str:
    return render_template(
        "admin/person.html",
        person=person,
        form=form,
        has_password=people.has_password(person),
        team=teams.get_team(person.team_id) if person.team_id else None,
        scheme=current_scheme(),
        lock=accounts.sign_in_lock(accounts.ACCOUNT, person.email, _limits()),
        link_expires_at=None if new_link else passwords.password_link_expiry(person.id),
        new_link=new_link,
        mail_enabled=mail_enabled(),
    )


def _link_url(token: str) -> str:
    return url_for("auth.set_password", token=token, _external=True)


@bp.get("/people")
@roles_required("admin")
def people_list() -> str:
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
def add_person() -> ResponseReturnValue:
    """Add one person."""
    form = _person_form()
    if form.validate_on_submit():
        try:
            person = people.create_person(current_user.id, *_details(form))
        except people.PersonError as error:
            show_error(form, error)
        else:
            flash(
                f"{person.name} has been added. Now create a link for them to set their password, below.",
                "success",
            )
            return redirect(url_for("admin.edit_person", user_id=person.id))
    return render_template("admin/person_new.html", form=form)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_person(user_id: int) -> ResponseReturnValue:
    """A person's details and roles, with disable, enable, password and erase."""
    person = _person_or_404(user_id, living=request.method == "POST")
    form = _person_form(person)
    if form.validate_on_submit():
        try:
            people.update_person(current_user.id, person.id, *_details(form))
        except people.PersonError as error:
            show_error(form, error)
        else:
            flash("The changes have been saved.", "success")
            return redirect(url_for("admin.edit_person", user_id=person.id))
    return _edit_page(person, form)


@bp.post("/people/<int:user_id>/password-link")
@roles_required("admin")
def create_password_link(user_id: int) -> ResponseReturnValue:
    """Make a one-time link for the person to set their own password; show it once, e-mail it if set up."""
    person = _person_or_404(user_id, living=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        made = people.create_password_link(current_user.id, person.id)
    except people.PersonError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.edit_person", user_id=person.id))
    commit_now()  # on purpose: the link must work before it is e-mailed
    link = _link_url(made.token)
    letter = LinkLetter(person.id, person.name, person.email, link, made.expires_at)
    emailed = send_password_links([letter], current_settings().name) == 1
    new_link = {"url": link, "expires_at": made.expires_at, "emailed": emailed}
    return _edit_page(person, _person_form(person, formdata=None), new_link)


@bp.post("/sign-in-locks/lift")
@roles_required("admin")
def lift_lock() -> ResponseReturnValue:
    """Let a paused account or address try to sign in again now."""
    form = LockForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("admin.people_list")
    if form.user_id.data and form.user_id.data.isdigit():
        back = url_for("admin.edit_person", user_id=int(form.user_id.data))
    try:
        lifted = people.lift_sign_in_lock(current_user.id, form.scope.data or "", form.key.data or "")
    except people.PersonError as error:
        flash(str(error), "error")
        return redirect(back)
    who = "They" if form.scope.data == accounts.ACCOUNT else "People at that network address"
    if lifted:
        flash(f"{who} can try to sign in again now.", "success")
    else:
        flash("That pause had already ended: nothing needed lifting.", "success")
    return redirect(back)


def _change_access(user_id: int, change: Callable[[int, int], object], done: str) -> ResponseReturnValue:
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
def disable_person(user_id: int) -> ResponseReturnValue:
    """Stop a person signing in; their sessions end at once."""
    return _change_access(user_id, people.disable_person, "can no longer sign in")


@bp.post("/people/<int:user_id>/enable")
@roles_required("admin")
def enable_person(user_id: int) -> ResponseReturnValue:
    """Let a disabled person sign in again."""
    return _change_access(user_id, people.enable_person, "can sign in again")


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@roles_required("admin")
def erase_person(user_id: int) -> ResponseReturnValue:
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
def import_people() -> ResponseReturnValue:
    """Add many people from a CSV file or pasted text; nothing is added if any row is wrong."""
    form = ImportForm()
    if form.validate_on_submit():
        field = form.file if form.file.data else form.text
        try:
            text = people_import.decode_csv(form.file.data.read()) if form.file.data else form.text.data or ""
            added = people_import.import_people_csv(current_user.id, text)
        except people_import.ImportRejected as rejected:
            field.errors = [*field.errors, *rejected.problems]
        else:
            return _import_done(added)
    levels = [level.key for level in current_scheme().levels]
    return render_template(
        "admin/import.html", form=form, columns=people_import.IMPORT_COLUMNS, levels=levels
    )


def _import_done(added: list[people_import.ImportedPerson]) -> Response:
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
    commit_now()  # on purpose: the people and their links must exist before the links are e-mailed
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
