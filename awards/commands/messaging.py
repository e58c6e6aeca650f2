"""`flask auto-mails`: the automatic mails and the Infobrief (cron, e.g. every 15 minutes)."""
import click

from awards.extensions import db


def register(app):
    @app.cli.command("auto-mails")
    def auto_mails():
        """Queue due automatic mails and Infobriefe, each once; delete expired Infobrief requests."""
        from awards.services import automail, infobrief

        counts = automail.run()
        sent = infobrief.run()
        expired = infobrief.purge_expired()
        db.session.commit()
        click.echo("Automatische E-Mails: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        click.echo(f"Infobrief: Ausschreibung offen {sent[infobrief.CALL_OPEN]}, "
                   f"Preisträger {sent[infobrief.WINNERS]}; {expired} abgelaufene Anmeldungen "
                   "gelöscht. Die E-Mails versendet `flask send-mail`.")
