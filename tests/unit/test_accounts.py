"""services/accounts.py: logins that reveal nothing, addresses proven by links, one-time
links, invitations and roles."""
import pytest
from sqlalchemy import select

from awards.enums import Role, TokenPurpose
from awards.extensions import db
from awards.models.users import RoleAssignment
from awards.services import accounts, tokens
from tests import factories


@pytest.fixture
def ctx(app):
    with app.test_request_context():  # mails are rendered in a request
        yield


def test_wrong_unknown_and_deactivated_logins_get_the_same_answer(ctx):
    user = factories.user(email="kim@example.org")
    assert accounts.authenticate(email="KIM@example.org ", password=factories.PASSWORD) == (
        user, None)
    assert accounts.authenticate(email="kim@example.org", password="falsch-falsch") == (
        None, "wrong")
    assert accounts.authenticate(email="niemand@example.org", password="x") == (None, "wrong")
    user.active = False
    assert accounts.authenticate(email="kim@example.org", password=factories.PASSWORD) == (
        None, "wrong")


def test_a_registered_password_logs_in_only_once_the_address_is_proven(ctx):
    user = accounts.register(email="Neu@Example.org", name="Neu", password="Passwort-123456")
    assert user.email == "neu@example.org"
    assert accounts.authenticate(email="neu@example.org", password="Passwort-123456") == (
        None, "unconfirmed")
    token = tokens.issue(purpose=TokenPurpose.VERIFY_EMAIL, email=user.email, user=user)
    accounts.verify_email(token=token)
    assert accounts.authenticate(email="neu@example.org", password="Passwort-123456") == (
        user, None)
    with pytest.raises(tokens.TokenInvalid):  # a link works once
        accounts.verify_email(token=token)


def test_registering_a_known_address_creates_nothing(ctx):
    factories.user(email="kim@example.org")
    assert accounts.register(email="kim@example.org", name="X", password="Passwort-999999") is None


def test_an_access_link_clears_a_password_someone_else_registered(ctx):
    squatter = accounts.register(email="opfer@example.org", name="?", password="Passwort-123456")
    session_before = squatter.session_id
    token = tokens.issue(purpose=TokenPurpose.MAGIC_LINK, email=squatter.email, user=squatter,
                         payload={"next": "/bewerbung/"})
    user, next_url = accounts.use_magic_link(token=token)
    assert (user, next_url) == (squatter, "/bewerbung/")
    assert user.password_hash is None and user.email_verified_at is not None
    assert user.session_id != session_before


def test_a_link_of_a_deactivated_account_is_invalid(ctx):
    user = factories.user()
    token = tokens.issue(purpose=TokenPurpose.RESET_PASSWORD, email=user.email, user=user)
    user.active = False
    with pytest.raises(tokens.TokenInvalid):
        accounts.reset_password(token=token, password="Passwort-654321")


def test_changing_the_password_needs_the_current_one_and_ends_sessions(ctx):
    user = factories.user()
    session_before = user.session_id
    with pytest.raises(accounts.AccountError):
        accounts.change_password(actor=user, current_password="falsch", password="Neu-Passwort-1")
    accounts.change_password(actor=user, current_password=factories.PASSWORD,
                             password="Neu-Passwort-1")
    assert accounts.check_password(user, "Neu-Passwort-1")
    assert user.session_id != session_before


def test_an_invitation_gives_the_role_now_and_a_password_by_link(ctx):
    comp = factories.competition()
    admin = factories.admin()
    user = accounts.invite(actor=admin, email="jury@example.org", name="Jana Jury",
                           role=Role.JUROR, competition=comp, is_chair=True)
    assert [(r.role, r.competition_id, r.is_chair) for r in user.roles] == [
        (Role.JUROR, comp.id, True)]
    token = tokens.issue(purpose=TokenPurpose.INVITATION, email=user.email, user=user)
    accounts.accept_invitation(token=token, password="Passwort-777777")
    assert accounts.authenticate(email="jury@example.org", password="Passwort-777777") == (
        user, None)


def test_assigning_a_role_twice_keeps_one_assignment(ctx):
    comp = factories.competition()
    user = factories.user()
    first = accounts.assign_role(actor=None, user=user, role=Role.JUROR, competition=comp)
    again = accounts.assign_role(actor=None, user=user, role=Role.JUROR, competition=comp,
                                 is_chair=True)
    assert again is first and first.is_chair is True and len(user.roles) == 1


def test_the_last_administrator_keeps_the_role(ctx):
    admin = factories.admin()
    with pytest.raises(accounts.AccountError):
        accounts.revoke_role(actor=admin, assignment=admin.roles[0])
    second = factories.admin()
    accounts.revoke_role(actor=admin, assignment=second.roles[0])
    assert db.session.scalars(select(RoleAssignment.role).where(
        RoleAssignment.user_id == second.id)).all() == []
