"""Nominations by third parties (Vorschlag durch Dritte) involve the nominee.

- At submission the nominee is told by mail who nominated them and what happens next, with
  a link to a page where they confirm or decline; until the decisions are released they may
  change that answer there (the link stays valid for it), and the nominator is told each time.
- Confirming, the nominee gives their OWN publication consents (name, text, photos). They are
  written onto the application, which is what every publication reads; the nominator's
  consents never count for a nomination (the form does not ask them, and they are cleared).
- Declining withdraws the application from the competition (audited), with a decision the
  jury may already have recorded; confirming after declining brings it back.
- When the decisions are released (services.release calls `on_release`), the nominee's
  account is linked to the application: they see it and, if awarded, the certificate in
  "Meine Bewerbungen". They receive an access link; the nominator is told the result.
"""
import logging
from functools import lru_cache

from sqlalchemy import select

from awards.enums import ApplicationStatus, SubmissionKind, TokenPurpose
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.nominations import NomineeStatus, Nomination
from awards.services import accounts, audit, decisions, lifecycle, mail, tokens
from awards.errors import DomainError

log = logging.getLogger("awards.nominations")

# The nominee's link stays valid long enough to answer during the whole call and the jury.
RESPONSE_LINK_HOURS = 24 * 120
ACCESS_LINK_HOURS = 24 * 14
CONSENTS = ("consent_publish_name", "consent_publish_text", "consent_publish_photos")


class NominationError(DomainError):
    """A rule was broken; the message is shown to the nominee."""


def _nominator_label(application):
    name = application.nominator_name or _l("eine Person")
    return f"{name} ({application.nominator_org})" if application.nominator_org else name


def _apply_consents(application, nomination):
    """The application's publication consents are the nominee's (none while unanswered)."""
    confirmed = nomination.status == NomineeStatus.CONFIRMED
    for name in CONSENTS:
        setattr(application, name, bool(confirmed and getattr(nomination, name)))


def _notify_nominee(*, actor, application, nomination, now):
    if not nomination.nominee_email:
        log.warning("nomination %s has no e-mail address of the nominee", nomination.id)
        return
    token = tokens.issue(purpose=TokenPurpose.NOMINEE, email=nomination.nominee_email,
                         payload={"nomination": nomination.id},
                         max_age_hours=RESPONSE_LINK_HOURS)
    mail.enqueue(to=nomination.nominee_email, template="nomination_nominee",
                 application=application, nominator=_nominator_label(application), token=token)
    nomination.notified_at = now
    db.session.flush()
    audit.record(actor=actor, action="nomination.notify", obj=nomination,
                 competition_id=application.competition_id,
                 new={"application": application.id, "to": nomination.nominee_email})


def on_submitted(*, actor, application, now=None):
    """Called when a nomination is submitted (or re-submitted after a correction)."""
    now = now or utcnow()
    if application.kind != SubmissionKind.NOMINATION:
        return None
    nomination = application.nomination
    email = (application.email or "").strip().lower()
    if nomination is None:
        nomination = Nomination(application=application, nominee_email=email)
        db.session.add(nomination)
        db.session.flush()
        audit.record(actor=actor, action="nomination.create", obj=nomination,
                     competition_id=application.competition_id,
                     new={"application": application.id, "nominee_email": email})
        _apply_consents(application, nomination)
        _notify_nominee(actor=actor, application=application, nomination=nomination, now=now)
    else:
        _apply_consents(application, nomination)
        if nomination.status == NomineeStatus.PENDING and email != nomination.nominee_email:
            old = nomination.nominee_email
            nomination.nominee_email = email
            audit.record(actor=actor, action="nomination.change_email", obj=nomination,
                         competition_id=application.competition_id,
                         old={"nominee_email": old}, new={"nominee_email": email})
            _notify_nominee(actor=actor, application=application, nomination=nomination, now=now)
    db.session.flush()
    return nomination


def for_token(token):
    """The nomination the link belongs to (the link stays usable). Raises TokenInvalid."""
    row = tokens.peek(purpose=TokenPurpose.NOMINEE, token=token)
    nomination = db.session.get(Nomination, (row.payload or {}).get("nomination"))
    if nomination is None:
        raise tokens.TokenInvalid("invalid")
    return nomination


def _state_problem(nomination, action, now=None):
    try:
        return None, lifecycle.require(action, nomination.application.competition, now)
    except lifecycle.NotAllowed as exc:
        return str(exc.message), None


def answer_problem(nomination, *, confirm, now=None):
    """Why the nominee cannot give this answer now (None: they can).

    Until the release the nominee may answer and change the answer (confirm after declining,
    decline after confirming), each time with their consents. After the release an answer
    no longer changes anything that was decided; only a nominee who never answered may
    still confirm, so that their consents can count for the publication."""
    application = nomination.application
    declined = (nomination.status == NomineeStatus.DECLINED
                and application.status == ApplicationStatus.WITHDRAWN)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED) \
            and not declined:
        return _l("Dieser Vorschlag ist zurückgezogen. Eine Antwort ist nicht mehr nötig.")
    problem, state = _state_problem(
        nomination, "nominee_confirm" if confirm else "nominee_decline", now)
    if problem:
        return problem
    if state not in lifecycle.ACTIONS["nominee_decline"].states \
            and nomination.status != NomineeStatus.PENDING:
        return _l("Die Entscheidungen sind freigegeben. Ihre Antwort kann jetzt nicht mehr "
                  "geändert werden. Bitte wenden Sie sich an die Geschäftsstelle.")
    return None


def respond(*, token, confirm, consents=None, now=None):
    """The nominee confirms (with their consents) or declines, or changes an earlier answer.
    The link stays valid for that until it expires; the nominator is told of every change
    of the answer."""
    nomination = for_token(token)
    problem = answer_problem(nomination, confirm=confirm, now=now)
    if problem:
        raise NominationError(problem)
    now = now or utcnow()
    application = nomination.application
    actor = accounts.find_user(nomination.nominee_email)
    consents = consents or {}
    previous = nomination.status
    old = {"status": previous.value, **{n: getattr(nomination, n) for n in CONSENTS}}
    nomination.responded_at = now
    if confirm:
        nomination.status = NomineeStatus.CONFIRMED
        for name in CONSENTS:
            setattr(nomination, name, bool(consents.get(name)))
    else:
        nomination.status = NomineeStatus.DECLINED
        for name in CONSENTS:
            setattr(nomination, name, False)
    old_consents = {n: getattr(application, n) for n in CONSENTS}
    _apply_consents(application, nomination)
    db.session.flush()
    audit.record(actor=actor, action="nomination.confirm" if confirm else "nomination.decline",
                 obj=nomination, competition_id=application.competition_id, old=old,
                 new={"status": nomination.status.value, "by": nomination.nominee_email,
                      **{n: getattr(nomination, n) for n in CONSENTS}})
    audit.record(actor=actor, action="application.consents", obj=application,
                 old=old_consents, new={n: getattr(application, n) for n in CONSENTS})
    if not confirm and application.status != ApplicationStatus.WITHDRAWN:
        _withdraw_declined(actor=actor, application=application, now=now)
    elif confirm and application.status == ApplicationStatus.WITHDRAWN:
        # Declined earlier, confirmed now (before the release): the nomination is back in.
        application.status = ApplicationStatus.SUBMITTED
        application.withdrawn_at = None
        db.session.flush()
        audit.record(actor=actor, action="application.restore", obj=application,
                     old={"status": ApplicationStatus.WITHDRAWN.value},
                     new={"status": application.status.value, "reason": "nominee_confirmed"})
    if application.owner is not None and nomination.status != previous:
        mail.enqueue(to=application.owner.email, template="nomination_answered",
                     application=application, confirmed=confirm,
                     changed=previous != NomineeStatus.PENDING)
    return nomination


def _withdraw_declined(*, actor, application, now):
    decision = decisions.decision_for(application)
    if decision is not None and decision.revoked_at is None:
        # Only possible before the release (the machine refuses declining afterwards): the
        # award the jury intended goes with the nomination, recorded in the audit log.
        try:
            decisions.remove_decision(actor=actor, decision=decision)
        except decisions.DecisionError as exc:
            raise NominationError(str(exc.message)) from None
    old_status = application.status
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = now
    db.session.flush()
    audit.record(actor=actor, action="application.withdraw", obj=application,
                 old={"status": old_status.value},
                 new={"status": application.status.value, "reason": "nominee_declined"})


def on_release(*, actor, competition, awarded_ids, now=None):
    """Called by services.release once the decisions are released: every nominee of an
    application still in the competition gets access in their own account and a link; the
    nominator is told the result. `awarded_ids`: ids of applications with a decision."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(Nomination).join(Application, Application.id == Nomination.application_id)
        .where(Application.competition_id == competition.id,
               Application.status == ApplicationStatus.SUBMITTED,
               Nomination.status != NomineeStatus.DECLINED)
        .order_by(Nomination.id)
    ).all()
    for nomination in rows:
        application = nomination.application
        awarded = application.id in awarded_ids
        if nomination.nominee_email and nomination.access_granted_at is None:
            user = accounts.get_or_create_user(email=nomination.nominee_email,
                                               name=application.contact_name or "")
            nomination.nominee_user_id = user.id
            nomination.access_granted_at = now
            db.session.flush()
            audit.record(actor=actor, action="nomination.access", obj=nomination,
                         competition_id=competition.id,
                         new={"application": application.id, "user": user.id})
            if user.active:
                token = tokens.issue(purpose=TokenPurpose.MAGIC_LINK, email=user.email,
                                     user=user, payload={"next": f"/bewerbung/{application.id}"},
                                     max_age_hours=ACCESS_LINK_HOURS)
                mail.enqueue(to=user.email, template="nomination_access",
                             application=application, awarded=awarded, token=token)
        if application.owner is not None:
            mail.enqueue(to=application.owner.email, template="nomination_result",
                         application=application, awarded=awarded)
    db.session.flush()
    return rows


@lru_cache(maxsize=None)
def status_column():
    """The nominee's answer (NomineeStatus, None without a nomination) as a column
    correlated to the application, for the intake list's own statement (the same object
    every time: the list keeps its statement built per set of columns)."""
    return (select(Nomination.status).where(Nomination.application_id == Application.id)
            .correlate(Application).scalar_subquery())


def statuses(application_ids):
    """{application id: NomineeStatus} of the given applications that are nominations, read
    through the same column as the intake list."""
    if not application_ids:
        return {}
    rows = db.session.execute(select(Application.id, status_column())
                              .where(Application.id.in_(list(application_ids)))).all()
    return {application_id: status for application_id, status in rows if status is not None}


def nominee_application_ids(user):
    """Ids of applications the user was nominated with and may see (after the release)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(
        select(Nomination.application_id).where(Nomination.nominee_user_id == user.id,
                                                Nomination.access_granted_at.is_not(None))
    ).all())
