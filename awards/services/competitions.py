"""Competitions: create, edit, move through the status path, categories, criteria, copy."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from awards.enums import COMPETITION_TRANSITIONS, CompetitionStatus, Level, Region
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.competitions import Competition, Criterion, PrizeCategory
from awards.services import audit
from awards.timeutil import from_berlin, to_berlin

EDITABLE_FIELDS = (
    "title", "motto", "description", "eligibility", "preparation", "contact", "opens_at",
    "deadline_at", "ceremony_at", "ceremony_place", "budget_cents", "allocation_mode",
)
CATEGORY_FIELDS = ("label", "rank", "amount_cents", "count")
CRITERION_FIELDS = ("name", "description", "weight", "scale_min", "scale_max", "anchors")
# Criteria are fixed once the jury starts; prize categories once the jury has decided.
CRITERIA_EDITABLE = (CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED)
CATEGORIES_EDITABLE = CRITERIA_EDITABLE + (CompetitionStatus.JURY,)


class CompetitionError(Exception):
    """A change that is not allowed; the message is for the user."""


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
    return _apply_changes(actor=actor, obj=competition, fields=EDITABLE_FIELDS, values=values,
                          action="competition.update")


def allowed_transitions(competition):
    return COMPETITION_TRANSITIONS[competition.status]


def change_status(*, actor, competition, status):
    status = CompetitionStatus(status)
    if status not in allowed_transitions(competition):
        raise CompetitionError(_l("Dieser Statuswechsel ist nicht möglich."))
    if status == CompetitionStatus.OPEN and (competition.deadline_at is None
                                             or not competition.categories
                                             or not competition.criteria):
        raise CompetitionError(_l("Bevor die Ausschreibung öffnet, braucht der Wettbewerb einen "
                                  "Bewerbungsschluss, mindestens einen Preis und ein Kriterium."))
    old = competition.status
    competition.status = status
    if status == CompetitionStatus.ARCHIVED:
        competition.archived_at = utcnow()
    db.session.flush()
    audit.record(actor=actor, action="competition.status", obj=competition,
                 old={"status": old.value}, new={"status": status.value})
    return competition


def _check_editable(competition, statuses, what):
    if competition.status not in statuses:
        raise CompetitionError(_l("%(what)s können in diesem Stand (%(status)s) nicht mehr "
                                  "geändert werden.", what=what, status=competition.status.label))


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
    _check_editable(competition, CATEGORIES_EDITABLE, _l("Preise"))
    category = PrizeCategory(competition=competition, **values)
    db.session.add(category)
    db.session.flush()
    audit.record(actor=actor, action="competition.category_add", obj=category, new=values)
    return category


def update_category(*, actor, category, values):
    _check_editable(category.competition, CATEGORIES_EDITABLE, _l("Preise"))
    return _apply_changes(actor=actor, obj=category, fields=CATEGORY_FIELDS, values=values,
                          action="competition.category_update")


def delete_category(*, actor, category):
    _check_editable(category.competition, CATEGORIES_EDITABLE, _l("Preise"))
    audit.record(actor=actor, action="competition.category_delete", obj=category,
                 old={f: getattr(category, f) for f in CATEGORY_FIELDS})
    category.competition.categories.remove(category)
    db.session.flush()


def add_criterion(*, actor, competition, values):
    _check_editable(competition, CRITERIA_EDITABLE, _l("Kriterien"))
    position = max((c.position for c in competition.criteria), default=-1) + 1
    criterion = Criterion(competition=competition, position=position, **values)
    db.session.add(criterion)
    db.session.flush()
    audit.record(actor=actor, action="competition.criterion_add", obj=criterion, new=values)
    return criterion


def update_criterion(*, actor, criterion, values):
    _check_editable(criterion.competition, CRITERIA_EDITABLE, _l("Kriterien"))
    return _apply_changes(actor=actor, obj=criterion, fields=CRITERION_FIELDS, values=values,
                          action="competition.criterion_update")


def delete_criterion(*, actor, criterion):
    _check_editable(criterion.competition, CRITERIA_EDITABLE, _l("Kriterien"))
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
    )
    for c in competition.categories:
        copy.categories.append(PrizeCategory(label=c.label, rank=c.rank,
                                             amount_cents=c.amount_cents, count=c.count))
    for c in competition.criteria:
        copy.criteria.append(Criterion(position=c.position, name=c.name,
                                       description=c.description, weight=c.weight,
                                       scale_min=c.scale_min, scale_max=c.scale_max,
                                       anchors=dict(c.anchors or {})))
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
