"""Staff revealed the applicants' names to the jury of a competition.

Until this row exists, every jury member of a competition with an anonymised round (the
chair included, also a jury member holding another role) sees its applications only through
the juror projection (see awards.permissions.identities_hidden_from). One row per
competition; revealing is final and audited.
"""
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.extensions import db
from awards.models.base import UTCDateTime, utcnow

__all__ = ["JuryReveal"]


class JuryReveal(db.Model):
    __tablename__ = "jury_reveals"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), unique=True
    )
    revealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revealed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    competition = relationship("Competition")
    revealed_by = relationship("User")
