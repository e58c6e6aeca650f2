"""services/opendata.py: the public calls and statistics. A call is listed once it leaves
the draft state, with its phase as the public may know it; winners' figures and the
statistics appear only when the winners are public; small counts are withheld (with a
second cell where one could be worked out from the total); nothing names an applicant."""
import dataclasses
from datetime import timedelta

import pytest

from awards.enums import ApplicantType, ApplicationStatus, Region
from awards.models.base import utcnow
from awards.services import opendata
from awards.services.lifecycle import YearState
from tests import factories


def _cells(cells, dimension):
    return {c.key: (c.value, c.withheld) for c in cells if c.dimension == dimension}


def _personal(applications):
    return [v for a in applications for v in (a.org_name, a.contact_name, a.email, a.phone,
                                               a.street, a.project_title)]


@pytest.fixture
def published(app):
    """A published state prize: two winners (Oberbayern) and eleven other submitted
    applications (4 Oberbayern, 2 Mittelfranken, 5 Schwaben, two of them Kommunen), plus a
    draft and a withdrawn application, which are not counted."""
    comp, winners, others = factories.released_competition(winners=2, others=0, year=2040,
                                                           motto="Sprache schafft Heimat")
    others = [factories.submitted_application(comp, region=region, **kw)
              for region, kw in ([(Region.OBB, {})] * 4 + [(Region.MFR, {})] * 2
                                 + [(Region.SCHW, {})] * 3
                                 + [(Region.SCHW, {"applicant_type": ApplicantType.KOMMUNE})] * 2)]
    others.append(factories.application(competition=comp, region=Region.OPF))
    others.append(factories.submitted_application(comp, region=Region.OPF,
                                                  status=ApplicationStatus.WITHDRAWN))
    factories.publish(comp)
    return comp, winners, others


# --- calls ----------------------------------------------------------------------------------

def test_a_call_is_listed_once_it_leaves_the_draft_state_with_its_phase(app):
    now = utcnow()
    draft = factories.competition_in(YearState.DRAFT, year=2041, prize_code="OBB")
    announced = factories.competition_in(YearState.ANNOUNCED, year=2041, prize_code="MFR")
    open_ = factories.competition_in(YearState.OPEN, year=2041, prize_code="SCHW")
    released = factories.competition_in(YearState.RELEASED, year=2041)
    calls, total = opendata.list_calls(now=now, year=2041)
    assert total == 3
    assert {c.prize_code: c.phase for c in calls} == {"MFR": "announced", "SCHW": "open",
                                                      "BIP": "decided"}
    assert opendata.get_call(now=now, call_id=draft.id) is None
    assert opendata.get_call(now=now, call_id=open_.id).phase == "open"
    assert opendata.get_call(now=now, call_id=announced.id).region_name == Region.MFR.label
    # That the decisions went out is not public before the publication: "decided".
    assert opendata.get_call(now=now, call_id=released.id).winners_public is False


def test_calls_filter_by_prize_and_phase_and_page(app):
    now = utcnow()
    for year in (2042, 2043, 2044):
        factories.competition_in(YearState.OPEN, year=year, prize_code="UFR")
    factories.competition_in(YearState.CLOSED, year=2045, prize_code="UFR")
    factories.competition_in(YearState.OPEN, year=2042, prize_code="OFR")
    calls, total = opendata.list_calls(now=now, prize_code="UFR", phase_filter="open",
                                       page=2, per_page=2)
    assert total == 3
    assert [c.year for c in calls] == [2042]  # newest first, so the oldest is on page 2
    calls, total = opendata.list_calls(now=now, prize_code="UFR", phase_filter="closed")
    assert (total, [c.year for c in calls]) == (1, [2045])


def test_a_call_shows_what_its_public_page_shows(app):
    comp = factories.competition_in(YearState.OPEN, year=2046, prize_code="NDB",
                                    motto="Integration vor Ort", budget_cents=600000,
                                    categories=[("Preis", 1, 150000, 4)])
    call = opendata.get_call(now=utcnow(), call_id=comp.id)
    assert (call.title, call.year, call.level, call.region_code, call.motto,
            call.budget_cents) == (comp.title, 2046, "regional", "NDB", "Integration vor Ort",
                                   600000)
    assert call.categories == [opendata.PublicCategory("Preis", 1, 150000, 4)]
    assert (call.winners_public, call.awarded_cents, call.winners_count) == (False, None, None)


def test_winners_figures_appear_only_once_the_winners_are_public(app):
    comp, winners, _others = factories.released_competition(winners=2, others=1, year=2047)
    call = opendata.get_call(now=utcnow(), call_id=comp.id)
    assert (call.winners_public, call.awarded_cents, call.winners_count) == (False, None, None)
    factories.publish(comp)
    call = opendata.get_call(now=utcnow() + timedelta(seconds=1), call_id=comp.id)
    assert (call.phase, call.winners_public, call.awarded_cents, call.winners_count) == (
        "published", True, 700000, 2)


def test_calls_carry_no_data_of_any_applicant(published):
    comp, winners, others = published
    (call,) = opendata.list_calls(now=utcnow(), year=2040)[0]
    flat = repr(dataclasses.asdict(call))
    for value in _personal(winners + others):
        assert value not in flat


# --- statistics -----------------------------------------------------------------------------

def test_statistics_count_submitted_applications_and_withhold_small_numbers(published):
    cells = opendata.statistics(now=utcnow(), year=2040)
    # 13 submitted; the draft and the withdrawn application do not count.
    assert _cells(cells, "total") == {"applications": (13, False)}
    regions = _cells(cells, "region")
    assert regions["OBB"] == (6, False)
    assert regions["MFR"] == (None, True)    # 2: fewer than MIN_COUNT
    assert regions["SCHW"] == (None, True)   # 5, withheld too: else 13 - 6 - 5 gives the 2
    assert regions["OPF"] == (0, False)      # nothing to hide in a zero
    types = _cells(cells, "applicant_type")
    assert types["kommune"] == (None, True)  # 2
    assert types["verein"] == (None, True)   # 11, the only other: 13 - 11 would give the 2
    assert types["person"] == (0, False)
    assert _cells(cells, "category") == {"1": (1, False), "2": (1, False)}


def test_statistics_only_for_editions_whose_winners_are_public(published):
    unpublished, _winners, _others = factories.released_competition(winners=1, year=2048)
    assert opendata.statistics(now=utcnow(), year=2048) == []
    assert {c.year for c in opendata.statistics(now=utcnow())} == {2040}
    # Before the publication instant, the published edition is not counted either.
    assert opendata.statistics(now=utcnow() - timedelta(days=1), year=2040) == []


def test_a_regional_edition_shows_its_own_region_even_without_applications(app):
    comp, winners, _others = factories.released_competition(winners=1, others=0,
                                                           prize_code="OFR", year=2049)
    winners[0].region = Region.MFR  # a project from elsewhere
    factories.publish(comp)
    regions = _cells(opendata.statistics(now=utcnow(), prize_code="OFR"), "region")
    assert regions == {"MFR": (None, True), "OFR": (0, False)}


def test_withholding_rules():
    def cells(*values):
        return [opendata.Cell(2040, "BIP", "region", str(i), str(i), v)
                for i, v in enumerate(values)]

    assert [c.value for c in opendata._withhold(cells(0, 5, 7))] == [0, 5, 7]
    assert [c.value for c in opendata._withhold(cells(4, 9, 6))] == [None, 9, None]
    assert [c.value for c in opendata._withhold(cells(1, 2, 8))] == [None, None, 8]
    assert [c.value for c in opendata._withhold(cells(3))] == [None]


def test_statistics_carry_no_data_of_any_applicant(published):
    comp, winners, others = published
    flat = repr([dataclasses.asdict(c) for c in opendata.statistics(now=utcnow())])
    for value in _personal(winners + others):
        assert value not in flat
