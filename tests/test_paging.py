"""Paging of lists that grow: the helper, the macro and every paged page."""
import re
from datetime import timedelta

import pytest

from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.jury import RoundEntry
from awards.services.jury import release
from awards.views import paging
from tests import factories


# --------------------------------------------------------------------------- helper

def test_page_numbers_for_a_middle_page():
    page = paging.Page(items=list(range(10)), page=2, per_page=10, total=25)
    assert (page.pages, page.has_prev, page.has_next, page.first_number, page.last_number,
            page.offset) == (3, True, True, 11, 20, 10)


def test_page_of_an_empty_list_is_one_page():
    page = paging.Page(items=[], page=1, per_page=10, total=0)
    assert (page.pages, page.has_prev, page.has_next, page.first_number, page.last_number) == (
        1, False, False, 0, 0)


def test_paginate_list_clamps_a_page_past_the_end():
    page = paging.paginate_list(range(7), page=9, per_page=3)
    assert (page.page, page.items, page.total) == (3, [6], 7)


@pytest.mark.parametrize("raw,expected", [("", 1), ("2", 2), ("0", 1), ("-1", 1), ("x", 1),
                                          ("99999999", 1)])
def test_page_arg_reads_only_positive_numbers(app, raw, expected):
    with app.test_request_context(f"/?seite={raw}"):
        assert paging.page_arg() == expected


def test_paginate_pages_a_select_in_sql(app):
    from sqlalchemy import select

    comp = factories.competition(prize_code="OBB")
    round_ = factories.jury_round(competition=comp)
    for _ in range(5):
        factories.submitted_application(comp, admissible=True)
    from awards.services.jury import rounds

    rounds.populate_entries(actor=None, round_=round_)
    codes = sorted(e.code for e in round_.entries)
    query = select(RoundEntry).where(RoundEntry.round_id == round_.id).order_by(RoundEntry.code)
    with app.test_request_context("/?seite=2"):
        page = paging.paginate(query, per_page=2)
    assert ([e.code for e in page.items], page.page, page.pages, page.total) == (
        codes[2:4], 2, 3, 5)
    with app.test_request_context("/?seite=7"):
        last = paging.paginate(query, per_page=2)
    assert ([e.code for e in last.items], last.page) == (codes[4:], 3)


# --------------------------------------------------------------------------- pages

def _nav(html):
    match = re.search(r'<nav class="pager" aria-label="([^"]+)">(.*?)</nav>', html, re.S)
    return match and (match.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip())


@pytest.fixture
def small_pages(monkeypatch):
    from awards.views import jury, staffjury

    monkeypatch.setattr(jury, "ENTRIES_PER_PAGE", 2)
    monkeypatch.setattr(staffjury, "ENTRIES_PER_PAGE", 2)


@pytest.fixture
def round5(app):
    comp = factories.competition(prize_code="OBB")
    juror = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror], n=5)
    staff = factories.staff(prize_code="OBB")
    db.session.commit()
    return {"round": round_, "juror": juror, "staff": staff,
            "codes": sorted(e.code for e in round_.entries)}


def test_juror_round_page_is_paged(client, auth, small_pages, round5):
    auth.login(round5["juror"])
    url = f"/jury/runden/{round5['round'].id}"
    pages = [client.get(url + q).get_data(as_text=True) for q in ("", "?seite=2", "?seite=3")]
    shown = [[c for c in round5["codes"] if f">{c}</a>" in html] for html in pages]
    assert shown == [round5["codes"][0:2], round5["codes"][2:4], round5["codes"][4:]]
    assert _nav(pages[1]) == ("Seiten der Bewerbungsliste",
                              "Vorherige Seite Seite 2 von 3 Nächste Seite")
    assert f'href="/jury/runden/{round5["round"].id}?seite=3"' in pages[1]
    assert _nav(pages[2]) == ("Seiten der Bewerbungsliste", "Vorherige Seite Seite 3 von 3")


def test_juror_round_page_without_paging_has_no_nav(client, auth, round5):
    auth.login(round5["juror"])
    html = client.get(f"/jury/runden/{round5['round'].id}").get_data(as_text=True)
    assert (_nav(html), sum(f">{c}</a>" in html for c in round5["codes"])) == (None, 5)


@pytest.mark.parametrize("suffix,marker", [
    ("/anonymisierung", '">{code}</a>'),
    ("/leckpruefung", '">{code} · '),
    ("/zuteilung", 'scope="row">{code}</th>'),
    ("/fortschritt", 'scope="row">{code}</th>'),
])
def test_staff_round_lists_are_paged(client, auth, small_pages, round5, suffix, marker):
    auth.login(round5["staff"])
    url = f"/geschaeftsstelle/jury/runden/{round5['round'].id}{suffix}"
    pages = [client.get(url + q).get_data(as_text=True) for q in ("", "?seite=2", "?seite=3")]
    shown = [[c for c in round5["codes"] if marker.format(code=c) in html] for html in pages]
    assert shown == [round5["codes"][0:2], round5["codes"][2:4], round5["codes"][4:]]
    assert _nav(pages[0]) == ("Seiten", "Seite 1 von 3 Nächste Seite")
    assert f'href="{url}?seite=2"' in pages[0]


def test_staff_round_lists_are_refused_to_other_staff(client, auth, round5):
    other = factories.staff(prize_code="NDB")
    db.session.commit()
    auth.login(other)
    url = f"/geschaeftsstelle/jury/runden/{round5['round'].id}/fortschritt?seite=2"
    assert client.get(url).status_code == 403


def test_assignment_form_still_offers_every_entry(client, auth, small_pages, round5):
    auth.login(round5["staff"])
    html = client.get(f"/geschaeftsstelle/jury/runden/{round5['round'].id}/zuteilung").get_data(
        as_text=True)
    options = re.findall(r'<option value="\d+"[^>]*>([A-Z]-[0-9A-Z]{4})</option>', html)
    assert sorted(options) == round5["codes"]


def test_winners_overview_shows_a_bounded_window_of_page_links(client, monkeypatch):
    from awards.views import winners

    monkeypatch.setattr(winners, "PER_PAGE", 1)
    comp = factories.competition(status=CompetitionStatus.JURY, year=2023,
                                 categories=[("Preis", 1, 10000, 12)], budget_cents=120000)
    for i in range(12):
        factories.decide(factories.submitted_application(comp, consent_publish_text=True, project_title=f"Projekt {i:02d}"))
    release.release_decisions(actor=None, competition=comp)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    html = client.get("/preistraeger?seite=6").get_data(as_text=True)
    nav = re.search(r'<nav class="winners-pagination"[^>]*>(.*?)</nav>', html, re.S).group(1)
    labels = re.findall(r">(Seite \d+)<", nav)
    assert labels == ["Seite 1", "Seite 4", "Seite 5", "Seite 6", "Seite 7", "Seite 8", "Seite 12"]
