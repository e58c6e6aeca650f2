"""services/jury/members.py: who sits on a competition's jury, the chair first."""
from awards.enums import Role
from awards.services.jury import members
from tests import factories


def test_jurors_of_a_competition_chair_first_then_by_name(app):
    comp = factories.competition(prize_code="OBB")
    other = factories.competition(prize_code="SCHW")
    bea = factories.juror(comp, name="Bea Beispiel")
    chair = factories.juror(comp, is_chair=True, name="Zora Vorsitz")
    anna = factories.juror(comp, name="Anna Amsel")
    factories.juror(other, name="Aaron Anderswo")
    factories.staff(prize_code="OBB", name="Aaron Amt")
    factories.user(role=Role.ADMIN, name="Aaron Admin")
    assert members.competition_jurors(comp.id) == [(chair, True), (anna, False), (bea, False)]
    assert members.chair_ids(comp.id) == {chair.id}


def test_a_jury_without_members_or_chair(app):
    comp = factories.competition()
    assert members.competition_jurors(comp.id) == []
    factories.juror(comp, name="Jonas Jury")
    assert members.chair_ids(comp.id) == set()


def test_same_names_are_ordered_by_address(app):
    comp = factories.competition()
    second = factories.juror(comp, name="Kim Muster", email="kim.b@example.org")
    first = factories.juror(comp, name="Kim Muster", email="kim.a@example.org")
    assert [u for u, _chair in members.competition_jurors(comp.id)] == [first, second]


def test_a_person_on_two_juries_is_counted_for_each(app):
    obb = factories.competition(prize_code="OBB")
    schw = factories.competition(prize_code="SCHW")
    person = factories.juror(obb, is_chair=True, name="Pia Zwei")
    factories.user(email=person.email, role=Role.JUROR, competition=schw)
    assert members.competition_jurors(schw.id) == [(person, False)]
    assert members.chair_ids(obb.id) == {person.id} and members.chair_ids(schw.id) == set()
