"""Who sits on a jury: the members of a competition and of a round, all or active only."""
from awards.extensions import db
from awards.services.jury import members
from tests import factories


def _jury():
    comp = factories.competition(prize_code="OBB")
    chair = factories.juror(comp, is_chair=True, name="Zora Vorsitz")
    anna = factories.juror(comp, name="Anna Aktiv")
    gone = factories.juror(comp, name="Bernd Deaktiviert")
    gone.active = False
    factories.juror(factories.competition(prize_code="SCHW"), name="Anderswo")
    db.session.flush()
    return comp, chair, anna, gone


def test_competition_jurors_chairs_first_then_by_name_active_on_request(app):
    comp, chair, anna, gone = _jury()
    assert members.competition_jurors(comp.id) == [(chair, True), (anna, False), (gone, False)]
    assert members.competition_jurors(comp.id, active=True) == [(chair, True), (anna, False)]
    assert members.competition_jurors(comp.id, active=False) == [(gone, False)]


def test_round_jurors_are_the_assigned_ones_active_on_request(app):
    comp, chair, anna, gone = _jury()
    round_ = factories.open_round(competition=comp, jurors=[anna, gone], n=1)
    assert members.round_jurors(round_.id) == [anna, gone]
    assert members.round_jurors(round_.id, active=True) == [anna]
