"""Decisions, their release, per-competition mail templates, certificate settings and
certificates (Urkunden).

A Decision exists only for an awarded application. Everything here stays internal until a
DecisionRelease row exists for the competition; the public sees winners only once the
competition is also published (see awards.services.publication).
"""
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.extensions import db
from awards.models.base import TimestampMixin, UTCDateTime

__all__ = [
    "Decision", "DecisionRelease", "MailTemplate", "CertificateSettings", "Certificate",
    "new_verification_code", "MAIL_KINDS",
]

# Kinds of decision mail a competition has a template for: winners, applications the jury
# scored but did not award, formally inadmissible ones, ones the jury never scored, and ones
# opened for a correction that was never sent back.
MAIL_KINDS = ("congratulation", "notice", "inadmissible", "not_scored", "not_resubmitted")

# Crockford-like alphabet without 0/O, 1/I/L: easy to read off paper and to type.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code():
    """12 random characters (about 59 bits) in groups of four: "K7QM-4XTP-9BHD"."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


class Decision(TimestampMixin, db.Model):
    """The jury's decision to award one application a prize category and an amount."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("prize_categories.id", ondelete="RESTRICT"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(default=0)
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the total went over the budget and someone confirmed it on purpose.
    over_budget_reason: Mapped[str] = mapped_column(Text, default="")
    # Why an application that did not go the whole way (formally admissible, scored in the
    # jury's last round) is awarded all the same; empty for a regular decision.
    exception_reason: Mapped[str] = mapped_column(Text, default="")
    # Staff revoked the award after the release (with a reason); it no longer counts.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[int] = mapped_column(default=1, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    competition = relationship("Competition")
    application = relationship("Application")
    category = relationship("PrizeCategory")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class DecisionRelease(db.Model):
    """Staff released a competition's decisions: mails went out, certificates may be fetched."""

    __tablename__ = "decision_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), unique=True
    )
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    winners_notified: Mapped[int] = mapped_column(default=0)
    others_notified: Mapped[int] = mapped_column(default=0)

    competition = relationship("Competition")
    released_by = relationship("User")


class MailTemplate(TimestampMixin, db.Model):
    """A competition's own wording of a decision mail; without a row the default applies."""

    __tablename__ = "decision_mail_templates"
    __table_args__ = (
        UniqueConstraint("competition_id", "kind", name="uq_decision_mail_templates_comp_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class CertificateSettings(TimestampMixin, db.Model):
    """Per-competition certificate options (signatories and logo live on Competition)."""

    __tablename__ = "certificate_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), unique=True
    )
    show_amount: Mapped[bool] = mapped_column(default=True)
    # "München, 12. Mai 2026": place and date printed above the signatures.
    place: Mapped[str] = mapped_column(String(120), default="")
    issue_date: Mapped[date | None] = mapped_column(Date)
    # One optional sentence under the laureate, e.g. "in Anerkennung des Engagements ...".
    tribute: Mapped[str] = mapped_column(String(300), default="")


class Certificate(TimestampMixin, db.Model):
    """The stored PDF of a laureate's certificate; re-rendered only when its data changes."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20), unique=True, default=new_verification_code)
    storage_key: Mapped[str | None] = mapped_column(String(300))
    # SHA-256 over everything printed plus the template; a change means a new PDF.
    data_hash: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(default=0)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application = relationship("Application")
    competition = relationship("Competition")
