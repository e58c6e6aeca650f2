"""The names are revealed to the jury by an explicit, audited staff action, and only after
the decisions are recorded and released; until then the one rule
(permissions.identities_hidden_from) holds for every jury member, whatever other role they
have."""
from sqlalchemy import select

from awards import permissions
from awards.enums import Role
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury_reveal import JuryReveal
from awards.services import accounts
from awards.services.jury import release, rounds
from tests import factories
from awards.services import accounts
from awards.services.jury import release, rounds

D = "/geschaeftsstelle/entscheidungen"


def _scene(*, anonymised=True):
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    chair = factories.juror(comp, is_chair=True)
    staff_juror = factories.staff(prize_code="OBB")
    accounts.assign_role(actor=None, user=staff_juror, role=Role.JUROR, competition=comp)
    applications = [factories.submitted_application(comp, admissible=True, org_name=f"Verein Sichtbar {i}",
                                             project_title=f"Sichtbar {i} lädt ein")
                    for i in range(2)]
    round_ = factories.open_round(competition=comp, jurors=[chair, staff_juror],
                           applications=applications, anonymised=anonymised)
    rounds.close_round(actor=None, round_=round_)
    factories.decide(applications[0], actor=staff)
    db.session.commit()
    return comp, staff, chair, staff_juror, applications, round_


def _reveal(client, comp, confirm=True):
    return client.post(f"{D}/{comp.id}/namen-aufdecken", data={"confirm": "y"} if confirm else {})


def test_the_rule_follows_person_and_phase(app):
    comp, staff, chair, staff_juror, _apps, _round = _scene()
    assert permissions.jury_anonymity_holds(comp)
    assert permissions.identities_hidden_from(chair, comp)
    assert permissions.identities_hidden_from(staff_juror, comp)
    assert not permissions.identities_hidden_from(staff, comp)
    other_comp = factories.competition(prize_code="OBB")
    assert not permissions.identities_hidden_from(staff_juror, other_comp)
    plain, *_ = _scene(anonymised=False)
    assert not permissions.jury_anonymity_holds(plain)


def test_names_cannot_be_revealed_before_the_release(client, auth):
    comp, staff, chair, *_ = _scene()
    auth.login(staff)
    response = _reveal(client, comp)
    assert response.status_code == 422
    assert "erst aufgedeckt werden, wenn die Entscheidungen erfasst und freigegeben" in response.text
    assert db.session.scalars(select(JuryReveal)).all() == []
    assert permissions.identities_hidden_from(chair, comp)


def test_revealing_needs_the_confirmation(client, auth):
    comp, staff, *_ = _scene()
    release.release_decisions(actor=staff, competition=comp)
    db.session.commit()
    auth.login(staff)
    page = client.get(f"{D}/{comp.id}").text
    assert "Namen für die Jury aufdecken" in page  # the button is offered
    response = _reveal(client, comp, confirm=False)
    assert response.status_code == 422
    assert "Bitte bestätigen Sie die Aufdeckung." in response.text
    assert 'id="error-summary"' in response.text
    assert db.session.scalars(select(JuryReveal)).all() == []


def test_jury_members_cannot_reveal_the_names_themselves(client, auth):
    comp, staff, chair, staff_juror, *_ = _scene()
    release.release_decisions(actor=staff, competition=comp)
    db.session.commit()
    for person in (chair, staff_juror):
        auth.login(person)
        assert _reveal(client, comp).status_code == 403
        auth.logout()
    assert db.session.scalars(select(JuryReveal)).all() == []


def test_after_the_reveal_the_chair_sees_the_names(client, auth):
    comp, staff, chair, staff_juror, applications, round_ = _scene()
    release.release_decisions(actor=staff, competition=comp)
    db.session.commit()
    auth.login(chair)
    before = client.get(f"{D}/{comp.id}").text
    assert applications[0].reference not in before and "Verein Sichtbar 0" not in before
    assert round_.entries[0].code in before
    auth.logout()

    auth.login(staff)
    response = _reveal(client, comp)
    assert response.status_code == 302
    row = db.session.scalars(select(AuditLog).where(AuditLog.action == "jury.names.reveal")).one()
    assert (row.actor_id, row.competition_id, row.old) == (staff.id, comp.id, {"revealed": False})
    assert "Die Namen sind für die Jury seit" in client.get(f"{D}/{comp.id}").text
    assert _reveal(client, comp).status_code == 422  # once only
    auth.logout()

    auth.login(chair)
    after = client.get(f"{D}/{comp.id}").text
    assert applications[0].reference in after and "Verein Sichtbar 0" in after
    assert "Sichtbar 0 lädt ein" in after
    auth.logout()
    # The staff member on the jury gets the staff pages with names back.
    auth.login(staff_juror)
    assert client.get(f"/geschaeftsstelle/eingang/{comp.id}").status_code == 200
    assert "Verein Sichtbar 0" in client.get(
        f"/geschaeftsstelle/jury/runden/{round_.id}/rangliste").text


def test_staff_on_the_jury_are_refused_the_pages_with_names_while_anonymity_holds(client, auth):
    comp, staff, chair, staff_juror, applications, round_ = _scene()
    entry = round_.entries[0]
    pages = [f"/geschaeftsstelle/eingang/{comp.id}",
             f"/geschaeftsstelle/eingang/{comp.id}/export.csv",
             f"/geschaeftsstelle/bewerbungen/{applications[0].id}",
             f"/geschaeftsstelle/jury/runden/{round_.id}/anonymisierung",
             f"/geschaeftsstelle/jury/runden/{round_.id}/anonymisierung/{entry.id}",
             f"/geschaeftsstelle/jury/runden/{round_.id}/leckpruefung",
             f"{D}/{comp.id}/freigabe", f"{D}/{comp.id}/urkunden"]
    auth.login(staff)  # positive control: staff who are not on the jury load them all
    assert [client.get(p).status_code for p in pages] == [200] * len(pages)
    assert f"/geschaeftsstelle/eingang/{comp.id}" in client.get("/geschaeftsstelle/eingang").text
    auth.logout()
    auth.login(staff_juror)
    assert [client.get(p).status_code for p in pages] == [403] * len(pages)
    assert f"/geschaeftsstelle/eingang/{comp.id}" not in client.get("/geschaeftsstelle/eingang").text
    ranking = client.get(f"/geschaeftsstelle/jury/runden/{round_.id}/rangliste").text
    assert entry.code in ranking and "Verein Sichtbar" not in ranking


def test_chair_decisions_page_query_count_does_not_grow_with_the_entries(client, auth):
    """The projection of each row (code and redacted title) is built from rows loaded once."""
    from tests.test_query_counts import _counts

    def build(rows, jurors):
        comp = factories.competition(prize_code="OBB")
        chair = factories.juror(comp, is_chair=True)
        applications = [factories.submitted_application(comp, admissible=True, org_name=f"Verein Zahl {i}")
                        for i in range(rows)]
        factories.open_round(competition=comp, jurors=[chair], applications=applications)
        factories.decide(applications[0])
        return chair, f"{D}/{comp.id}"

    few, many = _counts(client, auth, build)
    assert few == many
