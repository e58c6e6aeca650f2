"""Administration pages: users with roles, invitations, assigning and revoking roles."""
import pytest
from sqlalchemy import select

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from awards.models.users import RoleAssignment
from awards.services import accounts
from tests import factories


def roles_of(email):
    user = accounts.find_user(email)
    db.session.refresh(user)
    return sorted((r.role.value, r.prize_code, r.competition_id, r.is_chair) for r in user.roles)


@pytest.fixture
def admin(auth):
    user = factories.admin(email="admin@example.org", name="Andrea Admin")
    db.session.commit()
    auth.login(user)
    return user


def test_users_page_lists_users_with_roles(client, admin):
    comp = factories.competition(prize_code="OBB", year=2031, title="Integrationspreis OBB")
    factories.staff(prize_code="OBB", email="obb@example.org")
    factories.juror(comp, is_chair=True, email="jury@example.org")
    db.session.commit()
    html = client.get("/verwaltung/benutzer").get_data(as_text=True)
    assert "obb@example.org" in html
    assert "Geschäftsstelle – OBB" in html
    assert "Jurymitglied – Integrationspreis OBB 2031 (Vorsitz)" in html
    assert "Administration" in html


def _listed_emails(html):
    import re

    body = html.split('<tbody class="kern-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="kern-table__cell">([^<@]+@[^<]+)</td>', body)


def test_users_page_is_paged_by_50(client, admin):
    for n in range(60):
        factories.user(email=f"bewerbung{n:02d}@example.org")
    db.session.commit()
    first = client.get("/verwaltung/benutzer").get_data(as_text=True)
    second = client.get("/verwaltung/benutzer?seite=2").get_data(as_text=True)
    assert "61 Benutzer gefunden." in first
    assert len(_listed_emails(first)) == 50 and len(_listed_emails(second)) == 11
    assert set(_listed_emails(first)).isdisjoint(_listed_emails(second))
    assert _listed_emails(first) == sorted(_listed_emails(first))  # by e-mail address
    assert '<nav class="pager" aria-label="Seiten der Benutzerliste">' in first
    assert 'href="/verwaltung/benutzer?seite=2"' in first
    assert "Seite 2 von 2" in second


def test_users_page_searches_name_and_email_and_filters_by_role(client, admin):
    comp = factories.competition(prize_code="OBB", year=2031)
    factories.staff(prize_code="OBB", email="obb@example.org", name="Olga Oberland")
    factories.juror(comp, email="jury@example.org", name="Jakob Jury")
    factories.user(email="verein_brücke@example.org", name="Verein Brücke")
    factories.user(email="vereinxbruecke@example.org", name="Anderer Verein")
    db.session.commit()

    def emails(**args):
        return _listed_emails(client.get("/verwaltung/benutzer", query_string=args).get_data(as_text=True))

    assert emails(q="oberland") == ["obb@example.org"]        # the name, any case
    assert emails(q="JURY@") == ["jury@example.org"]          # the address, any case
    assert emails(q="verein_") == ["verein_brücke@example.org"]  # "_" is no wildcard
    assert emails(rolle="juror") == ["jury@example.org"]
    assert emails(rolle="admin") == ["admin@example.org"]
    assert emails(rolle="bewerbende") == ["verein_brücke@example.org", "vereinxbruecke@example.org"]
    assert emails(q="verein", rolle="staff") == []
    # A role that does not exist (only a hand-made URL has one) is named at the field, and
    # the list shows everyone; what was typed is kept.
    html = client.get("/verwaltung/benutzer", query_string={"rolle": "unsinn"}).get_data(as_text=True)
    assert len(_listed_emails(html)) == 5
    assert 'id="rolle-error"' in html
    assert 'value="oberland"' in client.get("/verwaltung/benutzer?q=oberland").get_data(as_text=True)
    assert "Niemand passt zu dieser Suche." in client.get(
        "/verwaltung/benutzer?q=niemand-hier").get_data(as_text=True)


def test_invite_staff_scoped_to_prize_sends_mail(client, admin):
    response = client.post("/verwaltung/benutzer/einladen", data={
        "name": "Otto Oberbayern", "email": "otto@example.org", "role": "staff",
        "prize_code": "OBB", "competition_id": "0"})
    assert response.status_code == 302
    assert roles_of("otto@example.org") == [("staff", "OBB", None, False)]
    mails = db.session.scalars(select(OutboxMail)).all()
    assert [(m.to_addr, m.subject) for m in mails] == [
        ("otto@example.org", "Einladung: Geschäftsstelle beim Integrationspreis")]
    assert "/konto/einladung?token=" in mails[0].body_text
    actions = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions[-1] == "role.assign"


def test_invite_staff_for_all_prizes(client, admin):
    client.post("/verwaltung/benutzer/einladen", data={
        "name": "Miriam", "email": "m@example.org", "role": "staff", "prize_code": "",
        "competition_id": "0"})
    assert roles_of("m@example.org") == [("staff", None, None, False)]


def test_invite_juror_with_chair_for_competition(client, admin):
    comp = factories.competition(prize_code="BIP", year=2031)
    db.session.commit()
    response = client.post("/verwaltung/benutzer/einladen", data={
        "name": "Jana", "email": "jana@example.org", "role": "juror", "prize_code": "",
        "competition_id": str(comp.id), "is_chair": "y"})
    assert response.status_code == 302
    assert roles_of("jana@example.org") == [("juror", None, comp.id, True)]


def test_invite_juror_without_competition_is_refused_and_input_kept(client, admin):
    response = client.post("/verwaltung/benutzer/einladen", data={
        "name": "Jana", "email": "jana@example.org", "role": "juror", "prize_code": "",
        "competition_id": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bitte wählen Sie den Wettbewerb, für den das Jurymitglied bewertet." in html
    assert 'value="jana@example.org"' in html
    assert accounts.find_user("jana@example.org") is None
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_invite_with_invalid_email_shows_error(client, admin):
    response = client.post("/verwaltung/benutzer/einladen", data={
        "name": "Jana", "email": "keine-adresse", "role": "staff", "prize_code": "OBB",
        "competition_id": "0"})
    assert response.status_code == 200
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in response.get_data(as_text=True)


def test_assign_and_revoke_role(client, admin):
    person = factories.user(email="p@example.org")
    db.session.commit()
    response = client.post(f"/verwaltung/benutzer/{person.id}/rollen", data={
        "role": "staff", "prize_code": "SCHW", "competition_id": "0"})
    assert response.status_code == 302
    assert roles_of("p@example.org") == [("staff", "SCHW", None, False)]
    assignment = db.session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id == person.id)).one()
    response = client.post(f"/verwaltung/benutzer/{person.id}/rollen/{assignment.id}/entziehen")
    assert response.status_code == 302
    assert roles_of("p@example.org") == []
    actions = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions[-2:] == ["role.assign", "role.revoke"]


def test_revoke_role_of_other_user_in_url_is_404(client, admin):
    person = factories.staff(prize_code="OBB")
    other = factories.user()
    db.session.commit()
    assignment = person.roles[0]
    response = client.post(f"/verwaltung/benutzer/{other.id}/rollen/{assignment.id}/entziehen")
    assert response.status_code == 404
    assert roles_of(person.email) == [("staff", "OBB", None, False)]


def test_last_admin_role_cannot_be_revoked(client, admin):
    assignment = admin.roles[0]
    response = client.post(f"/verwaltung/benutzer/{admin.id}/rollen/{assignment.id}/entziehen",
                           follow_redirects=True)
    assert "Die letzte Administrationsrolle kann nicht entzogen werden." in response.get_data(as_text=True)
    assert roles_of("admin@example.org") == [("admin", None, None, False)]


def test_user_page_shows_roles_and_form(client, admin):
    person = factories.staff(prize_code="UFR", name="Ulla Unterfranken")
    db.session.commit()
    html = client.get(f"/verwaltung/benutzer/{person.id}").get_data(as_text=True)
    assert "<h1 class=\"kern-heading-large\">Ulla Unterfranken</h1>" in html
    assert "Geschäftsstelle – UFR" in html
    assert "Rolle zuweisen" in html


@pytest.mark.parametrize("make_user", [
    lambda: factories.user(),
    lambda: factories.staff(prize_code=None),
    lambda: factories.staff(prize_code="OBB"),
    lambda: factories.juror(factories.competition()),
])
@pytest.mark.parametrize("method,path", [
    ("get", "/verwaltung/benutzer"),
    ("get", "/verwaltung/benutzer/einladen"),
    ("post", "/verwaltung/benutzer/einladen"),
    ("get", "/verwaltung/benutzer/{id}"),
    ("post", "/verwaltung/benutzer/{id}/rollen"),
    ("post", "/verwaltung/benutzer/{id}/rollen/{rid}/entziehen"),
])
def test_admin_pages_refuse_non_admins(client, auth, make_user, method, path):
    user = make_user()
    target = factories.staff(prize_code="OBB")
    db.session.commit()
    auth.login(user)
    url = path.format(id=target.id, rid=target.roles[0].id)
    response = getattr(client, method)(url, data={"role": "admin", "prize_code": "",
                                                  "competition_id": "0", "name": "X",
                                                  "email": "x@example.org"})
    assert response.status_code == 403
    assert roles_of(target.email) == [("staff", "OBB", None, False)]
    assert accounts.find_user("x@example.org") is None


def test_admin_pages_send_anonymous_to_login(client):
    response = client.get("/verwaltung/benutzer")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/konto/anmelden?next=")
