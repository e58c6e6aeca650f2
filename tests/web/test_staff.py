"""Staff competition pages: create, edit (Berlin -> UTC), status, categories, criteria, copy."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from awards.enums import AllocationMode, CompetitionStatus, Level, Region
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.competitions import Competition, Criterion, PrizeCategory
from awards.services import competitions as service
from awards.timeutil import utc
from tests import factories
from tests.posted_fields import field_names, form_fields

FORM = {
    "prize_code": "OBB", "year": "2031", "title": "Integrationspreis der Regierung von Oberbayern",
    "motto": "Integration vor Ort", "description": "Beschreibung", "eligibility": "Alle",
    "preparation": "Projektbeschreibung", "contact": "Regierung von Oberbayern",
    "opens_date": "2031-03-01", "opens_time": "09:00",
    # 30 March 2031 is after the change to summer time (CEST, UTC+2) on 30 March 2031, 02:00.
    "deadline_date": "2031-03-31", "deadline_time": "23:59",
    "ceremony_date": "2031-10-20", "ceremony_time": "18:00", "ceremony_place": "München",
    "budget": "6.000", "allocation_mode": "free",
}


def actions():
    return [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


@pytest.fixture
def staff_obb(auth):
    user = factories.staff(prize_code="OBB", email="obb@example.org")
    db.session.commit()
    auth.login(user)
    return user


def test_create_competition_converts_berlin_times_to_utc_across_dst(client, staff_obb):
    response = client.post("/geschaeftsstelle/wettbewerbe/neu", data=FORM)
    assert response.status_code == 302
    comp = db.session.scalars(select(Competition)).one()
    assert response.headers["Location"] == f"/geschaeftsstelle/wettbewerbe/{comp.id}"
    assert (comp.prize_code, comp.year, comp.level, comp.region, comp.status) == (
        "OBB", 2031, Level.REGIONAL, Region.OBB, CompetitionStatus.DRAFT)
    assert comp.opens_at == datetime(2031, 3, 1, 8, 0, tzinfo=timezone.utc)  # CET, UTC+1
    assert comp.deadline_at == datetime(2031, 3, 31, 21, 59, tzinfo=timezone.utc)  # CEST, UTC+2
    assert comp.ceremony_at == datetime(2031, 10, 20, 16, 0, tzinfo=timezone.utc)
    assert (comp.budget_cents, comp.allocation_mode) == (600000, AllocationMode.FREE)
    assert actions()[-1] == "competition.create"


def test_edit_form_shows_berlin_times(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT,
                                 deadline_at=utc(2031, 3, 31, 21, 59), opens_at=utc(2031, 3, 1, 8))
    db.session.commit()
    html = client.get(f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten").get_data(as_text=True)
    assert 'value="2031-03-31"' in html
    assert 'value="23:59"' in html
    assert 'value="09:00"' in html


def test_edit_competition_saves_the_form_as_rendered(client, staff_obb):
    """Post exactly the fields the edit page shows (prize and year are not among them),
    with changes to motto, dates, deadline and budget: it saves."""
    comp = factories.competition(prize_code="OBB", year=2031, budget_cents=500000,
                                 status=CompetitionStatus.DRAFT,
                                 deadline_at=utc(2031, 3, 31, 21, 59), opens_at=utc(2031, 3, 1, 8))
    db.session.commit()
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten"
    html = client.get(url).get_data(as_text=True)
    data = form_fields(html, containing="title")
    names = field_names(html, containing="title")
    assert "year" not in names and "prize_code" not in names
    assert (data["motto"], data["deadline_date"], data["budget"]) == ("Testmotto", "2031-03-31", "5.000")
    data.update(title="Neuer Titel", motto="Integration vor Ort", budget="5.500,50",
                deadline_date="2031-04-15", deadline_time="12:00", ceremony_date="2031-10-20",
                ceremony_time="18:00")
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.refresh(comp)
    assert (comp.title, comp.motto, comp.budget_cents, comp.year, comp.prize_code) == (
        "Neuer Titel", "Integration vor Ort", 550050, 2031, "OBB")
    assert comp.deadline_at == utc(2031, 4, 15, 10, 0)  # CEST
    assert comp.ceremony_at == utc(2031, 10, 20, 16, 0)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "competition.update")).one()
    assert entry.old["budget_cents"] == 500000
    assert entry.new["budget_cents"] == 550050


def test_edit_competition_bad_input_keeps_what_was_typed(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT)
    db.session.commit()
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten"
    data = form_fields(client.get(url).get_data(as_text=True), containing="title")
    data.update(motto="Neues Motto", budget="viel")
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte geben Sie einen Betrag in Euro an" in html
    assert 'value="Neues Motto"' in html and 'value="viel"' in html
    db.session.refresh(comp)
    assert comp.motto == "Testmotto"


def test_edit_competition_is_refused_after_the_release(client, staff_obb):
    comp, _winners, _others = factories.released_competition(prize_code="OBB")
    db.session.commit()
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten"
    html = client.get(url).get_data(as_text=True)
    assert "können Eckdaten und Texte nicht mehr geändert werden" in html
    assert "<form method=\"post\" novalidate" not in html
    response = client.post(url, data={"title": "Anders", "budget": "1"})
    assert response.status_code == 409
    db.session.refresh(comp)
    assert comp.title == "Testpreis OBB"


def test_create_competition_with_bad_money_keeps_input(client, staff_obb):
    response = client.post("/geschaeftsstelle/wettbewerbe/neu", data=dict(FORM, budget="viel"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bitte geben Sie einen Betrag in Euro an" in html
    assert 'value="viel"' in html
    assert 'value="Integration vor Ort"' in html
    assert db.session.scalars(select(Competition)).all() == []


def test_create_competition_twice_for_same_year_is_refused(client, staff_obb):
    factories.competition(prize_code="OBB", year=2031)
    db.session.commit()
    response = client.post("/geschaeftsstelle/wettbewerbe/neu", data=FORM)
    assert response.status_code == 200
    assert "Für diesen Preis gibt es im Jahr 2031 schon einen Wettbewerb." in response.get_data(as_text=True)


def test_regional_staff_cannot_create_other_prize(client, staff_obb):
    response = client.post("/geschaeftsstelle/wettbewerbe/neu", data=dict(FORM, prize_code="BIP"))
    assert response.status_code == 200  # not a choice for them: a field error
    assert "Preis: Keine gültige Auswahl." in response.get_data(as_text=True)
    assert db.session.scalars(select(Competition)).all() == []


def test_status_follows_transitions(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT)
    db.session.commit()
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/status"
    response = client.post(url, data={"status": "jury"}, follow_redirects=True)
    assert "Dieser Statuswechsel ist nicht möglich." in response.get_data(as_text=True)
    db.session.refresh(comp)
    assert comp.status == CompetitionStatus.DRAFT
    client.post(url, data={"status": "open"})
    db.session.refresh(comp)
    assert comp.status == CompetitionStatus.OPEN
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "competition.status")).one()
    assert (entry.old, entry.new) == ({"status": "draft", "state": "draft"},
                                      {"status": "open", "action": "announce", "state": "open"})


def test_open_requires_deadline_categories_and_criteria(app, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT,
                                 categories=[], criteria=[])
    comp.categories.clear()
    comp.criteria.clear()
    db.session.flush()
    with pytest.raises(service.CompetitionError):
        service.change_status(actor=staff_obb, competition=comp, status=CompetitionStatus.OPEN)


def test_category_add_edit_delete(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, categories=[("1. Preis", 1, 300000, 1)])
    db.session.commit()
    base = f"/geschaeftsstelle/wettbewerbe/{comp.id}/preise"
    response = client.post(f"{base}/neu", data={"label": "3. Preis", "rank": "3", "amount": "2.000",
                                                 "count": "2"})
    assert response.status_code == 302
    added = db.session.scalars(select(PrizeCategory).where(PrizeCategory.label == "3. Preis")).one()
    assert (added.rank, added.amount_cents, added.count) == (3, 200000, 2)
    client.post(f"{base}/{added.id}", data={"label": "Sonderpreis", "rank": "4", "amount": "500",
                                            "count": "1"})
    db.session.refresh(added)
    assert (added.label, added.amount_cents) == ("Sonderpreis", 50000)
    client.post(f"{base}/{added.id}/loeschen")
    db.session.expire_all()
    assert [c.label for c in db.session.get(Competition, comp.id).categories] == ["1. Preis"]
    assert actions()[-3:] == ["competition.category_add", "competition.category_update",
                              "competition.category_delete"]
    html = client.get(f"/geschaeftsstelle/wettbewerbe/{comp.id}").get_data(as_text=True)
    assert "Summe aller Preise: 3.000 € von 9.000 € Preisgeld" in html


def test_category_of_other_competition_is_404(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031)
    other = factories.competition(prize_code="OBB", year=2032)
    db.session.commit()
    cat = other.categories[0]
    response = client.post(f"/geschaeftsstelle/wettbewerbe/{comp.id}/preise/{cat.id}/loeschen")
    assert response.status_code == 404


def test_criterion_add_with_anchors_and_validation(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT)
    db.session.commit()
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/kriterien/neu"
    bad = client.post(url, data={"name": "Wirksamkeit", "weight": "2", "scale_min": "0",
                                 "scale_max": "5", "anchors": "0: gar nicht\n9: voll"})
    assert "Ankertexte müssen zu Punktwerten innerhalb der Skala gehören." in bad.get_data(as_text=True)
    response = client.post(url, data={"name": "Wirksamkeit", "description": "Wirkt es?",
                                      "weight": "2", "scale_min": "0", "scale_max": "5",
                                      "anchors": "0: gar nicht\n5: voll und ganz"})
    assert response.status_code == 302
    crit = db.session.scalars(select(Criterion).where(Criterion.name == "Wirksamkeit")).one()
    assert (crit.weight, crit.scale_min, crit.scale_max, crit.anchors, crit.position) == (
        2, 0, 5, {"0": "gar nicht", "5": "voll und ganz"}, 2)


def test_criterion_scale_must_increase(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031)
    db.session.commit()
    response = client.post(f"/geschaeftsstelle/wettbewerbe/{comp.id}/kriterien/neu", data={
        "name": "X", "weight": "1", "scale_min": "5", "scale_max": "5"})
    assert "Das Ende der Skala muss größer sein als der Anfang." in response.get_data(as_text=True)


def test_criteria_are_fixed_once_jury_started(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.JURY)
    db.session.commit()
    crit = comp.criteria[0]
    response = client.post(f"/geschaeftsstelle/wettbewerbe/{comp.id}/kriterien/{crit.id}/loeschen",
                           follow_redirects=True)
    assert "Kriterien können in diesem Stand (In der Jury) nicht mehr geändert werden." in response.get_data(as_text=True)
    assert db.session.get(Criterion, crit.id) is not None


def test_copy_from_last_year_creates_next_edition(client, staff_obb):
    comp = factories.competition(
        prize_code="OBB", year=2031, status=CompetitionStatus.ARCHIVED, motto="Motto 2031",
        # 31 March 2031, 23:59 in Berlin (summer time) and 10 March 2031, 9:00 (winter time)
        deadline_at=utc(2031, 3, 31, 21, 59), opens_at=utc(2031, 3, 10, 8, 0),
        categories=[("1. Preis", 1, 300000, 1), ("3. Preis", 3, 100000, 2)])
    comp.eligibility = "Projekte aus Oberbayern"
    db.session.commit()
    response = client.post(f"/geschaeftsstelle/wettbewerbe/{comp.id}/kopieren")
    copy = db.session.scalars(select(Competition).where(Competition.year == 2032)).one()
    assert response.headers["Location"] == f"/geschaeftsstelle/wettbewerbe/{copy.id}"
    assert (copy.prize_code, copy.status, copy.motto, copy.eligibility, copy.copied_from_id) == (
        "OBB", CompetitionStatus.DRAFT, "Motto 2031", "Projekte aus Oberbayern", comp.id)
    # Same Berlin wall-clock time a year later: 31 March 2032 is summer time, 10 March winter.
    assert copy.deadline_at == utc(2032, 3, 31, 21, 59)
    assert copy.opens_at == utc(2032, 3, 10, 8, 0)
    assert [(c.label, c.rank, c.amount_cents, c.count) for c in copy.categories] == [
        ("1. Preis", 1, 300000, 1), ("3. Preis", 3, 100000, 2)]
    assert [(c.name, c.weight, c.anchors) for c in copy.criteria] == [
        ("Strahlkraft", 2, {"0": "gar nicht", "10": "voll"}),
        ("Nachhaltigkeit", 1, {"0": "gar nicht", "10": "voll"})]
    assert actions()[-1] == "competition.copy"
    again = client.post(f"/geschaeftsstelle/wettbewerbe/{comp.id}/kopieren", follow_redirects=True)
    assert "Für diesen Preis gibt es im Jahr 2032 schon einen Wettbewerb." in again.get_data(as_text=True)


def test_shift_one_year_keeps_berlin_wall_clock_across_dst():
    # Summer time starts on 30 March 2031 and on 28 March 2032: 29 March 12:00 in Berlin is
    # CET (UTC+1) in 2031 but CEST (UTC+2) in 2032, so the UTC hour moves.
    assert service.shift_one_year(utc(2031, 3, 29, 11, 0)) == utc(2032, 3, 29, 10, 0)
    assert service.shift_one_year(utc(2031, 3, 30, 10, 0)) == utc(2032, 3, 30, 10, 0)
    assert service.shift_one_year(utc(2032, 2, 29, 11, 0)) == utc(2033, 2, 28, 11, 0)


def test_competition_page_links_existing_areas_only(app, client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031)
    db.session.commit()
    html = client.get(f"/geschaeftsstelle/wettbewerbe/{comp.id}").get_data(as_text=True)
    from awards.views.staff import AREA_LINKS

    for endpoint, label, _text in AREA_LINKS:
        assert (str(label) in html) == (endpoint in app.view_functions)
    assert "<h1 class=\"kern-heading-large\">Testpreis OBB 2031</h1>" in html


def test_staff_index_lists_only_own_prize(client, staff_obb):
    factories.competition(prize_code="OBB", year=2031, title="Preis Oberbayern")
    factories.competition(prize_code="UFR", year=2031, title="Preis Unterfranken")
    db.session.commit()
    html = client.get("/geschaeftsstelle/").get_data(as_text=True)
    assert "Preis Oberbayern" in html
    assert "Preis Unterfranken" not in html


STAFF_URLS = [
    ("get", "/geschaeftsstelle/wettbewerbe/{id}"),
    ("get", "/geschaeftsstelle/wettbewerbe/{id}/bearbeiten"),
    ("post", "/geschaeftsstelle/wettbewerbe/{id}/bearbeiten"),
    ("post", "/geschaeftsstelle/wettbewerbe/{id}/status"),
    ("post", "/geschaeftsstelle/wettbewerbe/{id}/kopieren"),
    ("get", "/geschaeftsstelle/wettbewerbe/{id}/preise/neu"),
    ("post", "/geschaeftsstelle/wettbewerbe/{id}/preise/{cat}"),
    ("post", "/geschaeftsstelle/wettbewerbe/{id}/preise/{cat}/loeschen"),
    ("post", "/geschaeftsstelle/wettbewerbe/{id}/kriterien/neu"),
    ("post", "/geschaeftsstelle/wettbewerbe/{id}/kriterien/{crit}/loeschen"),
]


@pytest.mark.parametrize("make_user", [
    lambda comp: factories.staff(prize_code="UFR"),
    lambda comp: factories.juror(comp),
    lambda comp: factories.user(),
], ids=["staff-of-other-prize", "juror", "applicant"])
@pytest.mark.parametrize("method,path", STAFF_URLS)
def test_staff_competition_pages_refuse_forbidden_users(client, auth, make_user, method, path):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT)
    user = make_user(comp)
    db.session.commit()
    auth.login(user)
    url = path.format(id=comp.id, cat=comp.categories[0].id, crit=comp.criteria[0].id)
    response = getattr(client, method)(url, data=dict(FORM, status="open", label="X", rank="1",
                                                      amount="1", count="1", name="X",
                                                      weight="1", scale_min="0", scale_max="3"))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Competition, comp.id).status == CompetitionStatus.DRAFT
    assert db.session.scalar(select(db.func.count(Competition.id))) == 1
    assert len(db.session.get(Competition, comp.id).categories) == 3


def test_staff_of_other_prize_cannot_open_create_for_own_prize_only(client, auth):
    user = factories.staff(prize_code="UFR")
    db.session.commit()
    auth.login(user)
    html = client.get("/geschaeftsstelle/wettbewerbe/neu").get_data(as_text=True)
    assert 'value="UFR"' in html
    assert 'value="OBB"' not in html
    assert 'value="BIP"' not in html


def test_unknown_competition_is_404_for_staff(client, staff_obb):
    assert client.get("/geschaeftsstelle/wettbewerbe/999999").status_code == 404
