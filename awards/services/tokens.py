"""Signed, expiring, single-use links (e-mail verification, reset, Zugangslink, invitation).

The link carries a signed nonce; the server keeps only its hash with the expiry and the
time of use, so a link works once, on any host, and can be revoked.

A link is used up by one conditional UPDATE (`used_at` is set only where it is still
empty), so of several requests with the same link, on any number of workers, exactly one
wins. Issuing a link voids the unused older links of the same purpose for the same account:
only the newest reset (or invitation, verification, Zugangslink) link works.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from awards.extensions import db
from awards.models.base import utcnow
from awards.models.users import OneTimeToken
from awards.errors import DomainError


class TokenInvalid(DomainError):
    """The link is forged, expired, already used or replaced by a newer one."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired", "used" or "replaced"


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"awards-{purpose.value}")


def _hash(nonce):
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue(*, purpose, email, user=None, payload=None, max_age_hours=None):
    """Create a token row and return the string to put into the link."""
    hours = max_age_hours or current_app.config["TOKEN_MAX_AGE_HOURS"]
    void_older(purpose=purpose, email=email, user=user)
    nonce = secrets.token_urlsafe(24)
    db.session.add(
        OneTimeToken(
            nonce_hash=_hash(nonce),
            purpose=purpose,
            user_id=user.id if user is not None else None,
            email=email.lower(),
            expires_at=utcnow() + timedelta(hours=hours),
            payload=payload or {},
        )
    )
    db.session.flush()
    return _serializer(purpose).dumps(nonce)


def void_older(*, purpose, email, user=None):
    """Use up every unused link of this purpose for this account (or address)."""
    owner = [OneTimeToken.email == email.lower()]
    if user is not None and user.id is not None:
        owner.append(OneTimeToken.user_id == user.id)
    now = utcnow()
    db.session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.purpose == purpose, OneTimeToken.used_at.is_(None), or_(*owner))
        .values(used_at=now, voided_at=now)
        .execution_options(synchronize_session="fetch")
    )


def _nonce(purpose, token):
    try:
        return _serializer(purpose).loads(token or "", max_age=None)
    except SignatureExpired:
        raise TokenInvalid("expired") from None
    except BadSignature:
        raise TokenInvalid("invalid") from None


def peek(*, purpose, token):
    """Return the token row if the link is valid now, without using it up."""
    nonce = _nonce(purpose, token)
    row = db.session.scalars(
        select(OneTimeToken).where(
            OneTimeToken.nonce_hash == _hash(nonce), OneTimeToken.purpose == purpose
        )
    ).first()
    if row is None:
        raise TokenInvalid("invalid")
    if row.voided_at is not None:
        raise TokenInvalid("replaced")
    if row.used_at is not None:
        raise TokenInvalid("used")
    if row.expires_at <= utcnow():
        raise TokenInvalid("expired")
    return row


def consume(*, purpose, token):
    """Validate and mark the link as used; returns the token row.

    One conditional UPDATE decides: it sets `used_at` only where it is still empty and the
    link has not expired. A second request with the same link waits for the first one's
    row lock (PostgreSQL) or database lock (SQLite), then finds `used_at` set and updates
    nothing: it is refused as "used", even when both read the row as unused before.
    """
    nonce = _nonce(purpose, token)
    now = utcnow()
    result = db.session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.nonce_hash == _hash(nonce), OneTimeToken.purpose == purpose,
               OneTimeToken.used_at.is_(None), OneTimeToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        peek(purpose=purpose, token=token)  # raises with the reason (used, expired, invalid)
        raise TokenInvalid("used")
    row = db.session.scalars(
        select(OneTimeToken).where(OneTimeToken.nonce_hash == _hash(nonce))
    ).one()
    set_committed_value(row, "used_at", now)  # the UPDATE above already stored it
    return row
