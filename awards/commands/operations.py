"""Commands an operator runs: `flask bootstrap`, `flask check-config`, `flask restore-bucket`.

Every command exits with status 1 when it did not do what it was asked, so that scripts,
cron and CI notice."""
import sys
from datetime import UTC, datetime

import click
from sqlalchemy import func, inspect, select, text
from werkzeug.datastructures import MultiDict

from awards import unit_of_work
from awards.config import production_problems
from awards.extensions import db
from awards.models.base import utcnow


def password_problems(app, *, email, name, password, password_repeat):
    """The messages the registration form would show for these values (empty if none).

    The console applies exactly the web form's rules, so an administrator made here could
    also have chosen this password in the browser."""
    from awards.forms.auth import RegisterForm

    with app.test_request_context():
        form = RegisterForm(formdata=MultiDict({
            "email": email, "name": name or email, "password": password or "",
            "password_repeat": password_repeat or ""}), meta={"csrf": False})
        form.validate()
        return [f"{form[field].label.text}: {message}"
                for field, messages in form.errors.items() for message in messages]


def make_admin(app, *, email, name, password):
    """Create the administrator (or give an existing account the role); flushes only."""
    from awards.enums import Role
    from awards.services import accounts

    user = accounts.get_or_create_user(email=email, name=name)
    user.password_hash = accounts.hash_password(password)
    accounts.confirm_address(user=user)  # set up by the operator: nothing to confirm
    accounts.assign_role(actor=None, user=user, role=Role.ADMIN)
    return user


def _admin_count():
    from awards.enums import Role
    from awards.models.users import RoleAssignment

    return db.session.scalar(select(func.count(RoleAssignment.id))
                             .where(RoleAssignment.role == Role.ADMIN))


def _schema_current(app):
    """True when the database has the newest migration applied."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())


def register(app):
    @app.cli.command("bootstrap")
    @click.option("--email", required=True, help="E-mail address of the first administrator.")
    @click.option("--name", default="", help="Display name of the first administrator.")
    @click.option("--password", prompt="Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen",
                  help="Password (asked for twice if not given).")
    def bootstrap(email, name, password):
        """Set up a fresh installation: schema, districts, first administrator; says what next."""
        from flask_migrate import upgrade

        from awards.reference_data import ensure_districts

        problems = password_problems(app, email=email, name=name, password=password,
                                     password_repeat=password)
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            click.echo("Nichts wurde geändert.", err=True)
            sys.exit(1)
        click.echo("1/3 Datenbankschema wird auf den neuesten Stand gebracht …")
        upgrade(directory=app.extensions["migrate"].directory)
        with unit_of_work.transaction():
            click.echo("2/3 Landkreise und kreisfreie Städte werden geladen …")
            added = ensure_districts()
            click.echo(f"    {added} angelegt.")
            click.echo("3/3 Erste Administratorin / erster Administrator …")
            if _admin_count():
                click.echo("    Es gibt bereits eine Administration; kein weiteres Konto angelegt "
                           "(weitere mit `flask create-admin`).")
            else:
                user = make_admin(app, email=email, name=name, password=password)
                click.echo(f"    {user.email} ist eingerichtet.")
        base = app.config["BASE_URL"].rstrip("/")
        click.echo("")
        click.echo("Die Installation ist bereit. Nächste Schritte:")
        click.echo("  1. `flask check-config` ausführen und alle Hinweise beheben.")
        click.echo(f"  2. Unter {base}/konto/anmelden anmelden.")
        click.echo(f"  3. Unter {base}/geschaeftsstelle/wettbewerbe/neu den ersten Wettbewerb "
                   "anlegen, Preise und Kriterien ergänzen und ihn zur Bewerbung öffnen.")
        click.echo(f"  4. Unter {base}/verwaltung/benutzer/einladen die Geschäftsstelle und "
                   "die Jury einladen.")
        click.echo("  5. Die geplanten Aufgaben einrichten (docs/DEPLOYMENT.md, Abschnitt 7).")

    @app.cli.command("check-config")
    @click.option("--skip-connections", is_flag=True,
                  help="Only check the settings; do not connect to database, storage, Redis, SMTP.")
    def check_config(skip_connections):
        """Check settings and connections before going live; exit code 1 on any problem."""
        from awards.adapters.storage import get_storage

        problems = []
        if app.config["ENV_NAME"] == "production":
            problems += production_problems(app.config)
        else:
            problems.append(f"AWARDS_ENV is '{app.config['ENV_NAME']}', not 'production'.")
        notes = [f"Umgebung: {app.config['ENV_NAME']}",
                 f"Downloads: {app.config['DOWNLOADS']}",
                 f"Protokollformat: {app.config['LOG_FORMAT']}",
                 f"Vertrauenswürdige Proxys (AWARDS_PROXY_COUNT): {app.config['PROXY_COUNT']}"]
        if app.config["ENV_NAME"] == "production" and not app.config["PROXY_COUNT"]:
            problems.append("AWARDS_PROXY_COUNT is 0: behind a TLS reverse proxy the app would "
                            "not see https, and form posts would fail the Referer check.")
        if not str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
            notes.append("Hinweis: Anmeldeversuche werden je Prozess gezählt "
                         "(AWARDS_RATELIMIT_STORAGE ist kein redis://).")
        if not skip_connections:
            try:
                with unit_of_work.transaction():  # reads only; rolled back if it fails
                    db.session.execute(text("SELECT 1"))
                    if (not inspect(db.engine).has_table("alembic_version")
                            or not _schema_current(app)):
                        problems.append("The database schema is not up to date: run "
                                        "`flask db upgrade` (or `flask bootstrap` on a fresh "
                                        "installation).")
                    else:
                        from awards.models.reference import District

                        if not db.session.scalar(select(func.count(District.id))):
                            problems.append("No districts loaded: run `flask load-reference`.")
                        if not _admin_count():
                            problems.append("No administrator yet: run `flask bootstrap` or "
                                            "`flask create-admin`.")
            except Exception as exc:  # noqa: BLE001 - report, do not crash
                problems.append(f"Database unreachable: {type(exc).__name__}: {exc}")
            try:
                get_storage().check()
            except Exception as exc:  # noqa: BLE001
                problems.append(f"Storage unreachable: {exc}")
            from awards.views import health

            for label, status in (("Redis (rate limits)", health._check_rate_limits()),
                                  ("Redis (cache)", health._check_cache()),
                                  ("SMTP", health._check_smtp())):
                if status in ("error", "fallback"):
                    problems.append(f"{label} unreachable.")
                notes.append(f"{label}: {status}")
        for note in notes:
            click.echo(note)
        if problems:
            click.echo(f"{len(problems)} Problem(e):", err=True)
            for problem in problems:
                click.echo(f"  - {problem}", err=True)
            sys.exit(1)
        click.echo("Die Konfiguration ist bereit für den Betrieb.")

    @app.cli.command("restore-bucket")
    @click.option("--source-bucket", required=True, help="The (versioned) bucket backed up.")
    @click.option("--target-bucket", required=True,
                  help="An empty bucket of the restored instance; never the production bucket.")
    @click.option("--at", "point", required=True,
                  help="Point in time (UTC, ISO 8601, e.g. the dump's 2026-11-28T02:00:00Z).")
    @click.option("--production-bucket", envvar="AWARDS_PRODUCTION_BUCKET",
                  help="Name of the production bucket, refused as target "
                       "(default: AWARDS_PRODUCTION_BUCKET).")
    def restore_bucket(source_bucket, target_bucket, point, production_bucket):
        """Copy every file as it was at a point in time into another bucket (S3 versions)."""
        from awards.adapters import backup

        try:
            when = datetime.fromisoformat(point.replace("Z", "+00:00"))
        except ValueError:
            click.echo(f"--at: {point!r} ist kein Zeitpunkt (z. B. 2026-11-28T02:00:00Z).", err=True)
            sys.exit(1)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        refused = {source_bucket, production_bucket or ""}
        if target_bucket in refused:
            click.echo(f"Ziel {target_bucket!r} ist der Produktions- oder Quell-Bucket: Eine "
                       "Wiederherstellung schreibt nie dorthin.", err=True)
            sys.exit(1)
        try:
            copied, skipped = backup.restore_bucket_at(
                client=backup.s3_client(app.config), source=source_bucket,
                target=target_bucket, when=when)
        except backup.BackupError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        click.echo(f"{copied} Dateien im Stand vom {when:%Y-%m-%d %H:%M:%S} UTC nach "
                   f"{target_bucket} kopiert; {skipped} zu diesem Zeitpunkt nicht vorhanden "
                   "oder gelöscht.")
