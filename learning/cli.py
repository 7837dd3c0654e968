"""Command-line commands: content checks and import, first start, accounts, backup and restore."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from learning.accounts import services as accounts
from learning.content import services as content
from learning.contacts.checks import unset_warnings
from learning.content.checks import check_tree
from learning.extensions import db
from learning.ops import backup as backups
from learning.ops.services import readiness
from learning.staff import services as staff
from learning.words import plural


@click.command("check-content")
@with_appcontext
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check_content(path: Path | None) -> None:
    """Check course Markdown; exits non-zero on errors or placeholders left in (warnings do not)."""
    root = path or Path(current_app.config["COURSES_DIR"])
    problems = check_tree(root)
    if not any(p.problem.kind == "error" for p in problems):
        problems += unset_warnings(root)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.problem.kind == "error" for p in problems)
    missing = sum(p.problem.kind == "placeholder" for p in problems)
    warnings = len(problems) - errors - missing
    click.echo(f"{errors} fel, {missing} platshållare att fylla i, {plural(warnings, 'varning', 'varningar')}.")
    sys.exit(1 if errors or missing else 0)


@click.command("import-content")
@with_appcontext
@click.argument("path", required=False, type=click.Path(path_type=Path))
def import_content(path: Path | None) -> None:
    """Store changed course files as new revisions (unchanged files are skipped)."""
    _import(path or Path(current_app.config["COURSES_DIR"]))


def _import(root: Path) -> None:
    try:
        result = content.import_tree(root)
    except content.ContentInvalid as exc:
        click.echo(str(exc), err=True)
        click.echo("Innehållet har fel och importerades inte.", err=True)
        sys.exit(1)
    for name in result.created:
        click.echo(f"Ny version: {name}")
    click.echo(f"{len(result.created)} nya versioner, {result.unchanged} oförändrade filer.")


@click.command("export-content")
@with_appcontext
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def export_content(path: Path) -> None:
    """Write every published file to PATH in the courses/ layout (course folder, course.md, parts)."""
    written = content.export_tree(path)
    click.echo(f"{len(written)} filer skrivna till {path}.")


@click.command("bootstrap")
@with_appcontext
def bootstrap() -> None:
    """Prepare a migrated database: organisation list, course content, first admin account."""
    accounts.sync_organisations(accounts.load_organisation_file(Path(current_app.config["ORGANISATIONS_FILE"])))
    _import(Path(current_app.config["COURSES_DIR"]))
    password = accounts.ensure_admin()
    if password:
        click.echo("Ett administratörskonto har skapats: admin@malmo.se")
        click.echo(f"Engångslösenord (byts vid första inloggningen): {password}")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", default="learner", type=click.Choice(list(accounts.PLATFORM_ROLES)))
@click.option("--organisation", "organisation_code", default=None, help="Förvaltningens kod i organisationslistan.")
@click.option("--org-role", default="medarbetare", type=click.Choice(list(accounts.ORG_ROLES)))
def create_user(email, name, password, role, organisation_code, org_role) -> None:
    """Create an account (for scripts and first set-up)."""
    try:
        user = accounts.create_user(accounts.NewUser(
            email=email, name=name, password=password, role=role,
            organisation_code=organisation_code, org_role=org_role,
        ))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Kontot {user.email} är skapat.")


@click.command("set-role")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(list(accounts.PLATFORM_ROLES)))
@click.option("--scope", "scope_codes", multiple=True, help="För HR: förvaltningens kod (kan upprepas).")
def set_role(email, role, scope_codes) -> None:
    """Give an existing account (e.g. one made at its first SSO sign-in) a platform role."""
    user = accounts.user_by_email(email)
    if user is None:
        raise click.ClickException(f"Det finns inget aktivt konto med adressen {email}.")
    try:
        accounts.set_roles(user.id, role, list(scope_codes))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{user.email} har nu behörigheten {accounts.PLATFORM_ROLES[role]}.")


@click.command("import-staff")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--date", "effective", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Datum då ändringarna börjar gälla (ÅÅÅÅ-MM-DD); i dag om det utelämnas.")
def import_staff(path: Path, effective) -> None:
    """Import the HR system's staff list (CSV); people missing from it are marked as having left."""
    try:
        report = staff.import_staff(path.read_bytes(), effective.date() if effective else staff.stockholm_today())
    except staff.StaffImportError as exc:
        for line, message in exc.problems:
            click.echo(f"rad {line}: {message}", err=True)
        click.echo(f"{exc} Ingenting har ändrats.", err=True)
        sys.exit(1)
    click.echo(staff.describe(report))
    # Single unusable rows do not fail the command: the rest is imported and the rows are listed for HR.
    for line, message in report.problems:
        click.echo(f"rad {line}: {message}")


@click.command("roll-up-visits")
@with_appcontext
def roll_up_visits() -> None:
    """Turn finished days' start-page visits into daily counts and delete their hashes (for cron, after midnight)."""
    from learning.timeutil import stockholm_today
    from learning.visits.services import roll_up

    click.echo(f"{roll_up(stockholm_today())} dag(ar) och kurs(er) summerade.")


@click.command("send-reminders")
@with_appcontext
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Dagen att räkna påminnelser för (ÅÅÅÅ-MM-DD); i dag om det utelämnas.")
def send_reminders(on) -> None:
    """Mail today's reminders of assigned courses and the managers' digests (daily, from cron or a timer)."""
    from learning.assignments.reminders import send_reminders as run
    from learning.timeutil import stockholm_today

    report = run(on.date() if on else stockholm_today())
    digests = plural(report.digests, 'sammanställning', 'sammanställningar')
    click.echo(f"Skickade: {report.sent} (varav {digests} till chefer). Redan skickade: {report.already}. "
               f"Nekade adresser: {report.refused}. Misslyckade: {report.failed}.")
    if report.unfinished:
        click.echo(f"Okänt utfall från en avbruten körning (skickas inte igen): {report.unfinished}.")
    for problem in report.problems:
        click.echo(problem, err=True)
    sys.exit(1 if report.failed else 0)


@click.command("backup")
@with_appcontext
@click.argument("folder", type=click.Path(path_type=Path))
def backup(folder: Path) -> None:
    """Write a consistent copy of the running database to a new timestamped file in FOLDER; prints its path."""
    try:
        path = backups.backup(db.engine.url, folder, datetime.now(timezone.utc))
    except backups.BackupError as exc:
        click.echo(f"Ingen säkerhetskopia: {exc}", err=True)
        sys.exit(1)
    click.echo(str(path))


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Ersätt en databas som redan har tabeller.")
def restore(path: Path, replace: bool) -> None:
    """Put a backup made by `backup` into the configured database (stop the app first)."""
    try:
        in_use = bool(inspect(db.engine).get_table_names())
    except SQLAlchemyError as exc:
        click.echo(f"Ingenting återställdes: databasen svarar inte ({exc.__class__.__name__}).", err=True)
        sys.exit(1)
    if in_use and not replace:
        click.echo("Databasen har redan tabeller och ersattes inte. Stoppa appen och kör igen med --replace "
                   "för att ersätta allt i den.", err=True)
        sys.exit(1)
    db.engine.dispose()  # nothing of ours holds the database while it is replaced
    try:
        backups.restore(db.engine.url, path)
    except backups.BackupError as exc:
        click.echo(f"Ingenting återställdes: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Återställd från {path}.")
    state = readiness()
    if not state.ready:
        click.echo(f"Databasen är inte redo: {state.reason}", err=True)


def register(app: Flask) -> None:
    """Attach the commands to the app."""
    for command in (check_content, import_content, export_content, bootstrap, create_user, set_role, import_staff,
                    roll_up_visits, send_reminders, backup, restore):
        app.cli.add_command(command)
