"""The statistics service against hand-built data: every figure counted by hand."""
import pytest

from awards.enums import (ApplicantType, ApplicationStatus, CompetitionStatus, FormalCheck,
                          Region, Role, SubmissionKind)
from awards.extensions import db
from awards.models.base import utcnow
from awards.services import accounts, statistics
from tests import factories


def _app(comp, status=ApplicationStatus.SUBMITTED, **kw):
    kw.setdefault("formal_check", FormalCheck.ADMISSIBLE)
    row = factories.submitted_application(comp, **kw)
    row.status = status  # reopened or withdrawn after it was submitted
    return row


@pytest.fixture
def scene(app):
    """BIP 2024 (four counted applications, a draft, a withdrawn one, one winner), BIP 2025
    (two counted, one winner and one revoked award), OBB 2025 (one counted). The people
    reached are optional: three of BIP 2024's four give them, one of BIP 2025's two, none in
    OBB 2025 (as in applications from before the form asked)."""
    bip24 = factories.competition(prize_code="BIP", year=2024, status=CompetitionStatus.JURY)
    bip25 = factories.competition(prize_code="BIP", year=2025, status=CompetitionStatus.JURY)
    obb25 = factories.competition(prize_code="OBB", year=2025, status=CompetitionStatus.JURY)
    rosenheim = factories.district("Rosenheim", is_city=False)
    nuernberg = factories.district("Nürnberg", is_city=True)
    winner24 = _app(bip24, region=Region.OBB, district_id=rosenheim.id,
                    applicant_type=ApplicantType.VEREIN, volunteers_count=10, staff_count=1,
                    people_reached=100)
    _app(bip24, region=Region.MFR, applicant_type=ApplicantType.SCHULE,
         kind=SubmissionKind.NOMINATION, formal_check=FormalCheck.INADMISSIBLE,
         volunteers_count=4, staff_count=None, district_id=None)
    _app(bip24, region=Region.OBB, district_id=rosenheim.id, applicant_type=ApplicantType.VEREIN,
         formal_check=FormalCheck.PENDING, volunteers_count=None, staff_count=2,
         people_reached=40)
    # Reopened for a correction: still counted; its region comes from the district.
    _app(bip24, status=ApplicationStatus.REOPENED, region=None, district_id=nuernberg.id,
         applicant_type=None, volunteers_count=7, staff_count=0, people_reached=250)
    factories.application(competition=bip24, volunteers_count=500, people_reached=10000)  # a draft
    _app(bip24, status=ApplicationStatus.WITHDRAWN, volunteers_count=900, people_reached=7000)
    winner25 = _app(bip25, region=Region.SCHW, applicant_type=ApplicantType.INITIATIVE,
                    kind=SubmissionKind.NOMINATION, volunteers_count=20, staff_count=3,
                    people_reached=60)
    revoked25 = _app(bip25, region=Region.SCHW, applicant_type=ApplicantType.VEREIN,
                     volunteers_count=5, staff_count=1)
    _app(obb25, region=Region.OBB, applicant_type=ApplicantType.KOMMUNE, volunteers_count=2,
         staff_count=4, formal_check=FormalCheck.REQUEST)
    factories.decide(winner24, category=bip24.categories[0])
    factories.decide(winner25, category=bip25.categories[1])
    factories.decide(revoked25, category=bip25.categories[2]).revoked_at = utcnow()
    db.session.flush()
    return dict(bip24=bip24, bip25=bip25, obb25=obb25)


def _edition(result, comp):
    return next(e for e in result.editions if e.id == comp.id)


def test_report_counts_every_figure_of_each_edition(scene):
    result = statistics.report(actor=factories.staff())
    bip24 = _edition(result, scene["bip24"])
    assert (bip24.applications, bip24.admissible, bip24.inadmissible, bip24.unchecked,
            bip24.nominations, bip24.winners) == (4, 2, 1, 1, 1, 1)
    assert (bip24.volunteers_sum, bip24.volunteers_median) == (21, 7.0)
    assert (bip24.staff_sum, bip24.staff_median) == (3, 1.0)
    # 100, 40, 250: the nomination gave no number; the draft and the withdrawn one do not count.
    assert (bip24.people_reached_sum, bip24.people_reached_median,
            bip24.people_reached_answers) == (390, 100.0, 3)
    bip25 = _edition(result, scene["bip25"])
    assert (bip25.applications, bip25.nominations, bip25.winners) == (2, 1, 1)
    assert bip25.volunteers_median == 12.5
    assert (bip25.people_reached_sum, bip25.people_reached_median,
            bip25.people_reached_answers) == (60, 60.0, 1)
    obb25 = _edition(result, scene["obb25"])
    assert (obb25.applications, obb25.admissible, obb25.unchecked) == (1, 0, 1)
    # No application gave the number: no answer, not 0.
    assert (obb25.people_reached_sum, obb25.people_reached_median,
            obb25.people_reached_answers) == (None, None, 0)
    assert [(e.year, e.prize_code) for e in result.editions] == [
        (2025, "BIP"), (2025, "OBB"), (2024, "BIP")]


def test_report_breaks_down_the_selection(scene):
    result = statistics.report(actor=factories.staff(), year=2024)
    assert [e.id for e in result.editions] == [scene["bip24"].id]
    rows = {k: dict((str(label), n) for label, n in b.rows) for k, b in result.breakdowns.items()}
    assert rows["region"] == {"Oberbayern": 2, "Niederbayern": 0, "Oberpfalz": 0,
                              "Oberfranken": 0, "Mittelfranken": 2, "Unterfranken": 0,
                              "Schwaben": 0}
    assert rows["district"] == {"Landkreis Rosenheim, Oberbayern": 2,
                                "Nürnberg (kreisfreie Stadt), Mittelfranken": 1,
                                "ohne Angabe": 1}
    assert rows["applicant_type"]["Verein"] == 2
    assert rows["applicant_type"]["Schule/Kita"] == 1
    assert rows["applicant_type"]["ohne Angabe"] == 1
    assert sum(rows["applicant_type"].values()) == 4
    assert rows["kind"] == {"Eigenbewerbung": 3, "Vorschlag durch Dritte": 1}
    assert rows["formal"] == {"Noch nicht geprüft": 1, "Zulässig": 2, "Unzulässig": 1,
                              "Nachforderung": 0}
    assert rows["category"] == {"1. Preis": 1}
    assert result.regions_with_applications == 2
    assert (result.volunteers_median, result.staff_median) == (7.0, 1.0)
    assert (result.total("people_reached_sum"), result.people_reached_median,
            result.total("people_reached_answers")) == (390, 100.0, 3)


def test_people_reached_in_total_over_the_selection(scene):
    result = statistics.report(actor=factories.staff())
    # 100, 40, 250 (BIP 2024) and 60 (BIP 2025); OBB 2025 has no answer and adds nothing.
    assert (result.total("people_reached_sum"), result.people_reached_median,
            result.total("people_reached_answers")) == (450, 80.0, 4)
    only_obb = statistics.report(actor=factories.staff(), year=2025, prize_code="OBB")
    assert (only_obb.total("people_reached_sum"), only_obb.people_reached_median,
            only_obb.total("people_reached_answers")) == (None, None, 0)
    assert [(t.year, t.people_reached_sum) for t in only_obb.trend] == [(2025, None)]


def test_trend_covers_every_year_whatever_the_year_filter(scene):
    result = statistics.report(actor=factories.staff(), year=2025, prize_code="BIP")
    assert [(t.year, t.applications, t.admissible, t.winners, t.volunteers_sum,
             t.people_reached_sum) for t in result.trend] == [
        (2024, 4, 2, 1, 21, 390), (2025, 2, 2, 1, 25, 60)]
    everything = statistics.report(actor=factories.staff())
    # 2025: BIP's 60 plus OBB's no answer.
    assert [(t.year, t.people_reached_sum) for t in everything.trend] == [(2024, 390), (2025, 60)]
    assert [e.id for e in result.editions] == [scene["bip25"].id]
    assert dict((str(k), n) for k, n in result.breakdowns["category"].rows) == {"2. Preis": 1}


def test_district_staff_see_only_their_own_prize(scene):
    obb = factories.staff(prize_code="OBB")
    result = statistics.report(actor=obb)
    assert [e.id for e in result.editions] == [scene["obb25"].id]
    assert [(t.year, t.applications) for t in result.trend] == [(2025, 1)]
    # Naming another prize in the filter gives nothing, not that prize's figures.
    assert statistics.report(actor=obb, prize_code="BIP").editions == []
    years, prizes = statistics.filter_options(actor=obb)
    assert (years, [(code, str(name)) for code, name in prizes]) == (
        [2025], [("OBB", "Integrationspreis der Regierung von Oberbayern")])


def test_a_staff_member_on_an_anonymous_jury_does_not_count_its_competition(scene):
    staff = factories.staff()
    comp = scene["bip25"]
    accounts.assign_role(actor=None, user=staff, role=Role.JUROR, competition=comp)
    factories.jury_round(competition=comp)  # anonymised, names not revealed
    db.session.flush()
    result = statistics.report(actor=staff)
    assert comp.id not in {e.id for e in result.editions}
    assert {e.id for e in result.editions} == {scene["bip24"].id, scene["obb25"].id}


def test_public_summary_counts_applications_and_regions(scene):
    assert statistics.public_summary(competition=scene["bip24"]) == (4, 2)
    assert statistics.public_summary(competition=scene["obb25"]) == (1, 1)

