"""`flask` commands. Every command has a one-line description for `flask --help`."""
import importlib
import pkgutil
import sys

import click

from awards import unit_of_work


def register_cli(app):
    @app.cli.command("load-reference")
    def load_reference():
        """Load the 96 Bavarian districts (idempotent)."""
        from awards.reference_data import ensure_districts

        with unit_of_work.transaction():
            added = ensure_districts()
        click.echo(f"{added} Landkreise/kreisfreie Städte angelegt.")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load demo data for every stage and print the demo logins (idempotent)."""
        from awards import demo

        if app.config["ENV_NAME"] == "production":
            # The demo accounts share one published password.
            click.echo("Demo-Daten werden in der Produktion nicht geladen (AWARDS_ENV=production).",
                       err=True)
            sys.exit(1)

        with unit_of_work.transaction():
            logins = demo.load()
        click.echo("Demo-Daten sind geladen. Anmeldungen (Passwort für alle: "
                   f"{demo.DEMO_PASSWORD}):")
        for role, email in logins:
            click.echo(f"  {role:<38} {email}")

    @app.cli.command("create-admin")
    @click.option("--email", required=True, help="E-mail address of the administrator.")
    @click.option("--name", default="", help="Display name.")
    @click.password_option(help="Password (asked for if not given).")
    def create_admin(email, name, password):
        """Create an administrator account (or give an existing account the role)."""
        from awards.commands.operations import make_admin, password_problems

        # The web form's rules: a console-made account is no weaker than a registered one.
        problems = password_problems(app, email=email, name=name, password=password,
                                     password_repeat=password)
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            sys.exit(1)
        with unit_of_work.transaction():
            user = make_admin(app, email=email, name=name, password=password)
            address = user.email
        click.echo(f"Administrator {address} ist eingerichtet.")

    @app.cli.command("send-mail")
    @click.option("--limit", default=100, show_default=True, help="Mails per run.")
    def send_mail(limit):
        """Send pending mails from the outbox (retries with backoff; exit 1 if any failed)."""
        from awards.services.mail import send_pending

        sent, failed = send_pending(limit=limit)
        click.echo(f"{sent} versendet, {failed} fehlgeschlagen (werden später erneut versucht).")
        if failed:
            # Non-zero so that cron and monitoring notice (the mails stay in the outbox).
            raise SystemExit(1)

    # Commands of each area live in awards/commands/<area>.py with a register(app).
    from awards import commands

    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"awards.commands.{module.name}").register(app)
