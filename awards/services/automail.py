"""Automatic mails, each switched on per competition, sent by `flask auto-mails`:

- jury members when a round opens for them, and some days before it closes (only those
  with Bewertungsbögen still open);
- applicants with an unfinished draft some days before the deadline;
- the winners' invitation to the ceremony, once the decisions are released.

Each mail is recorded under a unique (kind, key) in the same transaction that queues it, one
transaction per mail (`unit_of_work.Job`): a mail that cannot be queued (e.g. its template
fails) is rolled back alone and reported, and the others go on. A second run, or a run on
another host at the same moment, finds the key taken (or fails to insert it, and its mail's
transaction is rolled back): each mail goes out once. Jury mails name the round and the
competition, never an application.
"""
import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from awards import unit_of_work
from awards.enums import ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.applications import Application
from awards.models.competitions import Competition
from awards.models.decisions import Decision
from awards.models.jury import Round, RoundStatus
from awards.models.messaging import AutoMailSent
from awards.services import audit, lifecycle, mail
from awards.services.jury import members, scoring

log = logging.getLogger("awards.automail")

KINDS = ("round_opened", "round_closing", "draft_reminder", "ceremony_invitation")
S = lifecycle.YearState


def _taken(kind, key):
    return db.session.scalar(select(AutoMailSent.id).where(AutoMailSent.kind == kind,
                                                           AutoMailSent.key == key)) is not None


def _queue(*, kind, key, competition, to, template, **context):
    if _taken(kind, key):
        return False
    db.session.add(AutoMailSent(kind=kind, key=key, competition_id=competition.id))
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise unit_of_work.ItemSkipped("sent by another run") from exc
    mail.enqueue(to=to, template=template, competition=competition, **context)
    return True


def _send_once(job, *, kind, key, competition, to, template, **context):
    """Queue the mail unless (kind, key) was sent before, in a transaction of its own (one
    item of the job). True if queued now."""
    if not to:
        return False
    saved, queued = job.run(f"{kind} {key}", _queue, kind=kind, key=key,
                            competition=competition, to=to, template=template, **context)
    return bool(saved and queued)


def _rounds(competition, now):
    rounds = db.session.scalars(select(Round).where(Round.competition_id == competition.id,
                                                    Round.status == RoundStatus.OPEN)
                                .order_by(Round.id)).all()
    return [r for r in rounds if r.accepts_scores(now)]


def _round_mails(job, competition, now, counts):
    for round_ in _rounds(competition, now):
        if competition.mail_round_opened:
            for user in members.round_jurors(round_.id, active=True):
                counts["round_opened"] += _send_once(
                    job, kind="round_opened", key=f"round {round_.id} user {user.id}",
                    competition=competition, to=user.email, template="auto_round_opened",
                    user=user, round=round_)
        days = competition.mail_round_closing_days
        if (competition.mail_round_closing and round_.closes_at is not None
                and now >= round_.closes_at - timedelta(days=days)):
            jurors, _entries = scoring.progress(round_)
            for row in jurors:
                open_count = row["assigned"] - row["final"]
                if open_count > 0 and row["juror"].active:
                    counts["round_closing"] += _send_once(
                        job, kind="round_closing", key=f"round {round_.id} user {row['juror'].id}",
                        competition=competition, to=row["juror"].email,
                        template="auto_round_closing", user=row["juror"], round=round_,
                        open_count=open_count)


def _draft_mails(job, competition, now, state, counts):
    days = competition.mail_draft_reminder_days
    if (not competition.mail_draft_reminder or state != S.OPEN or competition.deadline_at is None
            or now < competition.deadline_at - timedelta(days=days)):
        return
    drafts = db.session.scalars(
        select(Application).where(Application.competition_id == competition.id,
                                  Application.status == ApplicationStatus.DRAFT,
                                  Application.owner_id.is_not(None))
        .options(selectinload(Application.owner)).order_by(Application.id)).all()
    for application in drafts:
        if application.owner.active:
            counts["draft_reminder"] += _send_once(
                job, kind="draft_reminder", key=f"application {application.id}",
                competition=competition, to=application.owner.email,
                template="auto_draft_reminder", application=application)


def _ceremony_mails(job, competition, now, state, counts):
    if (not competition.mail_ceremony_invitation or state not in (S.RELEASED, S.PUBLISHED)
            or competition.ceremony_at is None or competition.ceremony_at <= now):
        return
    winners = db.session.scalars(
        select(Application).join(Decision, Decision.application_id == Application.id)
        .where(Decision.competition_id == competition.id, Decision.revoked_at.is_(None))
        .options(selectinload(Application.owner)).order_by(Application.id)).all()
    for application in winners:
        to = application.email or (application.owner.email if application.owner else "")
        counts["ceremony_invitation"] += _send_once(
            job, kind="ceremony_invitation", key=f"application {application.id}",
            competition=competition, to=to, template="auto_ceremony_invitation",
            application=application)


def competitions_to_check():
    return db.session.scalars(
        select(Competition).where(Competition.status.not_in(
            (CompetitionStatus.DRAFT, CompetitionStatus.ARCHIVED)))
        .where(Competition.mail_round_opened | Competition.mail_round_closing
               | Competition.mail_draft_reminder | Competition.mail_ceremony_invitation)
        .order_by(Competition.id)).all()


def run(*, now=None, job=None):
    """Queue every automatic mail that is due and not yet sent, each committed on its own as
    one item of `job` (a unit_of_work.Job; the caller reads its failures). Returns a Counter
    by kind of the mails queued."""
    now = now or lifecycle.now()
    job = job or unit_of_work.Job("auto mails")
    counts = Counter({kind: 0 for kind in KINDS})
    for competition in competitions_to_check():
        state = lifecycle.state_of(competition, now)
        _round_mails(job, competition, now, counts)
        _draft_mails(job, competition, now, state, counts)
        _ceremony_mails(job, competition, now, state, counts)
    log.info("auto mails queued: %s", dict(counts))
    return counts


def update_settings(*, actor, competition, values):
    """Switch the automatic mails of a competition (flushes, audited old → new)."""
    fields = ("mail_round_opened", "mail_round_closing", "mail_round_closing_days",
              "mail_draft_reminder", "mail_draft_reminder_days", "mail_ceremony_invitation")
    old = {f: getattr(competition, f) for f in fields}
    for f in fields:
        setattr(competition, f, values[f])
    new = {f: getattr(competition, f) for f in fields}
    db.session.flush()
    if old != new:
        audit.record(actor=actor, action="competition.auto_mails", obj=competition,
                     old={k: v for k, v in old.items() if new[k] != v},
                     new={k: v for k, v in new.items() if old[k] != v})
