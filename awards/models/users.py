"""Accounts, role assignments and one-time tokens."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.enums import Role, TokenPurpose
from awards.extensions import db
from awards.models.base import TimestampMixin, UTCDateTime


def new_session_id():
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie; changing it ends every session of this user (logout, reset).
    session_id: Mapped[str] = mapped_column(String(64), default=new_session_id)

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self):
        return f"{self.id}:{self.session_id}"

    @property
    def is_active(self):
        return self.active

    def has_role(self, role):
        return any(r.role == role for r in self.roles)

    @property
    def is_admin(self):
        return self.has_role(Role.ADMIN)

    @property
    def display_name(self):
        return self.name or self.email

    def __repr__(self):
        return f"<User {self.email}>"


class RoleAssignment(TimestampMixin, db.Model):
    """A role of a user. Staff may be scoped to a prize (all its years) or unscoped
    (ministry office: every prize); jurors always to one competition edition."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "prize_code", "competition_id", name="uq_role_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(db.Enum(Role, native_enum=False, length=20))
    prize_code: Mapped[str | None] = mapped_column(String(10), index=True)
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    is_chair: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="roles")
    competition = relationship("Competition")


class OneTimeToken(TimestampMixin, db.Model):
    """Server-side record of a signed link so that it works once and can expire early."""

    __tablename__ = "one_time_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(db.Enum(TokenPurpose, native_enum=False, length=20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set (with used_at) when a newer link of the same purpose replaced this one.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(db.JSON, default=dict)

    user: Mapped[User | None] = relationship()
