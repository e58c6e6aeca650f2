"""`flask auto-mails`: the automatic mails and the Infobrief (cron, e.g. every 15 minutes)."""
import click

from awards import unit_of_work
from awards.commands import exit_on_failures


def register(app):
    @app.cli.command("auto-mails")
    def auto_mails():
        """Queue due automatic mails and Infobriefe, each once; delete expired Infobrief requests."""
        from awards.services import automail, infobrief

        job = unit_of_work.Job("auto-mails")
        counts = automail.run(job=job)
        sent = infobrief.run(job=job)
        with unit_of_work.transaction():
            expired = infobrief.purge_expired()
        click.echo("Automatische E-Mails: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        click.echo(f"Infobrief: Ausschreibung offen {sent[infobrief.CALL_OPEN]}, "
                   f"Preisträger {sent[infobrief.WINNERS]}; {expired} abgelaufene Anmeldungen "
                   "gelöscht. Die E-Mails versendet `flask send-mail`.")
        exit_on_failures(job)
