"""Retention (Speicherbegrenzung, Art. 5 Abs. 1 Buchst. e DSGVO).

A configurable time after a competition was archived (AWARDS_RETENTION_MONTHS, default 12):
- applications that did not win are deleted with their files, scores and conflicts;
- winners keep only what they consented to publish (name, project text, photos);
- anonymous counts are kept in RetentionStatistics, which also marks the competition done.

`plan()` lists what would go (dry run) without changing anything; `purge()` does it, one
competition per transaction (`unit_of_work.Job`): the statistics count what was deleted and
mark the competition done, so a competition is purged whole or not at all. One that fails is
rolled back alone (nothing of it deleted, its files kept, still due next time) and reported;
the others go on. Files are removed from storage after the commit (see
privacy.delete_files_after_commit).
"""
import logging
from collections import Counter
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import String, select

from awards import fields, unit_of_work
from awards.enums import ApplicantType, ApplicationStatus
from awards.extensions import db
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.models.retention import RetentionStatistics
from awards.services import audit, lifecycle
from awards.services.jury import files as jury_files
from awards.services.privacy import _forget, delete_files_after_commit, delete_with_dependents
from awards.models.decisions import Decision
from awards.models.decisions import Certificate
from awards.models.audit import AuditLog

log = logging.getLogger("awards.retention")

# Kept for every winner regardless of consent: nothing here names a person. The fields of
# the application declare what they keep in the registry (`Field.retained`).
ALWAYS_KEPT_COLUMNS = {
    "id", "competition_id", "status", "number", "reference", "submitted_at", "resubmitted_at",
    "withdrawn_at", "current_step", "formal_check", "formal_checked_at", "version",
    "created_at", "updated_at", "autosaved_at", "reopened_at",
}


def always_kept():
    return ALWAYS_KEPT_COLUMNS | {f.name for f in fields.FIELDS if f.retained == fields.ALWAYS}


def kept_with_consent(consent):
    """Fields a winner keeps with the consent to publish "name" or "text"."""
    return {f.name for f in fields.FIELDS if f.retained == consent}


def winners_of(competition):
    """Ids of the competition's awarded applications (a Decision row exists for each)."""
    return set(db.session.scalars(
        select(Decision.application_id).where(Decision.competition_id == competition.id)
    ).all())


def due_at(competition, months=None):
    """When the competition's personal data is due for deletion (None: not archived)."""
    if competition.archived_at is None:
        return None
    months = current_app.config["RETENTION_MONTHS"] if months is None else months
    return competition.archived_at + relativedelta(months=months)


def due_competitions(*, now=None, months=None):
    now = now or utcnow()
    done = select(RetentionStatistics.competition_id).where(
        RetentionStatistics.competition_id.is_not(None))
    candidates = db.session.scalars(
        select(Competition)
        .where(lifecycle.stage_may_be({lifecycle.S.ARCHIVED}),
               Competition.archived_at.is_not(None),
               Competition.id.not_in(done))
        .order_by(Competition.archived_at, Competition.id)
    ).all()
    return [c for c in candidates if due_at(c, months) <= now]


@dataclass
class CompetitionPlan:
    competition: Competition
    delete: list = field(default_factory=list)        # [Application]
    reduce: list = field(default_factory=list)        # [(Application, [field names blanked])]
    files: list = field(default_factory=list)         # storage keys to remove
    kept_files: list = field(default_factory=list)    # storage keys a winner keeps (photos)

    @property
    def label(self):
        return label_of(self.competition)


def label_of(competition):
    """How the command names a competition, e.g. "Integrationspreis 2025 (OBB-2025)"."""
    c = competition
    return f"{c.title} {c.year} ({c.prize_code}-{c.year})"


def _personal_columns():
    return [c.key for c in Application.__table__.columns if c.key not in always_kept()]


def _blank(column_key):
    """The empty value of a column: "" for NOT NULL text, otherwise NULL."""
    column = Application.__table__.c[column_key]
    if isinstance(column.type, String) and not column.nullable:
        return ""
    return None


def _blankable(column_key):
    column = Application.__table__.c[column_key]
    return column.nullable or isinstance(column.type, String)


def _winner_fields_to_blank(app):
    kept = set()
    if app.consent_publish_name:
        kept |= kept_with_consent("name")
        if app.applicant_type == ApplicantType.PERSON:
            kept.add("contact_name")  # the laureate is the person
    if app.consent_publish_text:
        kept |= kept_with_consent("text")
    return [key for key in _personal_columns()
            if key not in kept and _blankable(key) and getattr(app, key) not in (None, "")]


def _certificates_of(app_ids):
    if not app_ids:
        return []
    return db.session.scalars(select(Certificate).where(Certificate.application_id.in_(app_ids))).all()


def receipts_of(app_ids):
    """{application id: every receipt key ever issued}: a resubmitted correction gets a new
    receipt and the application keeps only the newest, but each submission's receipt is
    named in its audit entry (one query for all applications)."""
    keys = {}
    if not app_ids:
        return keys
    rows = db.session.execute(
        select(AuditLog.object_id, AuditLog.new).where(
            AuditLog.action == "application.submit", AuditLog.object_type == "Application",
            AuditLog.object_id.in_(app_ids))).all()
    for app_id, new in rows:
        key = (new or {}).get("receipt")
        if key:
            keys.setdefault(app_id, set()).add(key)
    return keys


def _receipt_keys(app, receipts):
    return sorted(receipts.get(app.id, set()) | ({app.receipt_key} if app.receipt_key else set()))


def plan_for(competition):
    """What retention would do for one competition (nothing is changed)."""
    result = CompetitionPlan(competition)
    winners = winners_of(competition)
    apps = db.session.scalars(
        select(Application).where(Application.competition_id == competition.id).order_by(Application.id)
    ).all()
    receipts = receipts_of([a.id for a in apps])
    redacted = jury_files.keys_of_applications([a.id for a in apps])
    for app in apps:
        result.files += sorted(redacted.get(app.id, ()))
        if app.id in winners:
            blanked = _winner_fields_to_blank(app)
            for att in app.attachments:
                if app.consent_publish_photos and att.is_image:
                    result.kept_files.append(att.storage_key)
                else:
                    result.files.append(att.storage_key)
                if att.jury_storage_key:
                    result.files.append(att.jury_storage_key)
            result.files += _receipt_keys(app, receipts)
            result.reduce.append((app, blanked))
        else:
            result.delete.append(app)
            for att in app.attachments:
                result.files += [k for k in (att.storage_key, att.jury_storage_key) if k]
            result.files += _receipt_keys(app, receipts)
    for cert in _certificates_of([a.id for a, _ in result.reduce]):
        if cert.storage_key and not cert.application.consent_publish_name:
            result.files.append(cert.storage_key)
    return result


def plan(*, now=None, months=None):
    """Dry run: a CompetitionPlan for every competition that is due."""
    return [plan_for(c) for c in due_competitions(now=now, months=months)]


def _statistics(competition, apps, winners):
    submitted = [a for a in apps if a.submitted_at is not None
                 or a.status not in (ApplicationStatus.DRAFT,)]
    return RetentionStatistics(
        competition_id=competition.id, prize_code=competition.prize_code, year=competition.year,
        applications_total=len(apps), submitted_total=len(submitted),
        winners_total=len([a for a in apps if a.id in winners]),
        by_applicant_type=dict(Counter(str(a.applicant_type) for a in submitted
                                       if a.applicant_type is not None)),
        by_region=dict(Counter(str(a.region) for a in submitted if a.region is not None)),
        by_kind=dict(Counter(str(a.kind) for a in submitted if a.kind is not None)),
    )


def purge_competition(*, actor, competition):
    """Apply retention to one competition (flushes; the caller commits)."""
    the_plan = plan_for(competition)
    apps = [a for a in the_plan.delete] + [a for a, _ in the_plan.reduce]
    stats = _statistics(competition, apps, {a.id for a, _ in the_plan.reduce})
    stats.deleted_applications = len(the_plan.delete)
    stats.reduced_applications = len(the_plan.reduce)
    stats.deleted_files = len(the_plan.files)
    stats.purged_at = utcnow()
    db.session.add(stats)

    for app, blanked in the_plan.reduce:
        for key in blanked:
            setattr(app, key, _blank(key))
        app.receipt_key = None
        for att in list(app.attachments):
            if att.storage_key in the_plan.kept_files:
                att.jury_storage_key = None
            else:
                app.attachments.remove(att)
    jury_files.forget_for_applications([a.id for a, _ in the_plan.reduce])
    for cert in _certificates_of([a.id for a, _ in the_plan.reduce]):
        if cert.storage_key in the_plan.files:
            cert.storage_key = None
    db.session.flush()
    deleted = the_plan.delete
    delete_with_dependents(Application.__table__, [a.id for a in deleted])
    _forget([att for a in deleted for att in a.attachments] + deleted)
    delete_files_after_commit(the_plan.files)
    audit.record(actor=actor, action="retention.purge", obj=competition, new={
        "deleted_applications": stats.deleted_applications,
        "reduced_applications": stats.reduced_applications,
        "deleted_files": stats.deleted_files,
    })
    log.info("retention: %s: %s deleted, %s reduced, %s files", the_plan.label,
             stats.deleted_applications, stats.reduced_applications, stats.deleted_files)
    return stats


def purge(competitions=None, *, actor=None, job=None):
    """Apply retention to the given competitions (default: every one that is due), each
    committed on its own as one item of `job` (a unit_of_work.Job; the caller reads its
    failures). Returns the RetentionStatistics of the competitions purged."""
    job = job or unit_of_work.Job("retention")
    competitions = due_competitions() if competitions is None else competitions
    purged = []
    for competition in competitions:
        saved, stats = job.run(label_of(competition), purge_competition, actor=actor, competition=competition)
        if saved:
            purged.append(stats)
    return purged
