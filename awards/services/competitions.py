"""Competitions: create, edit, move through the status path, categories, criteria, copy."""
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, select

from awards.enums import ApplicationStatus, CompetitionStatus, Level, Region
from awards.extensions import db
from awards.i18n import _l, format_number
from awards.models.applications import Application
from awards.models.competitions import Competition, Criterion, PrizeCategory
from awards.services import audit, lifecycle
from awards.timeutil import from_berlin, to_berlin
from awards.models.decisions import Decision
from awards.models.jury import Round, RoundStatus
from awards.errors import DomainError

EDITABLE_FIELDS = (
    "title", "motto", "description", "eligibility", "preparation", "contact", "opens_at",
    "deadline_at", "ceremony_at", "ceremony_place", "budget_cents", "allocation_mode",
    "preselection_during_call", "title_en", "motto_en", "description_en", "eligibility_en",
    "preparation_en", "contact_en",
)
ENGLISH_FIELDS = ("title_en", "motto_en", "description_en", "eligibility_en", "preparation_en",
                  "contact_en")
CATEGORY_FIELDS = ("label", "label_en", "rank", "amount_cents", "count")
CRITERION_FIELDS = ("name", "description", "weight", "scale_min", "scale_max", "anchors",
                    "name_en", "description_en", "anchors_en")


class CompetitionError(DomainError):
    """A change that is not allowed; the message is for the user."""


class CompetitionFieldError(CompetitionError):
    """A change refused because of one field's value; `field` names the form field."""

    def __init__(self, message, field):
        super().__init__(message, field=field)


@lru_cache(maxsize=None)
def _competition_statement():
    # Built once: the staff's list pages load their edition on every view, and building a
    # statement costs SQLAlchemy more than running this one.
    return select(Competition).where(Competition.id == bindparam("competition_id"))


def competition(competition_id):
    """The edition with this id (its prize categories and criteria load when read), or None."""
    return db.session.scalars(_competition_statement(), {"competition_id": competition_id}).first()


def level_and_region(prize_code):
    if prize_code == "BIP":
        return Level.STATE, None
    return Level.REGIONAL, Region(prize_code)


def _exists(prize_code, year):
    return db.session.scalars(
        select(Competition.id).where(Competition.prize_code == prize_code, Competition.year == year)
    ).first() is not None


def create(*, actor, prize_code, year, values):
    if _exists(prize_code, year):
        raise CompetitionError(_l("Für diesen Preis gibt es im Jahr %(year)s schon einen "
                                  "Wettbewerb.", year=year))
    level, region = level_and_region(prize_code)
    competition = Competition(prize_code=prize_code, year=year, level=level, region=region,
                              status=CompetitionStatus.DRAFT,
                              **{k: v for k, v in values.items() if k in EDITABLE_FIELDS})
    db.session.add(competition)
    db.session.flush()
    audit.record(actor=actor, action="competition.create", obj=competition,
                 new={"prize_code": prize_code, "year": year,
                      **{k: values[k] for k in EDITABLE_FIELDS if k in values}})
    return competition


def update(*, actor, competition, values):
    state = lifecycle.require("edit_call", competition)
    if (competition.preselection_during_call and "preselection_during_call" in values
            and not values["preselection_during_call"]
            and state not in lifecycle.JURY_STATES and lifecycle.open_rounds(competition)):
        # Without the setting the open pre-selection round could no longer be closed before
        # the jury phase (the machine allows rounds during the call only with it).
        raise CompetitionFieldError(
            _l("Die Vorauswahl-Runde läuft gerade. Solange sie geöffnet ist, kann diese "
               "Einstellung nicht ausgeschaltet werden. Schließen Sie zuerst die Runde ab."),
            "preselection_during_call")
    return _apply_changes(actor=actor, obj=competition, fields=EDITABLE_FIELDS, values=values,
                          action="competition.update")


def allowed_transitions(competition):
    """The stage-moving actions (lifecycle.Action) staff may take now."""
    return lifecycle.stage_actions(competition)


def submitted_count(competition):
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.competition_id == competition.id,
            Application.status.in_((ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED)))
    ) or 0


def stage_problems(competition, action, now=None):
    """Why a stage action cannot be taken although the state allows it (empty: it can)."""
    now = now or lifecycle.now()
    problems = []
    if action == "announce":
        if competition.deadline_at is None or not competition.categories or not competition.criteria:
            problems.append(_l("Bevor die Ausschreibung öffnet, braucht der Wettbewerb einen "
                               "Bewerbungsschluss, mindestens einen Preis und ein Kriterium."))
        elif competition.deadline_at <= now:
            problems.append(_l("Der Bewerbungsschluss liegt in der Vergangenheit. Bitte ändern "
                               "Sie zuerst die Eckdaten."))
    elif action == "reopen_call":
        if competition.deadline_at is None or competition.deadline_at <= now:
            problems.append(_l("Der Bewerbungsschluss ist vorbei. Um die Bewerbungsphase zu "
                               "verlängern, ändern Sie den Bewerbungsschluss in den Eckdaten."))
        # With the deadline ahead, the machine's "closed" can only mean "ended early".
    elif action == "back_to_draft":
        count = submitted_count(competition)
        if count:
            problems.append(_l("Es sind schon %(n)s Bewerbungen eingegangen. Der Wettbewerb kann "
                               "nicht mehr zum Entwurf werden; beenden Sie stattdessen die "
                               "Bewerbungsphase.", n=format_number(count)))
    elif action == "finish_jury":
        if lifecycle.open_rounds(competition):
            problems.append(_l("Es läuft noch eine Bewertungsrunde. Bitte schließen Sie sie "
                               "zuerst ab."))
    elif action == "back_to_closed":
        if db.session.scalar(select(func.count(Round.id)).where(
                Round.competition_id == competition.id, Round.status != RoundStatus.DRAFT)):
            problems.append(_l("Es wurde schon eine Bewertungsrunde freigegeben."))
        if db.session.scalar(select(func.count(Decision.id)).where(
                Decision.competition_id == competition.id)):
            # Otherwise the call could open again and a winner withdraw.
            problems.append(_l("Es sind schon Entscheidungen eingetragen."))
    return problems


def take_stage_action(*, actor, competition, action, now=None):
    """Move the year by hand (announce, end early, start the jury, ...). Raises
    lifecycle.NotAllowed in the wrong state and CompetitionError when a guard fails."""
    spec = lifecycle.ACTIONS.get(action)
    if spec is None or spec.target is None:
        raise ValueError(action)
    now = now or lifecycle.now()
    old_state = lifecycle.require(action, competition, now)
    problems = stage_problems(competition, action, now)
    if problems:
        raise CompetitionError(problems[0])
    old = competition.status
    competition.status = spec.target
    if spec.target == CompetitionStatus.ARCHIVED:
        competition.archived_at = now
    db.session.flush()
    audit.record(actor=actor, action="competition.status", obj=competition,
                 old={"status": old.value, "state": old_state.value},
                 new={"status": spec.target.value, "action": action,
                      "state": lifecycle.state_of(competition, now).value})
    return competition


def change_status(*, actor, competition, status, now=None):
    """Move to the stored stage `status` through the one stage action that leads there."""
    status = CompetitionStatus(status)
    for spec in allowed_transitions(competition):
        if spec.target == status:
            return take_stage_action(actor=actor, competition=competition, action=spec.name,
                                     now=now)
    raise CompetitionError(_l("Dieser Statuswechsel ist nicht möglich."))


def _check_editable(competition, action, what):
    """Criteria are fixed once the jury starts, prize categories once it has decided
    (the states are declared in awards.services.lifecycle)."""
    state = lifecycle.state_of(competition)
    if state not in lifecycle.states_for(action, competition):
        raise CompetitionError(_l("%(what)s können in diesem Stand (%(status)s) nicht mehr "
                                  "geändert werden.", what=what, status=state.label))


def _apply_changes(*, actor, obj, fields, values, action):
    """Set the fields whose value changes and audit old -> new; nothing happens otherwise."""
    old, new = audit.diff(obj, fields, values)
    for field, value in new.items():
        setattr(obj, field, value)
    if new:
        db.session.flush()
        audit.record(actor=actor, action=action, obj=obj, old=old, new=new)
    return obj


def add_category(*, actor, competition, values):
    _check_editable(competition, "edit_categories", _l("Preise"))
    category = PrizeCategory(competition=competition, **values)
    db.session.add(category)
    db.session.flush()
    audit.record(actor=actor, action="competition.category_add", obj=category, new=values)
    return category


def update_category(*, actor, category, values):
    _check_editable(category.competition, "edit_categories", _l("Preise"))
    return _apply_changes(actor=actor, obj=category, fields=CATEGORY_FIELDS, values=values,
                          action="competition.category_update")


def delete_category(*, actor, category):
    _check_editable(category.competition, "edit_categories", _l("Preise"))
    audit.record(actor=actor, action="competition.category_delete", obj=category,
                 old={f: getattr(category, f) for f in CATEGORY_FIELDS})
    category.competition.categories.remove(category)
    db.session.flush()


def add_criterion(*, actor, competition, values):
    _check_editable(competition, "edit_criteria", _l("Kriterien"))
    position = max((c.position for c in competition.criteria), default=-1) + 1
    criterion = Criterion(competition=competition, position=position, **values)
    db.session.add(criterion)
    db.session.flush()
    audit.record(actor=actor, action="competition.criterion_add", obj=criterion, new=values)
    return criterion


def update_criterion(*, actor, criterion, values):
    _check_editable(criterion.competition, "edit_criteria", _l("Kriterien"))
    return _apply_changes(actor=actor, obj=criterion, fields=CRITERION_FIELDS, values=values,
                          action="competition.criterion_update")


def delete_criterion(*, actor, criterion):
    _check_editable(criterion.competition, "edit_criteria", _l("Kriterien"))
    audit.record(actor=actor, action="competition.criterion_delete", obj=criterion,
                 old={f: getattr(criterion, f) for f in CRITERION_FIELDS})
    criterion.competition.criteria.remove(criterion)
    db.session.flush()


def shift_one_year(value):
    """The same Berlin wall-clock time one year later (29 February becomes 28 February)."""
    if value is None:
        return None
    local = to_berlin(value).replace(tzinfo=None)
    try:
        shifted = local.replace(year=local.year + 1)
    except ValueError:
        shifted = local.replace(year=local.year + 1, day=28)
    return from_berlin(shifted)


def copy_to_next_year(*, actor, competition):
    """Create next year's edition as a draft: texts, categories, criteria; dates + 1 year."""
    year = competition.year + 1
    if _exists(competition.prize_code, year):
        raise CompetitionError(_l("Für diesen Preis gibt es im Jahr %(year)s schon einen "
                                  "Wettbewerb.", year=year))
    copy = Competition(
        prize_code=competition.prize_code, year=year, level=competition.level,
        region=competition.region, status=CompetitionStatus.DRAFT, copied_from_id=competition.id,
        title=competition.title, motto=competition.motto, description=competition.description,
        eligibility=competition.eligibility, preparation=competition.preparation,
        contact=competition.contact, ceremony_place=competition.ceremony_place,
        budget_cents=competition.budget_cents, allocation_mode=competition.allocation_mode,
        opens_at=shift_one_year(competition.opens_at),
        deadline_at=shift_one_year(competition.deadline_at),
        ceremony_at=shift_one_year(competition.ceremony_at),
        signatories=[dict(s) for s in competition.signatories or []],
        **{f: getattr(competition, f) or "" for f in ENGLISH_FIELDS},
    )
    for c in competition.categories:
        copy.categories.append(PrizeCategory(label=c.label, label_en=c.label_en or "", rank=c.rank,
                                             amount_cents=c.amount_cents, count=c.count))
    for c in competition.criteria:
        copy.criteria.append(Criterion(position=c.position, name=c.name,
                                       description=c.description, weight=c.weight,
                                       scale_min=c.scale_min, scale_max=c.scale_max,
                                       anchors=dict(c.anchors or {}),
                                       name_en=c.name_en or "",
                                       description_en=c.description_en or "",
                                       anchors_en=dict(c.anchors_en or {})))
    db.session.add(copy)
    db.session.flush()
    audit.record(actor=actor, action="competition.copy", obj=copy,
                 new={"copied_from": competition.id, "year": year})
    return copy


def berlin_parts(value):
    """Aware UTC -> (date, time) in Berlin for the form; (None, None) if unset."""
    if value is None:
        return None, None
    local = to_berlin(value)
    return local.date(), local.time().replace(second=0, microsecond=0)


def from_berlin_parts(day, time):
    """Date and time entered in Berlin -> aware UTC (None if no date)."""
    if day is None:
        return None
    return from_berlin(datetime.combine(day, time or datetime.min.time()))
