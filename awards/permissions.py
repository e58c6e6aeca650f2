"""Who may do what: small named predicates, deny by default.

Each takes the acting user (possibly anonymous) and the object. Views call these; nothing
else decides access.
"""
from sqlalchemy import exists, select

from awards import lifecycle
from awards.enums import ApplicationStatus, Role
from awards.extensions import db
from awards.models.jury import Conflict, Round
from awards.models.jury_reveal import JuryReveal


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_admin(user):
    return _authenticated(user) and user.is_admin


def staff_prize_codes(user):
    """The prize codes a staff member works on; None means every prize (ministry office)."""
    if not _authenticated(user):
        return set()
    if user.is_admin:
        return None
    codes = set()
    for assignment in user.roles:
        if assignment.role == Role.STAFF:
            if assignment.prize_code is None:
                return None
            codes.add(assignment.prize_code)
    return codes


def is_staff(user):
    """Staff of at least one prize (administrators count as staff everywhere)."""
    codes = staff_prize_codes(user)
    return codes is None and _authenticated(user) or bool(codes)


def can_manage_competition(user, competition):
    if competition is None:
        return False
    codes = staff_prize_codes(user)
    if codes is None:
        return _authenticated(user)
    return competition.prize_code in codes


def can_create_competition(user, prize_code):
    codes = staff_prize_codes(user)
    if codes is None:
        return _authenticated(user)
    return prize_code in codes


def can_view_statistics(user, prize_code=None):
    """The statistics pages: staff, for the prizes they work on (any prize when none is
    named). Jury members who are not staff never see them."""
    codes = staff_prize_codes(user)
    if codes is None:
        return _authenticated(user)
    return bool(codes) if prize_code is None else prize_code in codes


def can_manage_users(user):
    return is_admin(user)


def juror_competition_ids(user):
    if not _authenticated(user):
        return set()
    return {a.competition_id for a in user.roles if a.role == Role.JUROR}


def is_juror(user, competition=None):
    ids = juror_competition_ids(user)
    return bool(ids) if competition is None else competition.id in ids


def is_jury_chair(user, competition):
    if not _authenticated(user) or competition is None:
        return False
    return any(
        a.role == Role.JUROR and a.competition_id == competition.id and a.is_chair
        for a in user.roles
    )


# --- anonymity towards the jury: the one rule ---
def jury_anonymity_holds(competition):
    """The competition has an anonymised jury round and staff have not revealed the names
    to the jury yet (whatever state the round is in: prepared, open or closed)."""
    if competition is None or competition.id is None:
        return False
    anonymised = exists().where(Round.competition_id == competition.id, Round.anonymised.is_(True))
    revealed = exists().where(JuryReveal.competition_id == competition.id)
    return bool(db.session.scalar(select(anonymised & ~revealed)))


def identities_hidden_from(user, competition):
    """THE rule: anonymity belongs to the person and the phase. A member of the competition's
    jury (the chair included, and also when they hold another role such as staff or admin)
    sees its applications only through the juror projection while the anonymity holds —
    on every page, export, mail, PDF and JSON answer."""
    return is_juror(user, competition) and jury_anonymity_holds(competition)


def hidden_competition_ids(user):
    """Ids of the competitions whose applicants this user must not learn about anywhere
    (they sit on its jury while its anonymity holds) — e.g. in the list of accounts."""
    if not _authenticated(user):
        return set()
    return {a.competition_id for a in user.roles
            if a.role == Role.JUROR and jury_anonymity_holds(a.competition)}


def may_see_identities(user, competition):
    """Staff of the prize who are not held to the jury's anonymity."""
    return can_manage_competition(user, competition) and not identities_hidden_from(user, competition)


def has_conflict(user, application):
    """A declared or staff-recorded Befangenheit of this user for this application."""
    if not _authenticated(user) or application is None or application.id is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        Conflict.application_id == application.id, Conflict.juror_id == user.id))))


def can_view_application(user, application):
    """Staff of the application's prize, or its owner. Never jury members while the jury's
    anonymity holds (they use the projection), and never anyone with a conflict for it."""
    if application is None or not _authenticated(user):
        return False
    if application.owner_id == user.id:
        return True
    return (may_see_identities(user, application.competition)
            and not has_conflict(user, application))


def can_edit_application(user, application):
    return (
        _authenticated(user)
        and application is not None
        and application.owner_id == user.id
        and application.status in (ApplicationStatus.DRAFT, ApplicationStatus.REOPENED)
    )


# --- applications ---
def _owns(user, application):
    return _authenticated(user) and application is not None and application.owner_id == user.id


def can_apply(user, competition, at=None):
    """Anyone logged in may start an application while the year's state machine says the
    call is open (not before `opens_at`, not after the deadline, not once ended early)."""
    return (_authenticated(user) and competition is not None
            and lifecycle.allows("apply", competition, at))


def can_withdraw_application(user, application):
    return _owns(user, application) and application.status in (
        ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED)


def can_copy_application(user, application):
    return _owns(user, application)


def can_check_application(user, application):
    """Formal check, reopening and intake views: staff of the application's prize only."""
    return (application is not None and may_see_identities(user, application.competition)
            and not has_conflict(user, application))


def can_view_intake(user, competition):
    """The intake list and its exports name every applicant."""
    return may_see_identities(user, competition)


def can_download_attachment(user, attachment):
    return attachment is not None and can_view_application(user, attachment.application)


# --- decisions ---
def can_record_decisions(user, competition):
    """Staff of the prize, or the chair of this competition's jury."""
    return can_manage_competition(user, competition) or is_jury_chair(user, competition)


def can_decide_on(user, application):
    """Record, change or withdraw the decision on one application: never with a conflict."""
    return (application is not None
            and can_record_decisions(user, application.competition)
            and not has_conflict(user, application))


def can_release_decisions(user, competition):
    """Releasing, publication, mail templates and certificates are staff work — they show
    names, so not for a staff member who sits on this jury while its anonymity holds."""
    return may_see_identities(user, competition)


def can_reveal_names(user, competition):
    """The explicit staff action "Namen für die Jury aufdecken"."""
    return may_see_identities(user, competition)


def can_download_certificate(user, application):
    """The laureate's own account (the application's owner) and staff of its prize."""
    if application is None or not _authenticated(user):
        return False
    if application.owner_id is not None and application.owner_id == user.id:
        return True
    if is_nominee_of(user, application):
        return True
    return may_see_identities(user, application.competition)


def can_answer_public_text(user, application):
    """Approve or question the public text of an award: the application's owner, or the
    nominated person once linked (they are the laureate)."""
    if application is None or not _authenticated(user):
        return False
    return (application.owner_id is not None and application.owner_id == user.id) \
        or is_nominee_of(user, application)


def is_nominee_of(user, application):
    """The nominated person's own account, linked once the decisions are released: they may
    read the application and download its certificate, never change it."""
    nomination = getattr(application, "nomination", None) if application is not None else None
    return (_authenticated(user) and nomination is not None
            and nomination.nominee_user_id == user.id
            and nomination.access_granted_at is not None)


# --- trust ---
def can_view_audit_log(user):
    """The audit log shows every change by everyone: administrators only — and not an
    administrator who sits on a jury whose anonymity holds (the log carries the names)."""
    return is_admin(user) and not any(
        a.role == Role.JUROR and jury_anonymity_holds(a.competition) for a in user.roles)


def can_manage_own_data(user):
    """Download one's own data: every logged-in account."""
    return _authenticated(user)


def can_delete_own_account(user):
    """Applicants delete their own account; staff and juror accounts are ended by an admin."""
    return _authenticated(user) and not user.roles


# --- jury ---
def can_manage_jury(user, competition):
    """Staff of the prize set up rounds, invite jurors, review anonymisation and rankings."""
    return can_manage_competition(user, competition)


def can_manage_round(user, round_):
    return round_ is not None and can_manage_competition(user, round_.competition)


def can_review_anonymisation(user, round_):
    """The juror's-eye review, the leak scan and the attachment switches show the originals:
    staff only, and not a staff member who sits on this jury while its anonymity holds."""
    return round_ is not None and may_see_identities(user, round_.competition)


def can_use_jury_area(user):
    """Any juror may open the jury start page; which entries they see is decided per entry
    by services.scoring.juror_entry (assigned, no conflict, round open)."""
    return is_juror(user)
