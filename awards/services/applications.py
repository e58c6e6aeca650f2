"""Applications: drafts, submission with reference number and receipt, withdrawal, copies,
and the staff side (formal check, reopening for correction, the intake list)."""
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only

from awards import fields
from awards.enums import ApplicationStatus, FormalCheck, Level, SubmissionKind, prize_name
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Application, Attachment, FormStash
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.models.decisions import Decision
from awards.models.reference import District
from awards.services import audit, lifecycle, mail, nominations, receipts, uploads
from awards.timeutil import from_berlin
from awards.timeutil import to_berlin
from awards.errors import DomainError, StaleObjectError

log = logging.getLogger("awards.applications")

STASH_MAX_AGE = timedelta(days=2)
# Caps on what logged-out visitors can make us keep (see stash_form): the longest field of
# the form holds 10,000 characters (line breaks may arrive as two).
STASH_MAX_FIELD_CHARS = 20_000
STASH_MAX_CHARS = 50_000
STASH_MAX_PER_CLIENT = 3
STASH_MAX_TOTAL = 2_000

MISSING = _l("Bitte füllen Sie dieses Feld aus.")
MISSING_CHOICE = _l("Bitte wählen Sie eine Antwort aus.")
MISSING_CONSENT = _l("Bitte bestätigen Sie dies, sonst können wir Ihre Bewerbung nicht annehmen.")
MISSING_IMAGE_RIGHTS = _l("Sie haben Fotos angehängt. Bitte bestätigen Sie die Bildrechte oder "
                          "entfernen Sie die Fotos.")


class ApplicationError(DomainError):
    """A rule was broken; the message is shown to the user."""


class NotEditable(ApplicationError):
    pass


class Conflict(StaleObjectError, ApplicationError):
    """The application was changed elsewhere since the form was loaded."""


class DeadlinePassed(ApplicationError):
    pass


class RegionMismatch(ApplicationError):
    pass


class SubmissionFailed(ApplicationError):
    """An outside system (storage, PDF rendering) failed while submitting; the application
    is left a draft as it was: no reference number, no receipt, no mail."""


class SubmissionInvalid(ApplicationError):
    def __init__(self, errors):
        super().__init__(_l("Die Bewerbung ist noch nicht vollständig."))
        self.errors = errors  # {field: message}
        self.field_errors = errors


# --- deadline -------------------------------------------------------------------------

def is_open_for_submission(competition, now=None):
    """True while the year is in its application phase (awards.services.lifecycle): the
    deadline counts to the second in Europe/Berlin; a deadline of 23:59:59 accepts
    everything up to 23:59:59.999 and refuses 00:00:00."""
    return competition is not None and lifecycle.allows("apply", competition, now)


def open_competitions(now=None):
    rows = db.session.scalars(
        select(Competition).where(lifecycle.stage_may_be({lifecycle.S.OPEN}))
        .order_by(Competition.level.desc(), Competition.prize_code)
    ).all()
    return [c for c in rows if is_open_for_submission(c, now)]


def _require(action, competition, now=None):
    """The year's state machine decides; its refusal reaches the applicant as an
    ApplicationError with the machine's message."""
    try:
        lifecycle.require(action, competition, now)
    except lifecycle.NotAllowed as exc:
        raise DeadlinePassed(str(exc.message)) from None


# --- region -----------------------------------------------------------------------------

def region_problem(application):
    """A message if a regional prize gets a project from another Regierungsbezirk."""
    competition = application.competition
    if competition.level != Level.REGIONAL or application.region is None:
        return None
    if application.region == competition.region:
        return None
    right = db.session.scalars(
        select(Competition).where(Competition.prize_code == application.region.value,
                                  Competition.year == competition.year)
    ).first()
    prize = right.title if right else prize_name(application.region.value)
    return _l("Ihr Projekt liegt im Regierungsbezirk %(region)s. Dieser Preis nimmt nur Projekte "
             "aus %(own)s an. Bitte bewerben Sie sich beim „%(prize)s“ oder beim Bayerischen "
             "Integrationspreis.", region=application.region.label,
             own=competition.region.label, prize=prize)


def right_competition_for(application):
    """The regional prize of the applicant's own Regierungsbezirk in the same year, if open."""
    if application.region is None:
        return None
    comp = db.session.scalars(
        select(Competition).where(Competition.prize_code == application.region.value,
                                  Competition.year == application.competition.year)
    ).first()
    return comp if is_open_for_submission(comp) else None


# --- drafts -----------------------------------------------------------------------------

def start(*, actor, competition, now=None):
    if not is_open_for_submission(competition, now):
        raise DeadlinePassed(_l("Für diesen Preis ist keine Bewerbung (mehr) möglich."))
    application = Application(competition=competition, owner=actor, email=actor.email,
                              contact_name=actor.name or "")
    db.session.add(application)
    db.session.flush()
    audit.record(actor=actor, action="application.start", obj=application,
                 new={"competition": competition.id})
    return application


def _check_editable(application, expected_version):
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.REOPENED):
        raise NotEditable(_l("Diese Bewerbung ist abgesendet und kann nicht mehr geändert werden."))
    if expected_version is not None and expected_version != application.version:
        raise Conflict(_l("Diese Bewerbung wurde inzwischen an anderer Stelle geändert (z. B. in "
                         "einem anderen Fenster). Bitte prüfen Sie die Angaben und speichern Sie "
                         "erneut."))


def save_draft(*, actor, application, step, values, next_step=None, expected_version=None,
               now=None):
    """Store the given values of one step (unknown keys are ignored) and where the applicant
    is. Returns the names of the fields that changed."""
    _check_editable(application, expected_version)
    allowed = fields.step_names(step)
    changed = []
    for name, value in values.items():
        if name not in allowed:
            continue
        if isinstance(value, str):
            value = value.strip()
        if name == "district_id":
            district = db.session.get(District, value) if value else None
            value = district.id if district else None
            region = district.region if district else None
            if application.region != region:
                application.region = region
        if getattr(application, name) != value:
            setattr(application, name, value)
            changed.append(name)
    application.current_step = next_step or step
    application.autosaved_at = now or utcnow()
    db.session.flush()
    if changed:
        audit.record(actor=actor, action="application.save_draft", obj=application,
                     new={"step": step, "fields": changed})
    return changed


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip()) or value is False


def missing_fields(application, steps=None):
    """{field: message} for required values not given yet, in the given steps (all)."""
    errors = {}
    for step in steps or fields.STEPS:
        # The fields required always first, then those required in this case.
        required = sorted((f for f in fields.step_fields(step) if f.required_for(application)),
                          key=lambda f: f.required != fields.ALWAYS)
        for f in required:
            if _empty(f.value(application)):
                if f.kind == fields.CONSENT:
                    errors[f.name] = str(MISSING_CONSENT)
                elif f.kind in fields.CHOICE_KINDS:
                    errors[f.name] = str(MISSING_CHOICE)
                else:
                    errors[f.name] = str(MISSING)
        if step == 1 and "district_id" not in errors:
            problem = region_problem(application)
            if problem:
                errors["district_id"] = str(problem)
        if step == 4 and any(a.is_image for a in application.attachments) \
                and not application.image_rights_confirmed:
            errors["image_rights_confirmed"] = str(MISSING_IMAGE_RIGHTS)
    return errors


# --- submission -------------------------------------------------------------------------

def _assign_reference(application):
    """Next running number of the competition. Submissions of one competition are serialised
    by a row lock on PostgreSQL; the unique constraint plus a retry covers the rest."""
    if application.number is not None:
        return
    competition_id = application.competition_id
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(Competition.id).where(Competition.id == competition_id)
                           .with_for_update())
    elif db.engine.dialect.name == "sqlite":
        # A write first: it opens the transaction and takes SQLite's write lock. Without it
        # pysqlite sends the SAVEPOINT below outside any transaction, and releasing that
        # savepoint would COMMIT the number at once — a failure later in the submission (the
        # receipt's storage) would then leave a reference number on a draft.
        competitions = Competition.__table__
        db.session.execute(update(competitions).where(competitions.c.id == competition_id)
                           .values(id=competitions.c.id))
    db.session.flush()
    prefix = application.competition.reference_prefix
    for _attempt in range(5):
        number = (db.session.scalar(
            select(func.max(Application.number)).where(Application.competition_id == competition_id)
        ) or 0) + 1
        try:
            with db.session.begin_nested():
                application.number = number
                application.reference = f"{prefix}-{number:04d}"
                db.session.flush()
            return
        except IntegrityError:
            log.info("reference number %s taken, retrying", number)
    raise ApplicationError(_l("Die Bewerbungsnummer konnte nicht vergeben werden. Bitte senden "
                             "Sie die Bewerbung erneut ab."))


# What submitting changes on the application (restored when the receipt fails).
_SUBMISSION_STATE = ("number", "reference", "status", "submitted_at", "resubmitted_at",
                     "formal_check", "receipt_key")


def submit(*, actor, application, now=None, storage=None, expected_version=None):
    """Freeze the application, number it, create the receipt and queue the confirmation."""
    now = now or utcnow()
    _check_editable(application, expected_version)
    resubmission = application.status == ApplicationStatus.REOPENED
    # A correction requested by staff may come after the deadline, until its own deadline;
    # a first submission not.
    if not resubmission and not is_open_for_submission(application.competition, now):
        raise DeadlinePassed(_l("Der Bewerbungsschluss ist vorbei. Die Bewerbung kann nicht mehr "
                               "abgesendet werden. Ihr Entwurf bleibt gespeichert."))
    if resubmission:
        _require("resubmit", application.competition, now)
    if resubmission and correction_overdue(application, now):
        raise DeadlinePassed(_l("Die Frist für die Korrektur ist abgelaufen. Bitte wenden Sie "
                               "sich an die Geschäftsstelle; Ihre Änderungen bleiben "
                               "gespeichert."))
    errors = missing_fields(application)
    if errors:
        raise SubmissionInvalid(errors)
    if application.kind == SubmissionKind.SELF:
        for name in fields.nomination_only_names():
            setattr(application, name, "")
    before = {name: getattr(application, name) for name in _SUBMISSION_STATE}
    _assign_reference(application)
    old_status = application.status
    application.status = ApplicationStatus.SUBMITTED
    if resubmission:
        application.resubmitted_at = now
        application.formal_check = FormalCheck.PENDING
    else:
        application.submitted_at = now
    try:
        application.receipt_key = receipts.create_receipt(application=application,
                                                          received_at=now, storage=storage)
    except Exception as exc:  # noqa: BLE001 - storage or PDF rendering: nothing may remain
        log.exception("receipt of application %s could not be created", application.id)
        # Put everything back, so that even a caller who commits leaves the draft as it was.
        for name, value in before.items():
            setattr(application, name, value)
        db.session.flush()
        raise SubmissionFailed(_l(
            "Ihre Bewerbung konnte gerade nicht abgesendet werden, weil die "
            "Eingangsbestätigung nicht gespeichert werden konnte (technische Störung). Ihr "
            "Entwurf ist vollständig gespeichert; eine Bewerbungsnummer wurde noch nicht "
            "vergeben. Bitte klicken Sie in einigen Minuten erneut auf „Bewerbung absenden“. "
            "Gelingt es bis zum Bewerbungsschluss nicht, wenden Sie sich bitte an die "
            "Geschäftsstelle.")) from exc
    db.session.flush()
    audit.record(actor=actor, action="application.submit", obj=application,
                 old={"status": old_status.value},
                 new={"status": application.status.value, "reference": application.reference,
                      "receipt": application.receipt_key})
    mail.enqueue(to=application.owner.email, template="application_submitted",
                 application=application, received_at=now, resubmission=resubmission)
    nominations.on_submitted(actor=actor, application=application, now=now)
    return application


def withdraw(*, actor, application, now=None):
    now = now or utcnow()
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ApplicationError(_l("Diese Bewerbung ist bereits zurückgezogen."))
    if application.status != ApplicationStatus.DRAFT:
        # After the deadline only staff can; after the release no one (staff revoke).
        _require("withdraw", application.competition, now)
    old = application.status
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = now
    db.session.flush()
    audit.record(actor=actor, action="application.withdraw", obj=application,
                 old={"status": old.value}, new={"status": application.status.value})
    return application


def copy_to(*, actor, source, competition, now=None, storage=None):
    """A new draft in another open competition with the texts and files of `source`."""
    if competition.id == source.competition_id:
        raise ApplicationError(_l("Bitte wählen Sie einen anderen Preis aus."))
    if not is_open_for_submission(competition, now):
        raise DeadlinePassed(_l("Für diesen Preis ist keine Bewerbung (mehr) möglich."))
    copy = Application(competition=competition, owner=actor, copied_from_id=source.id)
    for name in fields.copied_names():
        setattr(copy, name, getattr(source, name))
    db.session.add(copy)
    db.session.flush()
    problem = region_problem(copy)
    if problem:
        raise RegionMismatch(problem)
    uploads.copy_attachments(source=source, target=copy, storage=storage)
    audit.record(actor=actor, action="application.copy", obj=copy,
                 new={"from": source.id, "competition": competition.id})
    return copy


# --- staff ------------------------------------------------------------------------------

def formal_check(*, actor, application, result, reason=""):
    result = FormalCheck(result)
    reason = (reason or "").strip()
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED):
        raise ApplicationError(_l("Nur abgesendete Bewerbungen können geprüft werden."))
    if result == FormalCheck.REQUEST:
        # A request needs a deadline and an answer in the portal: services.document_requests.
        raise ApplicationError(_l("Eine Nachforderung stellen Sie bitte mit Frist unter "
                                 "„Unterlagen nachfordern“."))
    if result == FormalCheck.INADMISSIBLE and not reason:
        raise ApplicationError(_l("Bitte geben Sie eine Begründung an."))
    _require("formal_check", application.competition)
    old = {"formal_check": application.formal_check.value,
           "reason": application.formal_check_reason}
    application.formal_check = result
    application.formal_check_reason = reason if result != FormalCheck.ADMISSIBLE else ""
    application.formal_checked_at = utcnow()
    application.formal_checked_by_id = actor.id
    db.session.flush()
    audit.record(actor=actor, action="application.formal_check", obj=application, old=old,
                 new={"formal_check": result.value, "reason": application.formal_check_reason})
    return application


class CorrectionDueInvalid(ApplicationError):
    """The correction deadline given is not in the future (the form's `correction_due`)."""

    def __init__(self, message):
        super().__init__(message, field="correction_due")


def correction_deadline(day):
    """The last instant of a Berlin calendar day, as aware UTC (the correction deadline)."""
    from datetime import datetime, time

    return from_berlin(datetime.combine(day, time(23, 59, 59)))


def reopen(*, actor, application, reason, due=None, now=None):
    """Open a submitted application for correction until the end of the day `due` (Berlin
    time; None: no deadline). Called again on a reopened application, it changes the reason
    and the deadline, and the applicant is told again."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_l("Bitte geben Sie an, was korrigiert werden soll."))
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED):
        raise ApplicationError(_l("Nur abgesendete Bewerbungen können zur Korrektur geöffnet "
                                 "werden."))
    _require("reopen", application.competition, now)
    if _has_active_decision(application):
        # Reopened, it would leave the decided applications while its award stayed on the
        # winners list: first the decision goes, then the correction.
        raise ApplicationError(_l("Für diese Bewerbung ist eine Entscheidung eingetragen. Bitte "
                                 "entfernen Sie zuerst die Entscheidung, bevor Sie die Bewerbung "
                                 "zur Korrektur öffnen."))
    due_at = correction_deadline(due) if due is not None else None
    if due_at is not None and due_at <= now:
        raise CorrectionDueInvalid(_l("Die Frist für die Korrektur muss in der Zukunft liegen."))
    old = {"status": application.status.value, "correction_due_at": application.correction_due_at}
    again = application.status == ApplicationStatus.REOPENED
    application.status = ApplicationStatus.REOPENED
    if not again:
        application.reopened_at = now
        application.current_step = 1
    application.reopen_reason = reason
    application.correction_due_at = due_at
    db.session.flush()
    audit.record(actor=actor, action="application.reopen", obj=application, old=old,
                 new={"status": application.status.value, "reason": reason,
                      "correction_due_at": due_at})
    # The account may have been deleted meanwhile; then the contact address of the form.
    recipient = application.owner.email if application.owner is not None else application.email
    if recipient:
        mail.enqueue(to=recipient, template="application_reopened",
                     application=application, reason=reason, again=again,
                     due_local=to_berlin(due_at) if due_at else None)
    return application


def _has_active_decision(application):
    return db.session.scalar(select(Decision.id).where(
        Decision.application_id == application.id, Decision.revoked_at.is_(None))) is not None


def correction_overdue(application, now=None):
    """True when a reopened application's correction deadline has passed."""
    due = application.correction_due_at
    return (application.status == ApplicationStatus.REOPENED and due is not None
            and (now or utcnow()) > due)


INTAKE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED,
                   ApplicationStatus.WITHDRAWN)


# The search matches these columns, case-insensitively, as typed ("%" and "_" are no
# wildcards: escaped with "/" as SQLAlchemy's autoescape does for a literal).
SEARCHED = (Application.reference, Application.org_name, Application.contact_name,
            Application.project_title, Application.city, Application.email)


@lru_cache(maxsize=64)
def _intake_shape(region, applicant_type, formal, search):
    """The intake select for one combination of filters in use (each flag says whether that
    filter is given), with the values as parameters: built once per combination, because
    building a statement costs SQLAlchemy more than running it.

    The competition is written into the SQL when the statement runs rather than sent as a
    parameter (literal_execute): PostgreSQL plans a prepared statement once for every value
    of its parameters, and that plan, made for a competition of average size, joined and
    sorted all 3,000 applications of the large one for a page of 25 (9 ms instead of
    0.5 ms). With the id in the text each competition gets its own statement and plan."""
    query = select(Application).where(
        Application.competition_id == bindparam("competition_id", literal_execute=True),
        Application.status.in_(bindparam("statuses", expanding=True)))
    if region:
        query = query.where(Application.region == bindparam("region"))
    if applicant_type:
        query = query.where(Application.applicant_type == bindparam("applicant_type"))
    if formal:
        query = query.where(Application.formal_check == bindparam("formal"))
    if search:
        query = query.where(or_(*(column.icontains(bindparam("search"), escape="/")
                                  for column in SEARCHED)))
    return query


def _intake_statement(*, competition, search="", status=None, region=None,
                      applicant_type=None, formal=None):
    """(select, parameters) of the applications staff see in the intake list (never
    drafts), filtered."""
    search = (search or "").strip()
    query = _intake_shape(bool(region), bool(applicant_type), bool(formal), bool(search))
    parameters = {"competition_id": competition.id,
                  "statuses": [status] if status else list(INTAKE_STATUSES)}
    if region:
        parameters["region"] = region
    if applicant_type:
        parameters["applicant_type"] = applicant_type
    if formal:
        parameters["formal"] = formal
    if search:
        parameters["search"] = (search.replace("/", "//").replace("%", "/%")
                                .replace("_", "/_"))
    return query, parameters


def intake_query(**filters):
    """The select of the applications staff see in the intake list (never drafts),
    filtered, with its values bound (for the exports)."""
    query, parameters = _intake_statement(**filters)
    return query.params(parameters)


# What the intake list shows of each application; the long texts stay in the database
# (reading another column raises, so a template change cannot add a query per row).
INTAKE_LIST_COLUMNS = (
    Application.id, Application.competition_id, Application.number, Application.reference,
    Application.status, Application.kind, Application.org_name, Application.project_title,
    Application.applicant_type, Application.region, Application.district_id,
    Application.submitted_at, Application.formal_check)


@lru_cache(maxsize=64)
def _counts_shape(shape):
    return (select(func.count().filter(shape.whereclause),
                   func.count().filter(Application.status == ApplicationStatus.DRAFT))
            .select_from(Application)
            .where(Application.competition_id == bindparam("competition_id",
                                                           literal_execute=True)))


@lru_cache(maxsize=128)
def _page_shape(shape, extra_columns):
    # Counted per row of this page only, not over every attachment of the database.
    files = (select(func.count(Attachment.id)).where(Attachment.application_id == Application.id)
             .correlate(Application).scalar_subquery())
    return (shape.add_columns(files, *extra_columns)
            .options(joinedload(Application.district),
                     load_only(*INTAKE_LIST_COLUMNS, raiseload=True))
            .order_by(Application.number.asc().nulls_last(), Application.id)
            .limit(bindparam("limit")).offset(bindparam("offset")))


def intake_counts(**filters):
    """(applications the filters match, drafts of the competition) in one statement; drafts
    are counted whatever the filters, because the list only says how many there are."""
    shape, parameters = _intake_statement(**filters)
    return tuple(db.session.execute(_counts_shape(shape), parameters).one())


def intake_page(*, page=1, per_page=25, extra_columns=(), **filters):
    """One page of the intake list: (rows, total, drafts, page). Each row is (application,
    attachment count, *the values of `extra_columns`): expressions correlated to the
    application that other services give the list (built once by them, see
    document_requests.latest_request_columns), read in the same statement. A page past the
    end is the last page."""
    shape, parameters = _intake_statement(**filters)
    total, drafts = db.session.execute(_counts_shape(shape), parameters).one()
    page = min(max(page, 1), max(1, -(-total // per_page)))
    rows = db.session.execute(
        _page_shape(shape, tuple(extra_columns)),
        dict(parameters, limit=per_page, offset=(page - 1) * per_page)).all()
    return [tuple(row) for row in rows], total, drafts, page


# --- stash of form data posted after the login expired ----------------------------------

def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class StashRefused(DomainError):
    """The posted values are not kept: too large, or too many kept already."""


def _client_key(client):
    """A keyed hash of the client's address: enough to count its stashes, without storing
    the address itself."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"form-stash:{client}".encode(), hashlib.sha256).hexdigest()


def stash_form(*, application, step, data, client, now=None):
    """Keep posted values until the owner logs in again; returns the secret token.

    Anyone can post to a form whose login has expired, so what is kept is bounded: only
    the fields of that step (one value each, at most STASH_MAX_FIELD_CHARS characters, all
    together STASH_MAX_CHARS), at most STASH_MAX_PER_CLIENT stashes per client address
    (a newer one replaces the oldest), at most STASH_MAX_TOTAL in all, each for
    STASH_MAX_AGE. Raises StashRefused when the values are not kept.
    """
    now = now or utcnow()
    db.session.execute(delete(FormStash).where(FormStash.created_at < now - STASH_MAX_AGE))
    allowed = set(fields.step_names(step)) | {"version"}
    kept = {name: [str(v) for v in values[:1]] for name, values in data.items()
            if name in allowed and values}
    sizes = [len(v) for values in kept.values() for v in values]
    if not kept or max(sizes) > STASH_MAX_FIELD_CHARS or sum(sizes) > STASH_MAX_CHARS:
        raise StashRefused("size")
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.REOPENED):
        raise StashRefused("status")
    client_key = _client_key(client)
    older = db.session.scalars(
        select(FormStash.id).where(FormStash.client_key == client_key)
        .order_by(FormStash.created_at.desc(), FormStash.id.desc())
        .offset(STASH_MAX_PER_CLIENT - 1)).all()
    if older:
        db.session.execute(delete(FormStash).where(FormStash.id.in_(older)))
    if db.session.scalar(select(func.count(FormStash.id))) >= STASH_MAX_TOTAL:
        raise StashRefused("full")
    token = secrets.token_urlsafe(24)
    db.session.add(FormStash(token_hash=_token_hash(token), application_id=application.id,
                             step=step, data=kept, client_key=client_key, created_at=now))
    db.session.flush()
    return token


def take_stash(*, token, application, step, now=None):
    """The stashed values for this application and step (removed on reading), or None."""
    now = now or utcnow()
    if not token:
        return None
    stash = db.session.scalars(select(FormStash).where(
        FormStash.token_hash == _token_hash(token))).first()
    if stash is None or stash.application_id != application.id or stash.step != step:
        return None
    db.session.delete(stash)
    db.session.flush()
    if stash.created_at < now - STASH_MAX_AGE:
        return None
    return stash
