"""Login, logout, registration, verification, password reset, Zugangslink, invitation."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from awards.enums import Role, TokenPurpose
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.models.users import OneTimeToken, User
from awards.services import accounts
from tests import factories
from tests.htmlforms import forms, submit

NEW_PASSWORD = "Ganz-neues-Passwort-1"


def outbox(to=None):
    query = select(OutboxMail).order_by(OutboxMail.id)
    if to:
        query = query.where(OutboxMail.to_addr == to)
    return db.session.scalars(query).all()


def link_path(mail):
    """The path (with query) of the first link in a mail (links point at BASE_URL)."""
    match = re.search(r"https?://[^/\s]+(/\S+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def open_link(client, mail, typed=None, **kw):
    """Open the mail's link and press the page's button (submitting its form as rendered)."""
    page = client.get(link_path(mail))
    assert page.status_code == 200, page.headers.get("Location")
    return submit(client, page, typed, **kw)


def verified_by_link(client, email):
    """Open the newest verification mail to `email` and confirm."""
    mail = [m for m in outbox(email) if "bestätigen" in m.subject][-1]
    return open_link(client, mail)


def whoami(client):
    """E-mail of the user the client is logged in as, or None."""
    with client.session_transaction() as sess:
        raw = sess.get("_user_id")
    if raw is None:
        return None
    user_id, _, session_id = raw.partition(":")
    user = db.session.get(User, int(user_id))
    db.session.refresh(user)
    return user.email if user.session_id == session_id and user.active else None


def applicant_landing(app):
    """Where a user without roles lands after login (the applicant area, once it exists)."""
    with app.test_request_context():
        from flask import url_for

        return url_for("applicant.dashboard") if "applicant.dashboard" in app.view_functions else "/"


def session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_with_right_password_starts_session(app, client, auth):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == applicant_landing(app)
    assert whoami(client) == "kim@example.org"
    assert db.session.get(User, user.id).last_login_at is not None
    assert [a.action for a in db.session.scalars(select(AuditLog))] == ["user.login"]


def test_login_with_wrong_password_is_refused(client, auth):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    response = auth.login(user, password="falsch-falsch-falsch")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert whoami(client) is None


def test_login_with_unknown_email_gives_same_message(client):
    response = client.post("/konto/anmelden", data={"email": "niemand@example.org",
                                                    "password": "irgendwas-123"})
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)


def test_login_of_inactive_user_is_refused(client, auth):
    user = factories.user(email="kim@example.org")
    user.active = False
    db.session.commit()
    response = auth.login(user)
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert whoami(client) is None


def test_login_of_staff_lands_on_staff_page(client, auth):
    user = factories.staff(prize_code="OBB")
    db.session.commit()
    assert auth.login(user).headers["Location"] == "/geschaeftsstelle/"


def test_login_follows_safe_next(client):
    user = factories.user()
    db.session.commit()
    response = client.post("/konto/anmelden", data={"email": user.email, "password": factories.PASSWORD,
                                                    "next": "/ausschreibungen?x=1"})
    assert response.headers["Location"] == "/ausschreibungen?x=1"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "javascript:alert(1)", "http:/evil.example", " //evil.example",
    "/\t/evil.example",
])
def test_login_refuses_open_redirect_in_next(app, client, target):
    user = factories.user()
    db.session.commit()
    response = client.post("/konto/anmelden", data={"email": user.email, "password": factories.PASSWORD,
                                                    "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == applicant_landing(app)


def test_logout_invalidates_old_session_cookie(client, auth):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    auth.login(user)
    old_cookie = session_cookie(client)
    assert client.get("/geschaeftsstelle/").status_code == 403  # logged in, not staff
    response = auth.logout()
    assert response.headers["Location"] == "/"
    # Replay the cookie from before the logout: it must be anonymous now.
    client.set_cookie("session", old_cookie)
    assert whoami(client) is None
    response = client.get("/geschaeftsstelle/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/konto/anmelden")


def test_logout_is_post_only(client):
    assert client.get("/konto/abmelden").status_code == 405


def test_login_clears_session_against_fixation(client, auth):
    user = factories.user()
    db.session.commit()
    with client.session_transaction() as sess:
        sess["planted"] = "by attacker"
        sess["lang"] = "en"
    auth.login(user)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["lang"] == "en"  # the chosen language survives


SAME_ANSWER = ("Wir haben eine E-Mail an {} geschickt. Bitte öffnen Sie den Link "
               "darin, um Ihre Adresse zu bestätigen.")


def _register(client, email="Kim@Example.org", password=NEW_PASSWORD, name="Kim Muster"):
    return client.post("/konto/registrieren", data={
        "name": name, "email": email, "password": password, "password_repeat": password})


def test_register_creates_unconfirmed_account_and_sends_verification(client):
    response = _register(client)
    assert response.status_code == 200
    assert SAME_ANSWER.format("Kim@Example.org") in response.get_data(as_text=True)
    user = accounts.find_user("kim@example.org")
    assert (user.email, user.name, user.email_verified_at) == ("kim@example.org", "Kim Muster", None)
    assert whoami(client) is None  # registering logs nobody in
    mails = outbox()
    assert [(m.to_addr, m.subject) for m in mails] == [
        ("kim@example.org", "Bitte bestätigen Sie Ihre E-Mail-Adresse")]
    assert link_path(mails[0]).startswith("/konto/bestaetigen?token=")


def test_register_with_existing_email_answers_the_same_and_tells_by_mail(client):
    owner = factories.user(email="kim@example.org", name="Kim Alt")
    db.session.commit()
    hash_before = owner.password_hash
    response = _register(client, email="KIM@example.org", password="Fremdes-Passwort-9")
    assert response.status_code == 200
    assert SAME_ANSWER.format("KIM@example.org") in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 1
    db.session.expire_all()
    assert db.session.get(User, owner.id).password_hash == hash_before
    assert whoami(client) is None
    mails = outbox()
    assert [(m.to_addr, m.subject) for m in mails] == [
        ("kim@example.org", "Sie haben bereits ein Konto beim Integrationspreis")]
    assert "Sie haben bereits ein Konto" in mails[0].body_text
    assert "/konto/passwort-vergessen" in mails[0].body_text
    # A new address gets the very same page (but for the address shown).
    other = client.application.test_client()
    fresh = _register(other, email="neu@example.org")
    assert (fresh.status_code, fresh.get_data(as_text=True).replace("neu@example.org", "X")) == \
        (200, response.get_data(as_text=True).replace("KIM@example.org", "X"))


def test_register_of_known_address_hashes_the_password_too(client, monkeypatch):
    factories.user(email="kim@example.org")
    db.session.commit()
    hashed = []
    real = accounts.hash_password
    monkeypatch.setattr(accounts, "hash_password", lambda pw: hashed.append(pw) or real(pw))
    _register(client, email="kim@example.org")
    _register(client, email="neu@example.org")
    assert hashed == [NEW_PASSWORD, NEW_PASSWORD]


def test_unconfirmed_password_does_not_log_in(client):
    _register(client)
    response = client.post("/konto/anmelden", data={"email": "kim@example.org",
                                                    "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert "Ihre E-Mail-Adresse ist noch nicht bestätigt." in response.get_data(as_text=True)
    assert whoami(client) is None
    # A wrong password of that account says only that it is wrong.
    response = client.post("/konto/anmelden", data={"email": "kim@example.org",
                                                    "password": "falsch-falsch-falsch"})
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert "noch nicht bestätigt" not in response.get_data(as_text=True)


def test_confirmed_password_logs_in(client):
    _register(client)
    response = verified_by_link(client, "kim@example.org")
    assert response.headers["Location"] == "/konto/anmelden"
    response = client.post("/konto/anmelden", data={"email": "kim@example.org",
                                                    "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert whoami(client) == "kim@example.org"


def test_register_keeps_input_and_shows_errors(client):
    response = client.post("/konto/registrieren", data={
        "name": "Kim Muster", "email": "kim@example.org", "password": "kurz",
        "password_repeat": "anders"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Kim Muster"' in html
    assert "Das Passwort muss mindestens 10 Zeichen lang sein." in html
    assert "Bitte prüfen Sie Ihre Angaben" in html
    assert accounts.find_user("kim@example.org") is None


def test_verify_link_works_once_and_only_by_post(client):
    _register(client)
    mail = outbox()[0]
    page = client.get(link_path(mail))
    assert page.status_code == 200
    assert accounts.find_user("kim@example.org").email_verified_at is None  # GET changes nothing
    response = submit(client, page, follow_redirects=True)
    assert "Ihre E-Mail-Adresse ist bestätigt." in response.get_data(as_text=True)
    assert accounts.find_user("kim@example.org").email_verified_at is not None
    response = client.get(link_path(mail), follow_redirects=True)
    assert "Dieser Link wurde bereits verwendet." in response.get_data(as_text=True)
    response = submit(client, page, follow_redirects=True)
    assert "Dieser Link wurde bereits verwendet." in response.get_data(as_text=True)


def _request_reset(client, email):
    response = client.post("/konto/passwort-vergessen", data={"email": email})
    assert response.status_code == 200
    return response


def test_password_reset_changes_password_and_ends_sessions(client, app):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    other = app.test_client()
    other.post("/konto/anmelden", data={"email": user.email, "password": factories.PASSWORD})
    assert whoami(other) == "kim@example.org"

    _request_reset(client, "kim@example.org")
    path = link_path(outbox("kim@example.org")[0])
    assert path.startswith("/konto/passwort-neu?token=")
    page = client.get(path)
    assert page.status_code == 200
    response = submit(client, page, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/konto/anmelden"
    db.session.expire_all()
    assert accounts.check_password(accounts.find_user("kim@example.org"), NEW_PASSWORD)
    assert whoami(other) is None  # the session elsewhere has ended


def test_password_reset_with_errors_keeps_the_link(client):
    factories.user(email="kim@example.org")
    db.session.commit()
    _request_reset(client, "kim@example.org")
    page = client.get(link_path(outbox()[0]))
    response = submit(client, page, {"password": "kurz", "password_repeat": "kurz"})
    assert response.status_code == 200
    assert "Das Passwort muss mindestens 10 Zeichen lang sein." in response.get_data(as_text=True)
    response = submit(client, response, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert response.headers["Location"] == "/konto/anmelden"
    db.session.expire_all()
    assert accounts.check_password(accounts.find_user("kim@example.org"), NEW_PASSWORD)


def test_password_reset_link_used_twice_fails(client):
    factories.user(email="kim@example.org")
    db.session.commit()
    _request_reset(client, "kim@example.org")
    page = client.get(link_path(outbox()[0]))
    submit(client, page, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    response = submit(client, page, {"password": "Noch-ein-Passwort-2",
                                     "password_repeat": "Noch-ein-Passwort-2"},
                      follow_redirects=True)
    assert "Dieser Link wurde bereits verwendet." in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.check_password(accounts.find_user("kim@example.org"), NEW_PASSWORD)


def test_password_reset_link_expired_fails(client):
    factories.user(email="kim@example.org")
    db.session.commit()
    _request_reset(client, "kim@example.org")
    page = client.get(link_path(outbox()[0]))
    for row in db.session.scalars(select(OneTimeToken)):
        row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = submit(client, page, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
                      follow_redirects=True)
    assert "Dieser Link ist abgelaufen." in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.check_password(accounts.find_user("kim@example.org"), factories.PASSWORD)


def test_password_reset_link_forged_fails(client):
    factories.user(email="kim@example.org")
    db.session.commit()
    _request_reset(client, "kim@example.org")
    path = link_path(outbox()[0])
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    response = client.get(forged, follow_redirects=True)
    assert "Dieser Link ist ungültig." in response.get_data(as_text=True)
    token = path.partition("token=")[2]
    response = client.post("/konto/passwort-neu", data={
        "token": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}, follow_redirects=True)
    assert "Dieser Link ist ungültig." in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.check_password(accounts.find_user("kim@example.org"), factories.PASSWORD)


def test_password_reset_for_unknown_email_says_nothing_and_sends_nothing(client):
    response = _request_reset(client, "niemand@example.org")
    assert "Wenn es ein Konto für niemand@example.org gibt" in response.get_data(as_text=True)
    assert outbox() == []


def test_magic_link_creates_passwordless_account_and_logs_in(client):
    response = client.post("/konto/zugangslink", data={"magic-email": "neu@example.org",
                                                       "magic-next": "/ausschreibungen"})
    assert response.status_code == 200
    user = accounts.find_user("neu@example.org")
    assert (user.password_hash, user.email_verified_at) == (None, None)
    mail = outbox("neu@example.org")[0]
    assert mail.subject == "Ihr Zugangslink zum Integrationspreis"
    path = link_path(mail)
    # GET only shows a button (mail scanners must not use the link up).
    page = client.get(path)
    assert page.status_code == 200
    assert whoami(client) is None
    response = submit(client, page)
    assert response.headers["Location"] == "/ausschreibungen"
    assert whoami(client) == "neu@example.org"
    assert accounts.find_user("neu@example.org").email_verified_at is not None
    client.post("/konto/abmelden")
    response = submit(client, page, follow_redirects=True)
    assert "Dieser Link wurde bereits verwendet." in response.get_data(as_text=True)
    assert whoami(client) is None


def test_magic_link_refuses_unsafe_next(app, client):
    client.post("/konto/zugangslink", data={"magic-email": "neu@example.org",
                                            "magic-next": "https://evil.example/"})
    response = open_link(client, outbox()[0])
    assert response.headers["Location"] == applicant_landing(app)


def test_magic_link_of_deactivated_user_does_not_log_in(client):
    client.post("/konto/zugangslink", data={"magic-email": "neu@example.org"})
    page = client.get(link_path(outbox()[0]))
    accounts.find_user("neu@example.org").active = False
    db.session.commit()
    response = submit(client, page, follow_redirects=True)
    assert whoami(client) is None
    assert "Dieser Link ist ungültig." in response.get_data(as_text=True)


def test_invitation_sets_password_and_logs_in(client):
    admin = factories.admin()
    comp = factories.competition(prize_code="OBB", year=2031)
    accounts.invite(actor=admin, email="jurorin@example.org", name="Jana Jurorin",
                    role=Role.JUROR, competition=comp, is_chair=True)
    db.session.commit()
    mail = outbox("jurorin@example.org")[0]
    assert mail.subject == "Einladung: Jurymitglied beim Integrationspreis"
    path = link_path(mail)
    assert path.startswith("/konto/einladung?token=")
    page = client.get(path)
    assert 'value="Jana Jurorin"' in page.get_data(as_text=True)
    response = submit(client, page, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert whoami(client) == "jurorin@example.org"
    user = accounts.find_user("jurorin@example.org")
    assert accounts.check_password(user, NEW_PASSWORD)
    assert [(r.role, r.competition_id, r.is_chair) for r in user.roles] == [(Role.JUROR, comp.id, True)]
    client.post("/konto/abmelden")
    response = client.get(path, follow_redirects=True)
    assert "Dieser Link wurde bereits verwendet." in response.get_data(as_text=True)


def test_token_of_one_purpose_is_refused_for_another(client):
    client.post("/konto/zugangslink", data={"magic-email": "neu@example.org"})
    token = link_path(outbox()[0]).partition("token=")[2]
    response = client.get(f"/konto/passwort-neu?token={token}", follow_redirects=True)
    assert "Dieser Link ist ungültig." in response.get_data(as_text=True)
    assert db.session.scalars(select(OneTimeToken)).one().purpose == TokenPurpose.MAGIC_LINK
