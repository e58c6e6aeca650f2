"""Public texts of winners and the press kit of a competition.

The text the public reads about a winner is not the raw application: staff write it
(PublicText), the applicant approves it, and only the approved copy (approved_title,
approved_text) reaches the winners pages and the press kit. Staff may rework the draft
after an approval; the public keeps the approved copy until the new draft is approved.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from awards.extensions import db
from awards.models.base import TimestampMixin, UTCDateTime

__all__ = ["PublicText", "PressKit", "PUBLIC_TEXT_STATES"]

# draft: staff are writing, the applicant does not see it yet; proposed: waiting for the
# applicant; approved: the applicant agreed (the copy is public once the winners are);
# changes_requested: the applicant asked for a change (comment).
PUBLIC_TEXT_STATES = ("draft", "proposed", "approved", "changes_requested")


class PublicText(TimestampMixin, db.Model):
    __tablename__ = "public_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # "Foto: ..." printed under the winner's photos in the press kit.
    photo_credit: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    applicant_comment: Mapped[str] = mapped_column(Text, default="")
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    approved_title: Mapped[str | None] = mapped_column(String(300))
    approved_text: Mapped[str | None] = mapped_column(Text)

    version: Mapped[int] = mapped_column(default=1, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    decision = relationship("Decision", backref=backref("public_text", uselist=False,
                                                        passive_deletes=True))
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])


class PressKit(TimestampMixin, db.Model):
    """The press release staff write for a competition (one per competition)."""

    __tablename__ = "press_kits"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), unique=True
    )
    headline: Mapped[str] = mapped_column(String(300), default="")
    release_text: Mapped[str] = mapped_column(Text, default="")
    press_contact: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    version: Mapped[int] = mapped_column(default=1, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    competition = relationship("Competition")
    updated_by = relationship("User")
