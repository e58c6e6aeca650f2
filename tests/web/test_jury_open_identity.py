"""A round explicitly not anonymised: jurors see the organisation, the place and the
unredacted texts — and still never the contact data; the anonymised round beside it hides
all of them."""
from awards.extensions import db
from awards.services.jury import rounds
from tests import factories
from awards.services.jury import rounds

CONTACT = dict(org_name="Brückenbauer Rosenheim e.V.", city="Rosenheim",
               contact_name="Petra Privatmensch", street="Geheimweg 3",
               email="petra.privat@example.org", phone="08031 123456",
               project_title="Brückenbauer Rosenheim lädt ein",
               summary="Der Brückenbauer Rosenheim e.V. trifft sich jede Woche.")


def _round(anonymised):
    comp = factories.competition(prize_code="OBB")
    juror = factories.juror(comp)
    application = factories.submitted_application(comp, admissible=True, **CONTACT)
    round_ = factories.open_round(competition=comp, jurors=[juror], applications=[application],
                           anonymised=anonymised)
    db.session.commit()
    return round_, juror, round_.entries[0]


def _sheet(client, auth, juror, round_, entry):
    auth.login(juror)
    response = client.get(f"/jury/runden/{round_.id}/{entry.code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_open_round_shows_organisation_place_and_texts_but_no_contact_data(client, auth):
    round_, juror, entry = _round(anonymised=False)
    html = _sheet(client, auth, juror, round_, entry)
    assert "Brückenbauer Rosenheim e.V." in html and "Rosenheim" in html
    assert "Brückenbauer Rosenheim lädt ein" in html
    assert "Der Brückenbauer Rosenheim e.V. trifft sich jede Woche." in html
    for secret in ("Petra Privatmensch", "Geheimweg 3", "petra.privat@example.org", "08031 123456"):
        assert secret not in html
    listing = client.get(f"/jury/runden/{round_.id}").get_data(as_text=True)
    assert "Brückenbauer Rosenheim lädt ein" in listing


def test_anonymised_round_hides_organisation_place_and_names_in_texts(client, auth):
    round_, juror, entry = _round(anonymised=True)
    html = _sheet(client, auth, juror, round_, entry)
    for secret in ("Brückenbauer", "Rosenheim", "Petra Privatmensch", "Geheimweg 3",
                   "petra.privat@example.org", "08031 123456"):
        assert secret not in html
    assert "trifft sich jede Woche." in html


def test_switching_a_round_to_open_identity_needs_new_approvals(app):
    comp = factories.competition(prize_code="OBB")
    round_ = factories.jury_round(competition=comp)
    factories.submitted_application(comp, admissible=True, **CONTACT)
    rounds.populate_entries(actor=None, round_=round_)
    factories.approve_all(round_)
    db.session.commit()
    from awards.services.jury import anonymisation

    assert anonymisation.is_approved(round_.entries[0])
    rounds.update_round(actor=None, round_=round_, anonymised=False)
    db.session.commit()
    assert not anonymisation.is_approved(round_.entries[0])
