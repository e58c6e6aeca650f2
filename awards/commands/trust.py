"""`flask retention`, `flask audit-verify`, `flask archive-export`."""
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from awards import unit_of_work
from awards.commands import exit_on_failures
from awards.extensions import db
from awards.i18n import format_berlin_date


def register(app):
    @app.cli.command("retention")
    @click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
    def retention_command(dry_run):
        """Delete personal data of archived competitions whose retention period has ended."""
        from awards.services import infobrief, retention

        if not dry_run:
            with unit_of_work.transaction():
                expired = infobrief.purge_expired()
            if expired:
                click.echo(f"{expired} unbestätigte Infobrief-Anmeldung(en) gelöscht.")
        plans = retention.plan()
        months = app.config["RETENTION_MONTHS"]
        if not plans:
            click.echo(f"Nichts zu löschen (Aufbewahrungsfrist: {months} Monate nach "
                       "Archivierung).")
            return
        for the_plan in plans:
            click.echo(f"{the_plan.label}: archiviert am "
                       f"{format_berlin_date(the_plan.competition.archived_at, 'de')}, Frist abgelaufen")
            for app_row in the_plan.delete:
                click.echo(f"  löschen: Bewerbung {app_row.reference or f'Entwurf #{app_row.id}'}"
                           f" mit {len(app_row.attachments)} Datei(en)")
            for app_row, blanked in the_plan.reduce:
                click.echo(f"  kürzen (Preisträger): {app_row.reference}: "
                           f"{len(blanked)} Angabe(n) entfernt ({', '.join(blanked) or '–'})")
            click.echo(f"  Dateien löschen: {len(the_plan.files)}; Fotos mit Einwilligung "
                       f"behalten: {len(the_plan.kept_files)}")
        if dry_run:
            click.echo("Probelauf: nichts wurde geändert.")
            return
        # One competition at a time; its files go after its commit.
        job = unit_of_work.Job("retention")
        purged = retention.purge([p.competition for p in plans], job=job)
        click.echo(f"Erledigt: {len(purged)} Wettbewerb(e) bereinigt, anonyme Statistik "
                   "gespeichert.")
        exit_on_failures(job)

    @app.cli.command("audit-verify")
    @click.option("--anchor", type=click.Path(dir_okay=False), envvar="AWARDS_AUDIT_ANCHOR",
                  help="File outside the database holding the newest entry seen last time; "
                       "detects entries deleted from the end. Updated when the chain is intact. "
                       "Default: AWARDS_AUDIT_ANCHOR.")
    def audit_verify(anchor):
        """Check the hash chain of the audit log; exit code 1 if it is broken."""
        if not anchor and app.config["ENV_NAME"] == "production":
            click.echo("Hinweis: ohne --anchor (oder AWARDS_AUDIT_ANCHOR) bleibt unbemerkt, wenn "
                       "die neuesten Einträge gelöscht werden.", err=True)
        from sqlalchemy import func, select

        from awards.models.audit import AuditLog
        from awards.services import audit

        anchor_value = None
        if anchor and os.path.exists(anchor):
            stored = json.loads(Path(anchor).read_text())
            anchor_value = (stored["id"], stored["hash"])
        problems = audit.verify_chain(anchor=anchor_value)
        total = db.session.scalar(select(func.count(AuditLog.id)))
        if problems:
            click.echo(f"Das Protokoll ist NICHT unversehrt: {len(problems)} Problem(e) bei "
                       f"{total} Einträgen.", err=True)
            for entry_id, problem in problems:
                click.echo(f"  Eintrag {entry_id}: {problem}", err=True)
            sys.exit(1)
        if anchor:
            head = audit.chain_head()
            if head:
                _write_atomic(anchor, json.dumps({"id": head[0], "hash": head[1]}))
        click.echo(f"Das Protokoll ist unversehrt ({total} Einträge geprüft).")

    @app.cli.command("archive-export")
    @click.argument("competition_id", type=int)
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--minutes", "minutes_files", multiple=True,
                  type=click.Path(exists=True, dir_okay=False),
                  help="Signed minutes of the jury session (PDF) to include; repeatable.")
    def archive_export(competition_id, path, minutes_files):
        """Write the archive ZIP (receipts, minutes, certificates, rankings, manifest)."""
        from awards.adapters.storage import get_storage
        from awards.models.competitions import Competition
        from awards.services import archive

        competition = db.session.get(Competition, competition_id)
        if competition is None:
            click.echo(f"Wettbewerb {competition_id} gibt es nicht.", err=True)
            sys.exit(1)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".archive-", suffix=".zip")
        try:
            with unit_of_work.transaction():
                with os.fdopen(fd, "wb") as out:
                    manifest = archive.write_archive(actor=None, competition=competition,
                                                     fileobj=out, storage=get_storage(),
                                                     minutes_files=minutes_files)
                problems = archive.verify_archive(tmp)
                if problems:
                    raise archive.ArchiveError("Prüfung des Archivs fehlgeschlagen: "
                                               + "; ".join(problems))
                os.replace(tmp, target)
        except archive.ArchiveError as exc:
            Path(tmp).unlink(missing_ok=True)
            click.echo(str(exc), err=True)
            sys.exit(1)
        counts = ", ".join(f"{k}: {v}" for k, v in manifest["counts"].items())
        click.echo(f"Archiv geschrieben: {target} ({len(manifest['files'])} Dateien; {counts}).")


def _write_atomic(path, text):
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".anchor-")
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(tmp, target)
