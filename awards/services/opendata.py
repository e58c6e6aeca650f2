"""Open data beyond the winners: the calls and the public statistics.

Everything here is public by nature and carries no personal data:
- a call (Ausschreibung) is public once it leaves the draft state; what it shows is what
  its public page shows (dates, motto, prize money, categories, its phase);
- the statistics count submitted applications and winners of editions whose winners are
  public. Counts from 1 to MIN_COUNT - 1 are withheld (a small number, say the only
  application of a Kommune from one Regierungsbezirk, could point to a person), and where
  withholding one cell of a breakdown would let it be worked out from the total, the next
  smallest cell is withheld too.

The winners themselves come from awards.services.publication (embargo and consents).
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select

from awards.enums import ApplicantType, ApplicationStatus, Region
from awards.extensions import db
from awards.models.applications import Application
from awards.models.competitions import Competition
from awards.models.decisions import Decision
from awards.services import lifecycle, publication

# Smallest count that is published as a number.
MIN_COUNT = 5

# The phases a call shows to the public, in their order through the year.
PHASES = ("announced", "open", "closed", "jury", "decided", "published", "archived")

COUNTED_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED)


@dataclass
class PublicCategory:
    label: str
    rank: int
    amount_cents: int
    count: int


@dataclass
class PublicCall:
    id: int
    prize_code: str
    title: str
    year: int
    level: str
    region_code: str | None
    region_name: str | None
    motto: str
    description: str
    eligibility: str
    opens_at: datetime | None
    deadline_at: datetime | None
    ceremony_at: datetime | None
    ceremony_place: str
    budget_cents: int
    categories: list = field(default_factory=list)
    phase: str = "open"
    winners_public: bool = False
    awarded_cents: int | None = None
    winners_count: int | None = None


# The year's states (awards.services.lifecycle) as the public may know them: that the
# decisions were released (mails sent) is not public before the publication instant.
_PUBLIC_PHASE = {
    lifecycle.YearState.ANNOUNCED: "announced", lifecycle.YearState.OPEN: "open",
    lifecycle.YearState.CLOSED: "closed", lifecycle.YearState.JURY: "jury",
    lifecycle.YearState.DECIDED: "decided", lifecycle.YearState.RELEASED: "decided",
    lifecycle.YearState.PUBLISHED: "published", lifecycle.YearState.ARCHIVED: "archived",
}


def phase_of(state):
    return _PUBLIC_PHASE[state]


def _visible_calls_query():
    return select(Competition).where(lifecycle.stage_may_be(lifecycle.PUBLIC_STATES))


def _public_ids(now):
    return set(db.session.scalars(
        publication.public_competitions_query(now).with_only_columns(Competition.id)
        .order_by(None)))


def _awarded(now, competition_ids):
    """{competition id: (number of public winners, their prize money)}."""
    if not competition_ids:
        return {}
    rows = db.session.execute(
        publication.public_decisions_query(now)
        .with_only_columns(Decision.competition_id, func.count(Decision.id),
                           func.coalesce(func.sum(Decision.amount_cents), 0))
        .where(Decision.competition_id.in_(competition_ids))
        .group_by(Decision.competition_id).order_by(None)
    ).all()
    return {cid: (count, int(total)) for cid, count, total in rows}


def _call(competition, now, public_ids, awarded, state):
    public = competition.id in public_ids
    count, total = awarded.get(competition.id, (0, 0))
    region = competition.region
    return PublicCall(
        id=competition.id,
        prize_code=competition.prize_code,
        title=competition.title,
        year=competition.year,
        level=competition.level.value,
        region_code=region.value if region else None,
        region_name=Region(region).label if region else None,
        motto=competition.motto or "",
        description=competition.description or "",
        eligibility=competition.eligibility or "",
        opens_at=competition.opens_at,
        deadline_at=competition.deadline_at,
        ceremony_at=competition.ceremony_at,
        ceremony_place=competition.ceremony_place or "",
        budget_cents=competition.budget_cents or 0,
        categories=[PublicCategory(c.label, c.rank, c.amount_cents, c.count)
                    for c in competition.categories],
        phase=phase_of(state),
        winners_public=public,
        awarded_cents=total if public else None,
        winners_count=count if public else None,
    )


def _filtered(query, *, year=None, prize_code=None):
    if year is not None:
        query = query.where(Competition.year == year)
    if prize_code is not None:
        query = query.where(Competition.prize_code == prize_code)
    return query


def list_calls(*, now, year=None, prize_code=None, phase_filter=None, page=1, per_page=50):
    """(calls on this page, total count). The phase depends on the clock, so a phase
    filter is applied after the query (there are a few dozen calls a year)."""
    query = _filtered(_visible_calls_query(), year=year, prize_code=prize_code).order_by(
        Competition.year.desc(), Competition.level.desc(), Competition.prize_code)
    competitions = db.session.scalars(query).all()
    public_ids = _public_ids(now)
    awarded = _awarded(now, [c.id for c in competitions if c.id in public_ids])
    states = lifecycle.states_of(competitions, now)
    calls = [_call(c, now, public_ids, awarded, states[c.id]) for c in competitions]
    if phase_filter is not None:
        calls = [c for c in calls if c.phase == phase_filter]
    start = (page - 1) * per_page
    return calls[start:start + per_page], len(calls)


def get_call(*, now, call_id):
    competition = db.session.scalars(
        _visible_calls_query().where(Competition.id == call_id)).first()
    if competition is None:
        return None
    public_ids = _public_ids(now)
    awarded = _awarded(now, [competition.id] if competition.id in public_ids else [])
    return _call(competition, now, public_ids, awarded, lifecycle.state_of(competition, now))


# --- statistics ---------------------------------------------------------------------------

@dataclass
class Cell:
    """One published figure: `value` is None when the count is withheld."""

    year: int
    prize_code: str
    dimension: str  # "total", "region", "applicant_type", "category"
    key: str
    label: str
    value: int | None
    withheld: bool = False


def _withhold(cells):
    """Primary suppression of small counts, then secondary suppression within the group."""
    for cell in cells:
        if 0 < cell.value < MIN_COUNT:
            cell.value, cell.withheld = None, True
    withheld = [c for c in cells if c.withheld]
    if len(withheld) == 1:
        shown = sorted((c for c in cells if not c.withheld and c.value), key=lambda c: c.value)
        if shown:
            shown[0].value, shown[0].withheld = None, True
    return cells


def _region_expr():
    return func.coalesce(Application.region, Competition.region)


def statistics(*, now, year=None, prize_code=None):
    """[Cell] for every edition whose winners are public at `now`, ordered for display:
    applications in total, by Regierungsbezirk and by applicant type, and winners by prize
    category (winners are public anyway; their counts are never withheld)."""
    public_query = _filtered(publication.public_competitions_query(now), year=year,
                             prize_code=prize_code)
    editions = db.session.execute(
        public_query.with_only_columns(Competition.id, Competition.year, Competition.prize_code)
        .order_by(Competition.year.desc(), Competition.level.desc(), Competition.prize_code)
    ).all()
    if not editions:
        return []
    ids = [e.id for e in editions]
    counted = and_(Application.competition_id.in_(ids), Application.status.in_(COUNTED_STATUSES))
    totals = dict(db.session.execute(
        select(Application.competition_id, func.count(Application.id)).where(counted)
        .group_by(Application.competition_id)).all())
    by_region = db.session.execute(
        select(Application.competition_id, _region_expr(), func.count(Application.id))
        .join(Competition, Competition.id == Application.competition_id)
        .where(counted).group_by(Application.competition_id, _region_expr())).all()
    by_type = db.session.execute(
        select(Application.competition_id, Application.applicant_type, func.count(Application.id))
        .where(counted).group_by(Application.competition_id, Application.applicant_type)).all()
    by_category = db.session.execute(
        publication.public_decisions_query(now)
        .with_only_columns(Decision.competition_id, publication.PrizeCategory.label,
                           publication.PrizeCategory.rank, func.count(Decision.id))
        .where(Decision.competition_id.in_(ids))
        .group_by(Decision.competition_id, publication.PrizeCategory.label,
                  publication.PrizeCategory.rank)
        .order_by(None)).all()

    cells = []
    for edition in editions:
        def cell(dimension, key, label, value):
            return Cell(edition.year, edition.prize_code, dimension, key, label, value)

        total = [cell("total", "applications", "Bewerbungen", totals.get(edition.id, 0))]
        cells += _withhold(total)
        regions = {r: 0 for r in Region}
        for cid, region, count in by_region:
            if cid == edition.id and region is not None:
                regions[Region(region)] += count
        cells += _withhold([cell("region", r.value, r.label, n) for r, n in regions.items()
                            if n or r.value == edition.prize_code or edition.prize_code == "BIP"])
        types = {}
        for cid, applicant_type, count in by_type:
            if cid == edition.id and applicant_type is not None:
                types[ApplicantType(applicant_type)] = count
        cells += _withhold([cell("applicant_type", t.value, str(t.label), types.get(t, 0))
                            for t in ApplicantType])
        categories = sorted((rank, label, count) for cid, label, rank, count in by_category
                            if cid == edition.id)
        cells += [cell("category", str(rank), label, count) for rank, label, count in categories]
    return cells
