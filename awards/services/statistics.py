"""Statistics for the ministry's report: applications, formal check, winners and the
numbers the applicants gave, per competition, across years, prizes and regions.

Only staff read these figures, and only for the prizes they work on
(`permissions.staff_prize_codes`); a competition whose jury the actor sits on while its
anonymity holds is left out entirely (`permissions.hidden_competition_ids`), since counts by
district could point to an application. Every figure comes from a handful of GROUP BY
queries over the editions in scope, whatever their number (no query per edition or row).

Counted are submitted applications (also those reopened for a correction), never drafts or
withdrawn ones. Winners are decisions that were not revoked. The application form asks for
the number of volunteers (Ehrenamtliche) and of paid staff (Hauptamtliche), and, optionally,
for an estimate of the people a project reaches (erreichte Menschen). Sums and medians count
only the applications that gave a number; applications from before the form asked for the
people reached have none, so their sum is "no answer" (None), not 0, and the report says how
many applications answered.
"""
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from openpyxl import Workbook
from sqlalchemy import func, select

from awards import permissions
from awards.content_language import localized_label
from awards.i18n import _l, text
from awards.enums import (ApplicantType, ApplicationStatus, FormalCheck, Region, SubmissionKind,
                          prize_name)
from awards.extensions import db
from awards.models.applications import Application
from awards.models.competitions import Competition, PrizeCategory
from awards.models.decisions import Decision
from awards.models.reference import District, district_label
from awards.services.exports import _safe as neutralise

COUNTED_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED)
UNKNOWN = _l("ohne Angabe")


def _(message, **variables):
    """The message translated now, as plain text (for the cells of the XLSX)."""
    return text(_l(message, **variables))


@dataclass
class Edition:
    """One competition's figures (a row of the table per edition)."""

    id: int
    prize_code: str
    year: int
    title: str
    title_en: str = ""  # the English title staff entered, if any (English pages show it)
    applications: int = 0
    admissible: int = 0
    inadmissible: int = 0
    unchecked: int = 0  # not yet checked, or documents requested (Nachforderung)
    nominations: int = 0
    winners: int = 0
    volunteers_sum: int = 0
    volunteers_median: float | None = None
    staff_sum: int = 0
    staff_median: float | None = None
    people_reached_sum: int | None = None  # None: no application gave the number
    people_reached_median: float | None = None
    people_reached_answers: int = 0  # applications that gave the number


@dataclass
class YearTotal:
    year: int
    applications: int = 0
    admissible: int = 0
    winners: int = 0
    volunteers_sum: int = 0
    people_reached_sum: int | None = None


@dataclass
class Breakdown:
    """Counts by one feature, as (label, count) pairs in display order."""

    key: str
    title: str
    short: str  # a sheet name of the XLSX (at most 31 characters)
    rows: list = field(default_factory=list)

    @property
    def total(self):
        return sum(count for _label, count in self.rows)

    @property
    def maximum(self):
        return max((count for _label, count in self.rows), default=0)


@dataclass
class Report:
    year: int | None
    prize_code: str | None
    editions: list  # [Edition] of the selection
    trend: list  # [YearTotal] of every year in scope (the year filter does not apply)
    breakdowns: dict  # key -> Breakdown
    volunteers_median: float | None = None
    staff_median: float | None = None
    people_reached_median: float | None = None

    def total(self, name):
        """The sum over the selected editions; None when every edition has None (no answer)."""
        values = [getattr(e, name) for e in self.editions]
        if values and all(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)

    @property
    def regions_with_applications(self):
        return sum(1 for label, count in self.breakdowns["region"].rows
                   if count and label != UNKNOWN)


def _visible(actor):
    """Conditions on Competition: the prizes the actor works on, without the competitions
    whose anonymous jury the actor sits on (worked out once per report)."""
    conditions = []
    codes = permissions.staff_prize_codes(actor)
    if codes is not None:
        conditions.append(Competition.prize_code.in_(sorted(codes) or [""]))
    hidden = permissions.hidden_competition_ids(actor)
    if hidden:
        conditions.append(Competition.id.not_in(sorted(hidden)))
    return conditions


def _scope_query(visible, prize_code=None, year=None):
    query = select(Competition.id, Competition.prize_code, Competition.year,
                   Competition.title, Competition.title_en).where(*visible)
    if prize_code is not None:
        query = query.where(Competition.prize_code == prize_code)
    if year is not None:
        query = query.where(Competition.year == year)
    return query


def _ids(scope):
    """The scope as a subquery of competition ids (no list of ids sent along)."""
    return scope.with_only_columns(Competition.id).order_by(None)


def filter_options(*, actor):
    """(years, [(prize code, title)]) the actor can choose from, newest year first."""
    rows = db.session.execute(
        _scope_query(_visible(actor)).order_by(Competition.year.desc())).all()
    years = sorted({r.year for r in rows}, reverse=True)
    codes = {r.prize_code for r in rows}
    state_first = sorted(codes, key=lambda code: (code != "BIP", code))
    return years, [(code, prize_name(code)) for code in state_first]


def _median(values):
    return float(median(values)) if values else None


def _add(total, value):
    """A sum that stays None (no answer) until a number comes."""
    if value is None:
        return total
    return value if total is None else total + value


def report(*, actor, year=None, prize_code=None):
    """The figures for the editions in the actor's scope, filtered by year and prize.
    The trend covers every year of the (prize-filtered) scope."""
    visible = _visible(actor)
    scope = _scope_query(visible, prize_code)
    editions = {r.id: Edition(r.id, r.prize_code, r.year, r.title, r.title_en or "")
                for r in db.session.execute(
        scope.order_by(Competition.year, Competition.prize_code))}
    in_scope = _ids(scope)
    counted = (Application.competition_id.in_(in_scope),
               Application.status.in_(COUNTED_STATUSES))

    rows = db.session.execute(
        select(Application.competition_id, Application.formal_check, Application.kind,
               func.count(Application.id),
               func.coalesce(func.sum(Application.volunteers_count), 0),
               func.coalesce(func.sum(Application.staff_count), 0),
               func.sum(Application.people_reached), func.count(Application.people_reached))
        .where(*counted)
        .group_by(Application.competition_id, Application.formal_check, Application.kind)).all()
    for cid, formal, kind, count, volunteers, staff, people, people_answers in rows:
        edition = editions[cid]
        edition.applications += count
        edition.volunteers_sum += int(volunteers)
        edition.staff_sum += int(staff)
        edition.people_reached_sum = _add(edition.people_reached_sum,
                                          None if people is None else int(people))
        edition.people_reached_answers += people_answers
        if FormalCheck(formal) == FormalCheck.ADMISSIBLE:
            edition.admissible += count
        elif FormalCheck(formal) == FormalCheck.INADMISSIBLE:
            edition.inadmissible += count
        else:
            edition.unchecked += count
        if SubmissionKind(kind) == SubmissionKind.NOMINATION:
            edition.nominations += count

    winners = db.session.execute(
        select(Decision.competition_id, PrizeCategory.label, PrizeCategory.label_en,
               func.min(PrizeCategory.rank), func.count(Decision.id))
        .join(PrizeCategory, PrizeCategory.id == Decision.category_id)
        .where(Decision.competition_id.in_(in_scope), Decision.revoked_at.is_(None))
        .group_by(Decision.competition_id, PrizeCategory.label, PrizeCategory.label_en)).all()
    for cid, _label, _label_en, _rank, count in winners:
        editions[cid].winners += count

    # The numbers the applicants gave: medians need the values themselves (one query).
    numbers = db.session.execute(
        select(Application.competition_id, Application.volunteers_count, Application.staff_count,
               Application.people_reached)
        .where(*counted)).all()
    volunteers_by = defaultdict(list)
    staff_by = defaultdict(list)
    people_by = defaultdict(list)
    for cid, volunteers, staff, people in numbers:
        if volunteers is not None:
            volunteers_by[cid].append(volunteers)
        if staff is not None:
            staff_by[cid].append(staff)
        if people is not None:
            people_by[cid].append(people)
    for cid, edition in editions.items():
        edition.volunteers_median = _median(volunteers_by[cid])
        edition.staff_median = _median(staff_by[cid])
        edition.people_reached_median = _median(people_by[cid])

    trend = {}
    for edition in editions.values():
        total = trend.setdefault(edition.year, YearTotal(edition.year))
        total.applications += edition.applications
        total.admissible += edition.admissible
        total.winners += edition.winners
        total.volunteers_sum += edition.volunteers_sum
        total.people_reached_sum = _add(total.people_reached_sum, edition.people_reached_sum)

    selected = [e for e in editions.values() if year is None or e.year == year]
    selected.sort(key=lambda e: (-e.year, e.prize_code != "BIP", e.prize_code))
    chosen = {e.id for e in selected}
    breakdowns = _breakdowns(_ids(_scope_query(visible, prize_code, year)), chosen, winners)
    return Report(
        year=year, prize_code=prize_code, editions=selected,
        trend=[trend[y] for y in sorted(trend)], breakdowns=breakdowns,
        volunteers_median=_median([v for cid in chosen for v in volunteers_by[cid]]),
        staff_median=_median([v for cid in chosen for v in staff_by[cid]]),
        people_reached_median=_median([v for cid in chosen for v in people_by[cid]]),
    )


def _breakdowns(in_selection, ids, winners):
    counted = (Application.competition_id.in_(in_selection),
               Application.status.in_(COUNTED_STATUSES))
    # The region the applicant gave, else the district's, else the regional prize's own.
    region = func.coalesce(Application.region, District.region, Competition.region)
    by_region = Counter(dict(db.session.execute(
        select(region, func.count(Application.id))
        .join(Competition, Competition.id == Application.competition_id)
        .outerjoin(District, District.id == Application.district_id)
        .where(*counted).group_by(region)).all()))
    by_district = db.session.execute(
        select(District.name, District.is_city, District.region, func.count(Application.id))
        .select_from(Application)
        .outerjoin(District, District.id == Application.district_id)
        .where(*counted).group_by(District.name, District.is_city, District.region)).all()
    by_type = Counter(dict(db.session.execute(
        select(Application.applicant_type, func.count(Application.id))
        .where(*counted).group_by(Application.applicant_type)).all()))
    by_kind = Counter(dict(db.session.execute(
        select(Application.kind, func.count(Application.id))
        .where(*counted).group_by(Application.kind)).all()))
    by_formal = Counter(dict(db.session.execute(
        select(Application.formal_check, func.count(Application.id))
        .where(*counted).group_by(Application.formal_check)).all()))

    def enum_rows(counter, enum, with_unknown=True):
        # The database hands back members or plain strings: compare by value.
        counter = Counter({None if k is None else enum(k): v for k, v in counter.items()})
        rows = [(member.label, counter.get(member, 0)) for member in enum]
        unknown = counter.get(None, 0)
        if with_unknown and unknown:
            rows.append((UNKNOWN, unknown))
        return rows

    districts = []
    unknown_district = 0
    for name, is_city, district_region, count in by_district:
        if name is None:
            unknown_district += count
            continue
        label = district_label(name, is_city)
        districts.append((label, count, Region(district_region).label))
    districts.sort(key=lambda row: (-row[1], str(row[0])))
    district_rows = [(f"{label}, {region_label}", count) for label, count, region_label in districts]
    if unknown_district:
        district_rows.append((UNKNOWN, unknown_district))

    # Categories of several competitions are counted together by their German label; the
    # row is named in English where every category counted in it has the same English label.
    categories = Counter()
    ranks = {}
    english = defaultdict(set)
    for cid, label, label_en, rank, count in winners:
        if cid in ids:
            categories[label] += count
            ranks[label] = min(rank, ranks.get(label, rank))
            english[label].add((label_en or "").strip())
    category_rows = [
        (localized_label(label, next(iter(english[label])) if len(english[label]) == 1 else ""),
         count)
        for label, count in sorted(categories.items(), key=lambda item: (ranks[item[0]], item[0]))]

    return {
        "region": Breakdown("region", _l("Bewerbungen nach Regierungsbezirk"),
                            _l("Regierungsbezirk"), enum_rows(by_region, Region)),
        "district": Breakdown("district",
                              _l("Bewerbungen nach Landkreis bzw. kreisfreier Stadt"),
                              _l("Landkreis oder Stadt"), district_rows),
        "applicant_type": Breakdown("applicant_type", _l("Bewerbungen nach Bewerbertyp"),
                                    _l("Bewerbertyp"), enum_rows(by_type, ApplicantType)),
        "kind": Breakdown("kind", _l("Eigenbewerbung oder Vorschlag durch Dritte"),
                          _l("Art der Einreichung"),
                          enum_rows(by_kind, SubmissionKind, with_unknown=False)),
        "formal": Breakdown("formal", _l("Ergebnis der formalen Prüfung"),
                            _l("Formale Prüfung"),
                            enum_rows(by_formal, FormalCheck, with_unknown=False)),
        "category": Breakdown("category", _l("Preisträger nach Preiskategorie"),
                              _l("Preiskategorie"), category_rows),
    }


def public_summary(*, competition):
    """(number of submitted applications, number of Regierungsbezirke they came from) for
    the public winners page of a published competition; counts only, never names. The
    caller shows it only once the winners are public."""
    region = func.coalesce(Application.region, District.region, Competition.region)
    count, regions = db.session.execute(
        select(func.count(Application.id), func.count(region.distinct()))
        .join(Competition, Competition.id == Application.competition_id)
        .outerjoin(District, District.id == Application.district_id)
        .where(Application.competition_id == competition.id,
               Application.status.in_(COUNTED_STATUSES))).one()
    return count, regions


# --- the spreadsheet ----------------------------------------------------------------------

def _number(value):
    """Medians (and sums) as numbers with at most one decimal; no answer stays empty."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else round(value, 1)


def edition_columns():
    return [_("Jahr"), _("Preis"), _("Wettbewerb"), _("Bewerbungen"), _("zulässig"),
            _("unzulässig"), _("noch offen"), _("Vorschläge durch Dritte"),
            _("Preisträger"), _("Ehrenamtliche (Summe)"), _("Ehrenamtliche (Median)"),
            _("Hauptamtliche (Summe)"), _("Hauptamtliche (Median)"),
            _("Erreichte Menschen (Summe)"), _("Erreichte Menschen (Median)"),
            _("Bewerbungen mit Angabe zu erreichten Menschen")]


def edition_row(edition):
    return [edition.year, edition.prize_code, edition.title, edition.applications,
            edition.admissible, edition.inadmissible, edition.unchecked, edition.nominations,
            edition.winners, edition.volunteers_sum, _number(edition.volunteers_median),
            edition.staff_sum, _number(edition.staff_median),
            _number(edition.people_reached_sum), _number(edition.people_reached_median),
            edition.people_reached_answers]


def trend_columns():
    return [_("Jahr"), _("Bewerbungen"), _("zulässig"), _("Preisträger"),
            _("Ehrenamtliche (Summe)"), _("Erreichte Menschen (Summe)")]


def trend_row(total):
    return [total.year, total.applications, total.admissible, total.winners,
            total.volunteers_sum, _number(total.people_reached_sum)]


def export_xlsx(result, *, selection):
    """The figures of `result` (a Report) as an XLSX, one sheet per table of the page;
    `selection` describes the filter ("Jahr 2025, alle Preise"). Returns bytes."""
    workbook = Workbook(write_only=True)

    def sheet(title, header, rows):
        worksheet = workbook.create_sheet(title[:31])
        worksheet.append([neutralise(v) for v in header])
        for row in rows:
            worksheet.append([neutralise(v) for v in row])

    sheet(_("Übersicht"), [_("Angabe"), _("Wert")], [
        [_("Auswahl"), selection],
        [_("Bewerbungen"), result.total("applications")],
        [_("zulässig"), result.total("admissible")],
        [_("unzulässig"), result.total("inadmissible")],
        [_("Vorschläge durch Dritte"), result.total("nominations")],
        [_("Preisträger"), result.total("winners")],
        [_("Ehrenamtliche (Summe)"), result.total("volunteers_sum")],
        [_("Ehrenamtliche (Median)"), _number(result.volunteers_median)],
        [_("Hauptamtliche (Summe)"), result.total("staff_sum")],
        [_("Hauptamtliche (Median)"), _number(result.staff_median)],
        [_("Erreichte Menschen (Summe)"), _number(result.total("people_reached_sum"))],
        [_("Erreichte Menschen (Median)"), _number(result.people_reached_median)],
        [_("Bewerbungen mit Angabe zu erreichten Menschen"),
         result.total("people_reached_answers")],
    ])
    sheet(_("Wettbewerbe"), edition_columns(), (edition_row(e) for e in result.editions))
    sheet(_("Entwicklung"), trend_columns(), (trend_row(t) for t in result.trend))
    for breakdown in result.breakdowns.values():
        sheet(str(breakdown.short), [breakdown.short, _("Anzahl")],
              ([label, count] for label, count in breakdown.rows))
    with tempfile.TemporaryFile() as tmp:
        workbook.save(tmp)
        tmp.seek(0)
        return tmp.read()
