"""`flask` commands per area; each module has register(app)."""
import sys

import click


def exit_on_failures(job):
    """After a job (unit_of_work.Job): name the items that failed, each rolled back alone
    and tried again on the next run, and exit with status 1 so that cron notices."""
    if job.failed:
        click.echo(f"{len(job.failed)} fehlgeschlagen (nichts davon gespeichert, beim "
                   "nächsten Lauf erneut versucht):", err=True)
        for label, reason in job.failed:
            click.echo(f"  - {label}: {reason}", err=True)
        sys.exit(1)
