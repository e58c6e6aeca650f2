"""Record the jury's decisions: prize category, amount and rationale per application.

The competition's allocation mode decides the amount:
- ranked: each category carries its fixed amount ("1. Preis" 4.000 €);
- equal: the budget is shared equally among all awarded applications (recomputed whenever
  one is added or removed);
- free: the amount is entered per decision.
Going over the budget, or awarding a category more often than planned, needs an explicit
confirmation with a reason. After the release, decisions are locked.
"""
import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from awards import permissions
from awards.enums import AllocationMode, ApplicationStatus, FormalCheck
from awards.extensions import db
from awards.i18n import LazyText, _l
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.decisions import Decision, DecisionRelease
from awards.models.jury import Round, RoundEntry, Score, ScoreStatus
from awards.services import audit, lifecycle
from awards.errors import DomainError, StaleObjectError

log = logging.getLogger("awards.decisions")

MIN_REASON_LENGTH = 10
CONFLICT_MESSAGE = _l("Sie haben für diese Bewerbung eine Befangenheit angezeigt (oder die "
                      "Geschäftsstelle hat sie vermerkt). Sie können über sie nicht entscheiden.")

# What happened to an application on its way through the year; decides the mail it gets.
AWARDED = "awarded"
COMPLETE = "complete"          # admissible and scored in the jury's last round: "not awarded"
NOT_ADMISSIBLE = "inadmissible"  # formally not admissible
NOT_SCORED = "not_scored"      # never scored by the jury (not checked, or no round reached)
PARTLY_SCORED = "partly_scored"  # scored in an earlier round, not in the last one
JOURNEY_LABELS = {
    NOT_ADMISSIBLE: _l("formal nicht zulässig"),
    NOT_SCORED: _l("von der Jury nicht bewertet"),
    PARTLY_SCORED: _l("nicht in der letzten Bewertungsrunde bewertet"),
}


class DecisionError(DomainError, ValueError):
    """A decision cannot be recorded as asked; `field` names the form field at fault."""

    def __init__(self, message, field=None):
        super().__init__(message, field=field)


class DecisionsLocked(DecisionError):
    pass


class StaleDecision(StaleObjectError, DecisionError):
    """Someone else changed the decision since the form was loaded."""


class NeedsConfirmation(DecisionError):
    """The decision goes over the budget or a category's planned count."""

    def __init__(self, message, *, warnings, total_cents, budget_cents):
        super().__init__(message, field="confirm_over_budget")
        self.warnings = warnings
        self.total_cents = total_cents
        self.budget_cents = budget_cents


@dataclass
class BudgetSummary:
    budget_cents: int
    total_cents: int
    decisions: list = field(default_factory=list)
    # category id -> (planned count, decided count)
    counts: dict = field(default_factory=dict)

    @property
    def remaining_cents(self):
        return self.budget_cents - self.total_cents

    @property
    def over_budget(self):
        return self.total_cents > self.budget_cents


def is_released(competition):
    return release_of(competition) is not None


def release_of(competition):
    return db.session.scalars(
        select(DecisionRelease).where(DecisionRelease.competition_id == competition.id)
    ).first()


def decisions_for(competition):
    return db.session.scalars(
        select(Decision).where(Decision.competition_id == competition.id).order_by(Decision.id)
    ).all()


def decision_for(application):
    return db.session.scalars(
        select(Decision).where(Decision.application_id == application.id)
    ).first()


def eligible_applications(competition):
    """Applications the jury may decide on: submitted ones of this competition."""
    return db.session.scalars(
        select(Application)
        .where(Application.competition_id == competition.id,
               Application.status == ApplicationStatus.SUBMITTED)
        .order_by(Application.number, Application.id)
    ).all()


def reopened_applications(competition):
    """Applications opened for a correction and not sent back: they end without a decision."""
    return db.session.scalars(
        select(Application)
        .where(Application.competition_id == competition.id,
               Application.status == ApplicationStatus.REOPENED)
        .order_by(Application.number, Application.id)
    ).all()


def journeys(competition):
    """{application id: COMPLETE | NOT_ADMISSIBLE | NOT_SCORED | PARTLY_SCORED} for the
    submitted applications of the competition, in three queries."""
    apps = db.session.execute(
        select(Application.id, Application.formal_check).where(
            Application.competition_id == competition.id,
            Application.status == ApplicationStatus.SUBMITTED)).all()
    last_round = db.session.scalar(
        select(Round.id).where(Round.competition_id == competition.id)
        .order_by(Round.position.desc()).limit(1))
    scored = db.session.execute(
        select(RoundEntry.application_id, RoundEntry.round_id)
        .join(Score, Score.entry_id == RoundEntry.id)
        .join(Round, Round.id == RoundEntry.round_id)
        .where(Round.competition_id == competition.id, Score.status == ScoreStatus.FINAL)
        .group_by(RoundEntry.application_id, RoundEntry.round_id)).all()
    in_any = {a for a, _r in scored}
    in_last = {a for a, r in scored if r == last_round}
    out = {}
    for app_id, check in apps:
        if check == FormalCheck.INADMISSIBLE:
            out[app_id] = NOT_ADMISSIBLE
        elif check == FormalCheck.ADMISSIBLE and app_id in in_last:
            out[app_id] = COMPLETE
        elif app_id in in_any:
            out[app_id] = PARTLY_SCORED
        else:
            out[app_id] = NOT_SCORED
    return out


def journey_of(application):
    """Whether one application went the whole way (COMPLETE) or where it stopped."""
    if application.status != ApplicationStatus.SUBMITTED:
        return NOT_SCORED
    return journeys(application.competition).get(application.id, NOT_SCORED)


def active(decisions):
    """The decisions that count: revoked awards are kept (and shown) but count no more."""
    return [d for d in decisions if d.revoked_at is None]


def budget_summary(competition, decisions=None):
    decisions = decisions_for(competition) if decisions is None else decisions
    decisions = active(decisions)
    counts = {c.id: [c.count, 0] for c in competition.categories}
    for d in decisions:
        counts.setdefault(d.category_id, [0, 0])[1] += 1
    return BudgetSummary(
        budget_cents=competition.budget_cents,
        total_cents=sum(d.amount_cents for d in decisions),
        decisions=decisions,
        counts={k: tuple(v) for k, v in counts.items()},
    )


def equal_share(budget_cents, winners):
    """Whole-euro equal shares; cents left over stay unspent rather than split unevenly."""
    if winners <= 0:
        return 0
    return (budget_cents // winners) // 100 * 100


def _snapshot(decision):
    return {
        "application_id": decision.application_id,
        "category": decision.category.label if decision.category else None,
        "amount_cents": decision.amount_cents,
        "rationale": decision.rationale,
        "exception_reason": decision.exception_reason,
    }


def record_decision(*, actor, application, category, rationale, amount_cents=None,
                    expected_version=None, confirm_over_budget=False, over_budget_reason="",
                    exception_reason="", now=None):
    """Create or change the decision for `application`. Returns the Decision (flushed).

    An application that did not go the whole way (formally admissible and scored in the
    jury's last round) is awarded only with an `exception_reason` (recorded and audited).

    Raises DecisionError (bad input or the wrong state of the year), DecisionsLocked
    (already released), StaleDecision (version mismatch) or NeedsConfirmation (over
    budget/count without a confirmed reason).
    """
    competition = application.competition
    now = now or utcnow()
    if permissions.has_conflict(actor, application):
        raise DecisionError(CONFLICT_MESSAGE)
    if is_released(competition):
        raise DecisionsLocked(_l("Die Entscheidungen sind bereits freigegeben und können nicht "
                                 "mehr geändert werden."))
    try:
        lifecycle.require("record_decision", competition)
    except lifecycle.NotAllowed as exc:
        raise DecisionError(str(exc.message)) from None
    if application.status != ApplicationStatus.SUBMITTED:
        raise DecisionError(_l("Nur eingereichte Bewerbungen können ausgezeichnet werden."))
    journey = journey_of(application)
    exception_reason = (exception_reason or "").strip() if journey != COMPLETE else ""
    if journey != COMPLETE and len(exception_reason) < MIN_REASON_LENGTH:
        raise DecisionError(
            _l("Diese Bewerbung ist %(journey)s. Eine Auszeichnung ist nur mit einer Begründung "
               "für die Ausnahme möglich (mindestens %(n)d Zeichen).",
               journey=JOURNEY_LABELS[journey], n=MIN_REASON_LENGTH), "exception_reason")
    if category is None or category.competition_id != competition.id:
        raise DecisionError(_l("Bitte wählen Sie eine Preiskategorie dieses Wettbewerbs."),
                            "category")
    rationale = (rationale or "").strip()
    if not rationale:
        raise DecisionError(_l("Bitte begründen Sie die Entscheidung."), "rationale")

    existing = decision_for(application)
    if existing is not None and expected_version is not None and existing.version != expected_version:
        raise StaleDecision(_l("Jemand anderes hat diese Entscheidung inzwischen geändert. Bitte "
                               "prüfen Sie den aktuellen Stand."))

    others = active([d for d in decisions_for(competition) if d.application_id != application.id])
    mode = competition.allocation_mode
    if mode == AllocationMode.RANKED:
        amount = category.amount_cents
    elif mode == AllocationMode.EQUAL:
        amount = equal_share(competition.budget_cents, len(others) + 1)
    else:
        if amount_cents is None:
            raise DecisionError(_l("Bitte geben Sie einen Betrag an."), "amount")
        amount = int(amount_cents)
    if amount < 0:
        raise DecisionError(_l("Der Betrag darf nicht negativ sein."), "amount")

    warnings = []
    total = sum(d.amount_cents for d in others) + amount
    if mode == AllocationMode.EQUAL:
        total = amount * (len(others) + 1)
    if total > competition.budget_cents:
        warnings.append("budget")
    same_category = sum(1 for d in others if d.category_id == category.id) + 1
    if same_category > category.count:
        warnings.append("count")
    reason = (over_budget_reason or "").strip()
    if warnings and not (confirm_over_budget and len(reason) >= MIN_REASON_LENGTH):
        parts = []
        if "budget" in warnings:
            parts.append(_l("Die Summe der Preisgelder überschreitet das Budget."))
        if "count" in warnings:
            parts.append(_l("„%(category)s“ wird öfter vergeben als vorgesehen (%(count)d).",
                            category=category.label, count=category.count))
        parts.append(_l("Bitte bestätigen Sie die Abweichung und nennen Sie einen Grund "
                        "(mindestens %(n)d Zeichen).", n=MIN_REASON_LENGTH))
        message = LazyText(lambda: " ".join(str(part) for part in parts))
        raise NeedsConfirmation(message, warnings=warnings, total_cents=total,
                                budget_cents=competition.budget_cents)

    if existing is None:
        decision = Decision(
            competition_id=competition.id, application_id=application.id, category=category,
            amount_cents=amount, rationale=rationale, decided_by_id=getattr(actor, "id", None),
            decided_at=now, over_budget_reason=reason if warnings else "",
            exception_reason=exception_reason,
        )
        db.session.add(decision)
        db.session.flush()
        audit.record(actor=actor, action="decision.create", obj=decision, new=_snapshot(decision))
    else:
        decision = existing
        old = _snapshot(decision)
        decision.category = category
        decision.amount_cents = amount
        decision.rationale = rationale
        decision.decided_by_id = getattr(actor, "id", None)
        decision.decided_at = now
        decision.over_budget_reason = reason if warnings else ""
        decision.exception_reason = exception_reason
        db.session.flush()
        new = _snapshot(decision)
        changed_old = {k: v for k, v in old.items() if new[k] != v}
        changed_new = {k: new[k] for k in changed_old}
        audit.record(actor=actor, action="decision.update", obj=decision, old=changed_old,
                     new=changed_new)
    if exception_reason:
        audit.record(actor=actor, action="decision.exception", obj=decision,
                     new={"journey": journey, "reason": exception_reason})
    if warnings:
        audit.record(actor=actor, action="decision.deviation_confirmed", obj=decision,
                     new={"warnings": warnings, "reason": reason, "total_cents": total,
                          "budget_cents": competition.budget_cents})
    if mode == AllocationMode.EQUAL:
        _rebalance_equal(actor=actor, competition=competition, amount=amount)
    log.info("decision for application %s: %s %s", application.id, category.label, amount)
    return decision


def _rebalance_equal(*, actor, competition, amount):
    for other in active(decisions_for(competition)):
        if other.amount_cents != amount:
            old = other.amount_cents
            other.amount_cents = amount
            db.session.flush()
            audit.record(actor=actor, action="decision.rebalance", obj=other,
                         old={"amount_cents": old}, new={"amount_cents": amount})


def remove_decision(*, actor, decision, expected_version=None):
    """Withdraw an award before the release."""
    competition = decision.competition
    if permissions.has_conflict(actor, decision.application):
        raise DecisionError(CONFLICT_MESSAGE)
    if is_released(competition):
        raise DecisionsLocked(_l("Die Entscheidungen sind bereits freigegeben und können nicht "
                                 "mehr geändert werden."))
    if expected_version is not None and decision.version != expected_version:
        raise StaleDecision(_l("Jemand anderes hat diese Entscheidung inzwischen geändert."))
    try:
        lifecycle.require("record_decision", competition)
    except lifecycle.NotAllowed as exc:
        raise DecisionError(str(exc.message)) from None
    audit.record(actor=actor, action="decision.delete", obj=decision, old=_snapshot(decision))
    db.session.delete(decision)
    db.session.flush()
    if competition.allocation_mode == AllocationMode.EQUAL:
        remaining = active(decisions_for(competition))
        _rebalance_equal(actor=actor, competition=competition,
                         amount=equal_share(competition.budget_cents, len(remaining)))


def revoke(*, actor, decision, reason, now=None):
    """Staff take back an award after the release, with a reason: it leaves the public
    winners pages and the API, counts no more in the money total, and the certificate check
    says it was revoked. The row stays, marked, for the record."""
    now = now or utcnow()
    competition = decision.competition
    if decision.revoked_at is not None:
        raise DecisionError(_l("Diese Auszeichnung ist bereits aberkannt."))
    try:
        lifecycle.require("revoke", competition, now)
    except lifecycle.NotAllowed as exc:
        raise DecisionError(str(exc.message)) from None
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise DecisionError(_l("Bitte nennen Sie den Grund (mindestens %(n)d Zeichen).",
                               n=MIN_REASON_LENGTH), "reason")
    decision.revoked_at = now
    decision.revoked_by_id = getattr(actor, "id", None)
    decision.revoke_reason = reason
    db.session.flush()
    audit.record(actor=actor, action="decision.revoke", obj=decision,
                 competition_id=competition.id,
                 old={"revoked_at": None, **_snapshot(decision)},
                 new={"revoked_at": now, "reason": reason})
    log.info("award %s revoked", decision.id)
    return decision


def count_by_journey(competition):
    """{journey: number of submitted applications}, awarded ones counted as AWARDED."""
    awarded = {d.application_id for d in active(decisions_for(competition))}
    counts = {}
    for app_id, journey in journeys(competition).items():
        key = AWARDED if app_id in awarded else journey
        counts[key] = counts.get(key, 0) + 1
    return counts
