"""Command-line tools: `flask --app tilearn modules lint|list|import|export`, `… demo seed`, `… people …`."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tilearn.config import PROJECT_ROOT
from tilearn.database import unit_of_work
from tilearn.engine import load_library
from tilearn.engine.levels import load_scheme
from tilearn.engine.library import GLOSSARY_FILE, module_folders

modules_cli = AppGroup("modules", help="Check, list, import and export learning modules.")
demo_cli = AppGroup("demo", help="Demo organisation and people.")
records_cli = AppGroup("records", help="Completion records.")
people_cli = AppGroup("people", help="People and what is kept about them.")
evaluations_cli = AppGroup("evaluations", help="Evaluation questionnaires.")
insight_cli = AppGroup("insight", help="Trainers' insight figures.")

DEMO_PASSWORD = "learn-at-your-own-pace"
DEMO_USERS = (
    ("learner@example.org", "Lee Learner", ("learner",)),
    ("trainer@example.org", "Tia Trainer", ("trainer", "learner")),
    ("manager@example.org", "Mo Manager", ("manager", "learner")),
    ("admin@example.org", "Ada Admin", ("admin", "learner")),
)
DEMO_TEAM = "Demo team"


def lint_paths(
    paths: tuple[str, ...],
    scheme_name: str,
    out: Callable[[str], object] = click.echo,
    sensitive_words: tuple[str, ...] = (),
) -> tuple[int, int]:
    """Check folders of modules or single module folders; print problems by file and line, each once.

    Returns (errors, warnings).
    """
    targets = [Path(raw).resolve() for raw in paths]
    targets = [t.parent if t.is_file() else t for t in targets]
    single = {t for t in targets if list(t.glob("*.md")) and not (t / GLOSSARY_FILE).is_file()}
    directories = list(dict.fromkeys(t.parent if t in single else t for t in targets))
    folders = [f for f in module_folders(directories) if f in single or f.parent in targets]
    engine_log = logging.getLogger("tilearn.engine")
    engine_log.disabled = True  # the problems are printed below, once
    with click.progressbar(length=len(folders), label="Checking modules", file=sys.stderr) as bar:
        library = load_library(
            directories,
            load_scheme(scheme_name),
            display_root=Path.cwd(),
            progress=lambda _folder: bar.update(1),
            sensitive_words=sensitive_words,
        )
    engine_log.disabled = False
    wanted = [p for p in library.problems if _wanted(Path.cwd() / p.path, single, targets)]
    wanted = sorted(dict.fromkeys(wanted), key=lambda p: (p.path, p.line))
    for problem in wanted:
        out(str(problem))
    for module in sorted(library.all_modules.values(), key=lambda m: m.path):
        if module.questions and _wanted(Path.cwd() / module.path, single, targets):
            out(f"{module.path}: {module.assessment}")
    errors = sum(1 for p in wanted if p.is_error)
    warnings = len(wanted) - errors
    out(f"{len(folders)} module(s) checked: {errors} error(s), {warnings} warning(s)")
    return errors, warnings


def _wanted(path: Path, single: set[Path], targets: list[Path]) -> bool:
    """True when a problem's file lies in a module folder or a folder of modules that was asked for."""
    path = path.resolve()
    return any(t in path.parents or t == path for t in targets if t not in single) or any(
        s in path.parents or s == path for s in single
    )


@modules_cli.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def lint_command(paths: tuple[str, ...], strict: bool) -> None:
    """Report every problem as path:line: message; exit 1 on errors (with --strict, on warnings too).

    Needs no SECRET_KEY, so it works on a fresh clone (tilearn.COMMANDS_WITHOUT_SECRET).
    """
    if not paths:
        from tilearn.engine.library import installed_module_directories

        paths = tuple(current_app.config["MODULES_DIRS"]) + tuple(map(str, installed_module_directories()))
    extra = tuple(current_app.config.get("SENSITIVE_WORDS_EXTRA") or ())
    errors, warnings = lint_paths(paths, current_app.config["LEVEL_SCHEME"], sensitive_words=extra)
    if errors or (strict and warnings):
        sys.exit(1)


@modules_cli.command("list")
def list_command() -> None:
    """List the modules the site serves."""
    library = current_app.extensions["tilearn.library"].library
    for module in library.modules.values():
        click.echo(f"{module.id}\t{module.level}\tv{module.version}\t{module.title}")


def read_module_path(path: Path) -> tuple[str, str, dict[str, bytes], list[str]]:
    """A module folder (or a single .md file) as (id, markdown, files, names left out).

    The id is the front matter's ``id:``, else the folder's (or file's) name. Only images and
    PDF handouts travel with a module; anything else in the folder is left out and named.
    """
    from tilearn.engine.assets import safe_asset_path

    if path.is_file():
        markdown_file, folder = path, None
    else:
        found = sorted(path.glob("*.md"))
        if len(found) != 1:
            raise click.ClickException(f"{path} must hold exactly one .md file (it has {len(found)})")
        markdown_file, folder = found[0], path
    markdown = markdown_file.read_text(encoding="utf-8")
    named = re.search(r"^id:\s*[\"']?([^\"'\s]+)", markdown.split("\n---", 1)[0], re.MULTILINE)
    module_id = named.group(1) if named else (folder.name if folder else markdown_file.stem)
    files: dict[str, bytes] = {}
    left_out: list[str] = []
    for item in sorted(folder.rglob("*")) if folder is not None else []:
        name = item.relative_to(path).as_posix()
        if item.is_file() and item != markdown_file:
            if safe_asset_path(name):
                files[name] = item.read_bytes()
            else:
                left_out.append(name)
    return module_id, markdown, files, left_out


@modules_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--note", help="What changed, in a sentence for learners (they see it).")
@click.option(
    "--material/--not-material",
    default=None,
    help="Whether the change matters enough that holders of earlier versions should take a refresher.",
)
def import_command(path: Path, note: str | None, material: bool | None) -> None:
    """Publish a module folder (or a single .md file) on the site as a new version, live at once.

    Checked and refused exactly as the site's Publish button is: errors, a label that does not
    rise, no note, or nothing changed.
    """
    from tilearn.services.module_versions import PublishRefused, publish

    if material is None:
        raise click.UsageError("Say whether the change is material: --material or --not-material.")
    module_id, markdown, files, left_out = read_module_path(path)
    for name in left_out:
        click.echo(f"left out (not an image or PDF handout): {name}", err=True)
    try:
        with unit_of_work():
            version = publish(None, module_id, markdown, files, note or "", material, source="import")
            label = version.version
    except PublishRefused as refused:
        for message in refused.messages:
            click.echo(message, err=True)
        click.echo(f"Module {module_id} was not published.", err=True)
        sys.exit(1)
    click.echo(f"Published {module_id} version {label}; every worker serves it within a few seconds.")


@modules_cli.command("export")
@click.argument("module_id")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the files of an earlier export in PATH/ID.")
def export_command(module_id: str, path: Path, force: bool) -> None:
    """Write the current version of a module (markdown and files) to PATH/ID/, e.g. to keep it in git."""
    from tilearn.services.module_versions import current_version, version_files

    version = current_version(module_id)
    library = current_app.extensions["tilearn.library"].library
    if version is not None and version.markdown is not None:
        markdown, files = version.markdown, version_files(version.id)
    elif module_id in library.folders:  # served from disk, its text not yet in the history
        folder = library.folders[module_id]
        _id, markdown, files, _left_out = read_module_path(folder)
    else:
        raise click.ClickException(f"There is no module '{module_id}' on this site.")
    target = path / module_id
    if target.exists() and any(target.iterdir()) and not force:
        raise click.ClickException(f"{target} is not empty; use --force to replace what is there.")
    target.mkdir(parents=True, exist_ok=True)
    (target / "module.md").write_text(markdown, encoding="utf-8")
    for name, data in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
    label = version.version if version is not None else library.all_modules[module_id].version
    click.echo(f"Wrote {module_id} version {label} ({len(files)} file(s) besides module.md) to {target}")


@demo_cli.command("seed")
def seed_command() -> None:
    """Create one demo person per role and a demo team (once each), and print how to sign in."""
    from tilearn.extensions import db
    from tilearn.models import Team, User
    from tilearn.services import people, teams
    from tilearn.services.accounts import create_user
    from tilearn.services.organisation import current_scheme

    demo = {}
    with unit_of_work():  # all of it or nothing
        for email, name, roles in DEMO_USERS:
            demo[email] = db.session.scalar(select(User).where(User.email == email)) or create_user(
                email, name, DEMO_PASSWORD, roles
            )
        if db.session.scalar(select(Team).where(Team.name == DEMO_TEAM)) is None:
            # So the demo manager's report has people in it: the learner and trainer, at the first level.
            admin = demo["admin@example.org"]
            team = teams.create_team(admin.id, DEMO_TEAM, current_scheme().levels[0].key)
            teams.set_team_managers(admin.id, team.id, [demo["manager@example.org"].id])
            for email in ("learner@example.org", "trainer@example.org"):
                person = demo[email]
                name, level = person.name, person.expected_level
                people.update_person(admin.id, person.id, name, person.email, person.roles, team.id, level)
    click.echo(f"Demo people (all with the password '{DEMO_PASSWORD}'):")
    for email, _name, roles in DEMO_USERS:
        click.echo(f"  {roles[0]:<8} {email}")
    click.echo(f"The manager manages '{DEMO_TEAM}', with the learner and the trainer in it.")


@records_cli.command("resync")
def resync_command() -> None:
    """Rebuild what the managers' report reads from the completion records (after a hand edit)."""
    from tilearn.services.certificates import resync_current_records

    with unit_of_work():
        rows = resync_current_records()
    click.echo(f"Rebuilt the current record of {rows} progress row(s).")


@insight_cli.command("count")
def insight_count_command() -> None:
    """Count every published module's insight totals that are not counted for its current version."""
    from tilearn.services import insight_totals
    from tilearn.web.library_state import current_library

    counted = 0
    for module in current_library().modules.values():
        if insight_totals.is_counted(module):
            continue
        with unit_of_work():
            insight_totals.recount(module)
        counted += 1
    click.echo(f"Counted {counted} module(s) afresh; the others were up to date.")


@people_cli.command("apply-retention")
def apply_retention_command() -> None:
    """Erase people who left long enough ago; delete old pauses and grounding visits. Run nightly."""
    from tilearn.services.retention import apply_retention

    months = int(current_app.config["RETENTION_MONTHS_AFTER_LEAVING"])
    days = int(current_app.config["RETENTION_DAYS_FOR_PAUSES"])
    with unit_of_work():
        result = apply_retention(months, days)
    click.echo(
        f"Erased {result.erased} person(s) who left more than {months} months ago and deleted"
        f" {result.pauses} pause(s) and {result.grounding_visits} grounding visit(s) older than {days} days"
        " (a setting of 0 turns its rule off)."
    )


@people_cli.command("password-link")
@click.argument("email")
@click.option(
    "--site", help="The site's address, e.g. https://learning.example.org (default: the first TRUSTED_HOSTS)."
)
def password_link_command(email: str, site: str | None) -> None:
    """Print a one-time link for someone to set their password (7 days; replaces any earlier link)."""
    from flask import url_for

    from tilearn.services import people

    email = email.strip().lower()
    person = people.people_by_email([email]).get(email)
    if person is None:
        click.echo("Nobody on the site has the email address given.", err=True)
        sys.exit(1)
    with unit_of_work():
        made = people.create_password_link(None, person.id)  # no actor: it was the command line
    site = site or f"https://{current_app.config['TRUSTED_HOSTS'][0]}"
    with current_app.test_request_context():
        link = site.rstrip("/") + url_for("auth.set_password", token=made.token)
    click.echo(f"Give {person.name} this link to set their password. It works once and lasts 7 days:")
    click.echo(link)


@evaluations_cli.command("invite")
@click.option(
    "--site", help="The site's address, e.g. https://learning.example.org (default: the first TRUSTED_HOSTS)."
)
def invite_command(site: str | None) -> None:
    """E-mail learners whose six-month questionnaire is waiting (once each). Run daily."""
    from flask import url_for

    from tilearn.services import evaluation, mail
    from tilearn.services.organisation import current_scheme, current_settings
    from tilearn.web.library_state import current_library

    if not current_settings().invite_to_evaluations:
        click.echo("Evaluation invitations are turned off in the organisation settings: nobody was e-mailed.")
        return
    if not mail.mail_enabled():
        click.echo("E-mail is not set up (MAIL_SERVER or MAIL_BACKEND): nobody was e-mailed.")
        return
    scheme = current_scheme()
    reminders = evaluation.reminders_due(current_library(), scheme)
    site = (site or f"https://{current_app.config['TRUSTED_HOSTS'][0]}").rstrip("/")
    with current_app.test_request_context():
        letters = [
            mail.EvaluationLetter(
                r.user_id,
                r.name,
                r.email,
                r.level.key,
                r.level.name,
                site + url_for("evaluation.questionnaire", level_key=r.level.key, stage=r.stage),
            )
            for r in reminders
        ]

    def sent_one(letter: mail.EvaluationLetter) -> None:
        with unit_of_work():
            evaluation.mark_emailed(letter.user_id, letter.level_key, scheme)

    sent = mail.send_evaluation_invitations(letters, current_settings().name, sent_one)
    click.echo(f"E-mailed {sent} of {len(letters)} six-month evaluation invitation(s).")


def init_app(app: Flask) -> None:
    """Add tilearn's commands to `flask`."""
    app.cli.add_command(modules_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(records_cli)
    app.cli.add_command(people_cli)
    app.cli.add_command(evaluations_cli)
    app.cli.add_command(insight_cli)


__all__ = ["PROJECT_ROOT", "init_app", "lint_paths"]
