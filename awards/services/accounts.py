"""Accounts: passwords, login bookkeeping, invitations and role assignment."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from awards.enums import Role, TokenPurpose
from awards.extensions import db
from awards.i18n import _l
from awards.models.base import utcnow
from awards.models.users import RoleAssignment, User, new_session_id
from awards.services import audit, mail, tokens
from awards.errors import DomainError

_hasher = PasswordHasher()


class AccountError(DomainError):
    """A change to accounts or roles that is not allowed; the message is for the user."""

MIN_PASSWORD_LENGTH = 10


# Built once, run on every request of a logged-in user: building a statement and its cache
# key costs SQLAlchemy more than running it (0.4 ms against 0.25 ms for this one).
_USER_WITH_ROLES = (select(User).options(joinedload(User.roles))
                    .where(User.id == bindparam("user_id")))


def user_with_roles(user_id):
    """The user with their role assignments (one statement: nearly every page checks
    them), or None."""
    return db.session.execute(_USER_WITH_ROLES, {"user_id": user_id}).unique().scalar_one_or_none()


def hash_password(password):
    return _hasher.hash(password)


def check_password(user, password):
    """True if the password is the user's. Without an account or a password, the password
    is checked against a dummy hash: every login attempt costs the same time."""
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def has_unconfirmed_password(user):
    """A password set at registration whose address was never proven by a link: it may be
    anyone's, so it does not log in, and an access link of the address's owner clears it."""
    return bool(user.password_hash) and user.email_verified_at is None


def authenticate(*, email, password):
    """Check a password login: returns (user, None) on success or (None, reason), reason
    "wrong" or "unconfirmed". Unknown, deactivated and password-less accounts do the same
    work (one lookup, one Argon2 verification) and give the same answer as a wrong password.
    "unconfirmed" is answered only to whoever knows the password."""
    user = find_user(email)
    ok = check_password(user, password)
    if not ok or not user.active:
        return None, "wrong"
    if user.email_verified_at is None:
        return None, "unconfirmed"
    return user, None


def find_user(email):
    if not email:
        return None
    return db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def get_or_create_user(*, email, name=""):
    user = find_user(email)
    if user is None:
        user = User(email=email.strip().lower(), name=name)
        db.session.add(user)
        db.session.flush()
    return user


def register(*, email, name, password):
    """Register an address; the answer on screen is the same whether it is new or not.

    A new address gets an account whose password logs in only once the address is proven
    by the link in the verification mail; an address that has an account already gets a
    mail saying so (with the ways to log in). Both paths hash the password, so they take
    the same time. Returns the new user, or None for a known address.
    """
    password_hash = hash_password(password)
    existing = find_user(email)
    if existing is not None:
        if existing.active:
            mail.enqueue(to=existing.email, template="account_exists", user=existing)
        return None
    user = User(email=email.strip().lower(), name=name, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    audit.record(actor=user, action="user.register", obj=user, new={"email": user.email})
    send_verification(user=user)
    return user


def send_verification(*, user):
    token = tokens.issue(purpose=TokenPurpose.VERIFY_EMAIL, email=user.email, user=user)
    mail.enqueue(to=user.email, template="verify_email", user=user, token=token)


def _consume_for_active_user(*, purpose, token):
    """Use up a link; a link of a deleted or deactivated account is invalid."""
    row = tokens.consume(purpose=purpose, token=token)
    if row.user is None or not row.user.active:
        raise tokens.TokenInvalid("invalid")
    return row


def verify_email(*, token):
    row = _consume_for_active_user(purpose=TokenPurpose.VERIFY_EMAIL, token=token)
    user = row.user
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(actor=user, action="user.verify_email", obj=user)
    return user


def confirm_address(*, user):
    """Mark the address as proven (by a link, or by the operator creating the account)."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(actor=user, action="user.verify_email", obj=user)


def record_login(*, user):
    user.last_login_at = utcnow()
    audit.record(actor=user, action="user.login", obj=user)


def end_all_sessions(*, user):
    """Change the session id in every login cookie of this user; old cookies stop working."""
    user.session_id = new_session_id()


def drop_unconfirmed_password(*, user):
    """The owner of the address has proven it by a link (Zugangslink, invitation): a
    password someone set at registration without proving the address is cleared and every
    session of the account ends, so whoever registered first keeps nothing."""
    if not has_unconfirmed_password(user):
        return False
    user.password_hash = None
    end_all_sessions(user=user)
    audit.record(actor=user, action="user.clear_unconfirmed_password", obj=user)
    return True


def request_password_reset(*, email):
    """Queue a reset link if the account exists; say nothing about whether it does."""
    user = find_user(email)
    if user is None or not user.active:
        return None
    token = tokens.issue(purpose=TokenPurpose.RESET_PASSWORD, email=user.email, user=user,
                         max_age_hours=2)
    mail.enqueue(to=user.email, template="reset_password", user=user, token=token)
    return user


def reset_password(*, token, password):
    row = _consume_for_active_user(purpose=TokenPurpose.RESET_PASSWORD, token=token)
    user = row.user
    set_password(user=user, password=password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proved the address
    return user


def set_password(*, user, password):
    """Set a new password; every session of the user ends (the view starts a fresh one for
    the browser that made the change)."""
    user.password_hash = hash_password(password)
    end_all_sessions(user=user)
    audit.record(actor=user, action="user.set_password", obj=user)


def change_password(*, actor, current_password, password):
    """A logged-in user changes (or, without one yet, sets) the password. The current
    password is required if there is one; raises AccountError otherwise."""
    if actor.password_hash and not check_password(actor, current_password or ""):
        raise AccountError(_l("Das bisherige Passwort ist falsch."))
    set_password(user=actor, password=password)


def request_magic_link(*, email, next_url=None):
    """Queue a Zugangslink; creates a password-less applicant account on first use."""
    user = get_or_create_user(email=email)
    if not user.active:
        return None
    token = tokens.issue(purpose=TokenPurpose.MAGIC_LINK, email=user.email, user=user,
                         payload={"next": next_url} if next_url else {}, max_age_hours=2)
    mail.enqueue(to=user.email, template="magic_link", user=user, token=token)
    return user


def use_magic_link(*, token):
    row = _consume_for_active_user(purpose=TokenPurpose.MAGIC_LINK, token=token)
    user = row.user
    drop_unconfirmed_password(user=user)
    confirm_address(user=user)  # the link proved the address
    return user, row.payload.get("next")


def invite(*, actor, email, name, role, prize_code=None, competition=None, is_chair=False):
    """Invite staff or a juror: the user gets the role now and sets a password by link."""
    user = get_or_create_user(email=email, name=name)
    if name and not user.name:
        user.name = name
    # The role must not reach a password or session of someone who registered this address
    # without proving it.
    drop_unconfirmed_password(user=user)
    assignment = assign_role(actor=actor, user=user, role=role, prize_code=prize_code,
                             competition=competition, is_chair=is_chair)
    token = tokens.issue(purpose=TokenPurpose.INVITATION, email=user.email, user=user,
                         max_age_hours=24 * 14)
    mail.enqueue(to=user.email, template="invitation", user=user, token=token,
                 assignment=assignment, inviter=actor)
    return user


def accept_invitation(*, token, password, name=None):
    row = _consume_for_active_user(purpose=TokenPurpose.INVITATION, token=token)
    user = row.user
    if name:
        user.name = name
    set_password(user=user, password=password)
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def assign_role(*, actor, user, role, prize_code=None, competition=None, is_chair=False):
    role = Role(role)
    competition_id = competition.id if competition is not None else None
    for existing in user.roles:
        if (existing.role, existing.prize_code, existing.competition_id) == (role, prize_code, competition_id):
            if existing.is_chair != is_chair:
                existing.is_chair = is_chair
            return existing
    assignment = RoleAssignment(user=user, role=role, prize_code=prize_code,
                                competition_id=competition_id, is_chair=is_chair)
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor=actor, action="role.assign", obj=assignment, competition_id=competition_id,
                 new={"user": user.email, "role": role.value, "prize_code": prize_code,
                      "competition_id": competition_id, "is_chair": is_chair})
    return assignment


def revoke_role(*, actor, assignment):
    if assignment.role == Role.ADMIN:
        admins = db.session.scalar(
            select(func.count(RoleAssignment.id)).where(RoleAssignment.role == Role.ADMIN))
        if admins <= 1:
            raise AccountError(_l("Die letzte Administrationsrolle kann nicht entzogen werden."))
    audit.record(actor=actor, action="role.revoke", obj=assignment,
                 competition_id=assignment.competition_id,
                 old={"user": assignment.user.email, "role": assignment.role.value,
                      "prize_code": assignment.prize_code,
                      "competition_id": assignment.competition_id})
    db.session.delete(assignment)
    db.session.flush()
