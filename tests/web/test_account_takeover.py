"""Taking over an account by registering first, sessions after password changes, and
whether accounts can be told apart by what login and registration do."""
import pytest
from sqlalchemy import select

from awards.enums import Role
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from awards.models.users import User
from awards.services import accounts
from tests import factories
from tests.htmlforms import submit
from tests.web.test_auth import link_path, whoami

ATTACKER_PASSWORD = "Angreifer-Passwort-1"
OWNER_PASSWORD = "Eigenes-Passwort-22"


def _mails(to):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == to)
                              .order_by(OutboxMail.id)).all()


def _forget_login():
    from flask import g

    g.pop("_login_user", None)  # the test clients share one app context


def _register_as_attacker(app, email="opfer@example.org"):
    attacker = app.test_client()
    response = attacker.post("/konto/registrieren", data={
        "name": "Angreifer", "email": email, "password": ATTACKER_PASSWORD,
        "password_repeat": ATTACKER_PASSWORD})
    assert response.status_code == 200
    return attacker


def _legacy_session(app, user):
    """A login cookie as registering used to hand out before the address was proven."""
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client


def _login(client, email, password):
    return client.post("/konto/anmelden", data={"email": email, "password": password})


def _use_magic_link(client, email, next_url=None):
    data = {"magic-email": email}
    if next_url:
        data["magic-next"] = next_url
    assert client.post("/konto/zugangslink", data=data).status_code == 200
    page = client.get(link_path([m for m in _mails(email) if "Zugangslink" in m.subject][-1]))
    return submit(client, page)


def test_registering_first_gives_no_login(app):
    attacker = _register_as_attacker(app)
    assert whoami(attacker) is None
    response = _login(attacker, "opfer@example.org", ATTACKER_PASSWORD)
    assert "Ihre E-Mail-Adresse ist noch nicht bestätigt." in response.get_data(as_text=True)
    assert whoami(attacker) is None


def test_access_link_clears_unconfirmed_password_and_ends_its_sessions(app):
    attacker = _register_as_attacker(app)
    user = accounts.find_user("opfer@example.org")
    kept_session = _legacy_session(app, user)
    assert whoami(kept_session) == "opfer@example.org"

    owner = app.test_client()
    comp = factories.competition(prize_code="BIP", year=2026)
    db.session.commit()
    response = _use_magic_link(owner, "opfer@example.org", next_url=f"/bewerbung/start/{comp.id}")
    assert response.status_code == 302
    assert whoami(owner) == "opfer@example.org"
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.password_hash, user.email_verified_at is not None) == (None, True)
    assert whoami(kept_session) is None
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_id == user.id)
                                 .order_by(AuditLog.id)).all()
    assert "user.clear_unconfirmed_password" in actions

    # The owner starts an application; neither the old session nor the password opens it.
    _forget_login()
    assert owner.get("/bewerbung/").status_code == 200
    _forget_login()
    response = kept_session.get("/bewerbung/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/konto/anmelden")
    _forget_login()
    response = _login(attacker, "opfer@example.org", ATTACKER_PASSWORD)
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert whoami(attacker) is None


def test_access_link_keeps_a_confirmed_password(app):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    other = app.test_client()
    _login(other, "kim@example.org", factories.PASSWORD)
    _forget_login()
    _use_magic_link(app.test_client(), "kim@example.org")
    db.session.expire_all()
    assert accounts.check_password(db.session.get(User, user.id), factories.PASSWORD)
    assert whoami(other) == "kim@example.org"


def test_invitation_clears_unconfirmed_password_and_sessions_before_giving_the_role(app):
    _register_as_attacker(app, email="staff@example.org")
    user = accounts.find_user("staff@example.org")
    kept_session = _legacy_session(app, user)
    admin = factories.admin()
    accounts.invite(actor=admin, email="staff@example.org", name="Sabine Staff",
                    role=Role.STAFF, prize_code="OBB")
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.password_hash is None
    assert whoami(kept_session) is None
    response = kept_session.get("/geschaeftsstelle/")
    assert response.status_code == 302


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, auth):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    elsewhere = app.test_client()
    _login(elsewhere, "kim@example.org", factories.PASSWORD)
    _forget_login()
    auth.login(user)
    page = client.get("/konto/passwort-aendern")
    assert page.status_code == 200
    response = submit(client, page, {"current_password": factories.PASSWORD,
                                     "password": OWNER_PASSWORD, "password_repeat": OWNER_PASSWORD})
    assert response.status_code == 302
    assert whoami(client) == "kim@example.org"
    assert whoami(elsewhere) is None
    db.session.expire_all()
    assert accounts.check_password(db.session.get(User, user.id), OWNER_PASSWORD)
    _forget_login()
    assert client.get("/konto/passwort-aendern").status_code == 200  # still logged in here


def test_password_change_with_wrong_current_password_is_refused_at_the_field(app, client, auth):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    auth.login(user)
    page = client.get("/konto/passwort-aendern")
    response = submit(client, page, {"current_password": "falsch-falsch-falsch",
                                     "password": OWNER_PASSWORD, "password_repeat": OWNER_PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="current_password-error"' in html
    assert "Das bisherige Passwort ist falsch." in html
    assert "Bitte prüfen Sie Ihre Angaben" in html
    db.session.expire_all()
    assert accounts.check_password(db.session.get(User, user.id), factories.PASSWORD)
    assert whoami(client) == "kim@example.org"


def test_password_set_by_access_link_user_needs_no_current_password(app, client):
    response = _use_magic_link(client, "neu@example.org")
    assert response.status_code == 302
    _forget_login()
    page = client.get("/konto/passwort-aendern")
    assert 'name="current_password"' not in page.get_data(as_text=True)
    response = submit(client, page, {"password": OWNER_PASSWORD, "password_repeat": OWNER_PASSWORD})
    assert response.status_code == 302
    _forget_login()
    fresh = app.test_client()
    assert _login(fresh, "neu@example.org", OWNER_PASSWORD).status_code == 302


def test_logout_still_ends_every_session(app, client, auth):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    elsewhere = app.test_client()
    _login(elsewhere, "kim@example.org", factories.PASSWORD)
    _forget_login()
    auth.login(user)
    auth.logout()
    assert whoami(elsewhere) is None


@pytest.mark.parametrize("case", ["unknown", "wrong", "inactive", "no_password", "unconfirmed"])
def test_login_verifies_one_hash_for_every_kind_of_failure(app, client, monkeypatch, case):
    if case != "unknown":
        user = factories.user(email="kim@example.org",
                              password=None if case == "no_password" else factories.PASSWORD,
                              verified=case != "unconfirmed")
        user.active = case != "inactive"
        db.session.commit()
    verified = []
    real = accounts._hasher

    class CountingHasher:
        def verify(self, stored, pw):
            verified.append(stored)
            return real.verify(stored, pw)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    password = "falsch-falsch-falsch" if case == "wrong" else factories.PASSWORD
    response = _login(client, "kim@example.org", password)
    assert len(verified) == 1
    assert response.status_code == 200
    expected = "Ihre E-Mail-Adresse ist noch nicht bestätigt." if case == "unconfirmed" \
        else "E-Mail-Adresse oder Passwort ist falsch."
    assert expected in response.get_data(as_text=True)
    assert whoami(client) is None


def test_dummy_hash_costs_what_a_real_hash_costs():
    # Same algorithm, version and cost parameters: "$argon2id$v=19$m=...,t=...,p=...$"
    real = accounts.hash_password("irgendein-Passwort")
    assert accounts._DUMMY_HASH.split("$")[1:4] == real.split("$")[1:4]


def test_admin_created_on_the_command_line_can_log_in(app, client, runner):
    result = runner.invoke(args=["create-admin", "--email", "chefin@example.org",
                                 "--password", OWNER_PASSWORD])
    assert result.exit_code == 0, result.output
    response = _login(client, "chefin@example.org", OWNER_PASSWORD)
    assert response.status_code == 302
    assert whoami(client) == "chefin@example.org"
