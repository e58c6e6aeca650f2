"""A competition edition (one prize in one year) with its categories and criteria."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.enums import AllocationMode, CompetitionStatus, Level, Region
from awards.extensions import db
from awards.models.base import TimestampMixin, UTCDateTime


class Competition(TimestampMixin, db.Model):
    __tablename__ = "competitions"
    __table_args__ = (UniqueConstraint("prize_code", "year", name="uq_competitions_prize_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The prize series this edition belongs to: "BIP" or a region code such as "OBB".
    prize_code: Mapped[str] = mapped_column(String(10), index=True)
    level: Mapped[Level] = mapped_column(db.Enum(Level, native_enum=False, length=20))
    region: Mapped[Region | None] = mapped_column(db.Enum(Region, native_enum=False, length=10),
                                                  index=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    motto: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    preparation: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    # Optional English versions of the call texts; English pages fall back on the German
    # text, marked lang="de" (awards/content_language.py).
    title_en: Mapped[str] = mapped_column(String(200), default="")
    motto_en: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    eligibility_en: Mapped[str] = mapped_column(Text, default="")
    preparation_en: Mapped[str] = mapped_column(Text, default="")
    contact_en: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ceremony_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ceremony_place: Mapped[str] = mapped_column(String(200), default="")
    budget_cents: Mapped[int] = mapped_column(default=0)
    allocation_mode: Mapped[AllocationMode] = mapped_column(
        db.Enum(AllocationMode, native_enum=False, length=20), default=AllocationMode.RANKED
    )
    status: Mapped[CompetitionStatus] = mapped_column(
        db.Enum(CompetitionStatus, native_enum=False, length=20),
        default=CompetitionStatus.DRAFT,
        index=True,
    )
    # A pre-selection jury round may run while the call is still open (a setting).
    preselection_during_call: Mapped[bool] = mapped_column(default=False)
    # Winners become public at this instant (press embargo until the ceremony), or by hand.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Certificate settings: list of {"name": ..., "title": ...}; logo in storage.
    signatories: Mapped[list] = mapped_column(db.JSON, default=list)
    logo_key: Mapped[str | None] = mapped_column(String(300))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id"), index=True)
    # Automatic mails, each switched on per competition (sent by `flask auto-mails`).
    mail_round_opened: Mapped[bool] = mapped_column(default=False)
    mail_round_closing: Mapped[bool] = mapped_column(default=False)
    mail_round_closing_days: Mapped[int] = mapped_column(default=3)
    mail_draft_reminder: Mapped[bool] = mapped_column(default=False)
    mail_draft_reminder_days: Mapped[int] = mapped_column(default=7)
    mail_ceremony_invitation: Mapped[bool] = mapped_column(default=False)

    categories: Mapped[list["PrizeCategory"]] = relationship(
        back_populates="competition",
        cascade="all, delete-orphan",
        order_by="PrizeCategory.rank",
        # Loaded when read (most pages that load a competition never do); pages that list
        # competitions with their categories ask for selectinload themselves.
        lazy="select",
    )
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="competition",
        cascade="all, delete-orphan",
        order_by="Criterion.position",
        lazy="select",
    )

    @property
    def reference_prefix(self):
        return f"{self.prize_code}-{self.year}"

    def __repr__(self):
        return f"<Competition {self.prize_code} {self.year}>"


class PrizeCategory(db.Model):
    """A prize to award, e.g. "3. Preis" with 2.000 € awarded twice."""

    __tablename__ = "prize_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120), default="")
    rank: Mapped[int] = mapped_column(default=1)
    amount_cents: Mapped[int] = mapped_column(default=0)
    count: Mapped[int] = mapped_column(default=1)

    competition: Mapped[Competition] = relationship(back_populates="categories")


class Criterion(db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(default=1)
    scale_min: Mapped[int] = mapped_column(default=0)
    scale_max: Mapped[int] = mapped_column(default=10)
    # {"0": "trifft nicht zu", "5": "...", "10": "..."}: anchor texts by scale value.
    anchors: Mapped[dict] = mapped_column(db.JSON, default=dict)
    anchors_en: Mapped[dict | None] = mapped_column(db.JSON, default=dict)

    competition: Mapped[Competition] = relationship(back_populates="criteria")
