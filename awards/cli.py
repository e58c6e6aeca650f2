"""`flask` commands. Every command has a one-line description for `flask --help`."""
import importlib
import pkgutil

import click

from awards.extensions import db


def register_cli(app):
    @app.cli.command("load-reference")
    def load_reference():
        """Load the 96 Bavarian districts (idempotent)."""
        from awards.reference_data import ensure_districts

        added = ensure_districts()
        db.session.commit()
        click.echo(f"{added} Landkreise/kreisfreie Städte angelegt.")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load demo data for every stage and print the demo logins (idempotent)."""
        from awards import demo

        logins = demo.load()
        db.session.commit()
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
        from awards.enums import Role
        from awards.services import accounts

        user = accounts.get_or_create_user(email=email, name=name)
        user.password_hash = accounts.hash_password(password)
        accounts.confirm_address(user=user)  # the operator vouches for the address
        accounts.assign_role(actor=None, user=user, role=Role.ADMIN)
        db.session.commit()
        click.echo(f"Administrator {user.email} ist eingerichtet.")

    @app.cli.command("send-mail")
    @click.option("--limit", default=100, show_default=True, help="Mails per run.")
    def send_mail(limit):
        """Send pending mails from the outbox (retries failed ones with backoff)."""
        from awards.services.mail import send_pending

        sent, failed = send_pending(limit=limit)
        click.echo(f"{sent} versendet, {failed} fehlgeschlagen (werden später erneut versucht).")

    # Commands of each area live in awards/commands/<area>.py with a register(app).
    from awards import commands

    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"awards.commands.{module.name}").register(app)
