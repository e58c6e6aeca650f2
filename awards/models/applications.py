"""An application (Bewerbung) with its attachments.

What each field is for (labels, step, who reads it, whether it identifies the applicant) is
declared once in the field registry, awards.fields. The jury never reads this model directly.
"""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.enums import ApplicantType, ApplicationStatus, FormalCheck, Region, SubmissionKind
from awards.extensions import db
from awards.models.base import TimestampMixin, UTCDateTime, utcnow


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("competition_id", "number", name="uq_applications_competition_number"),
        # Lists and counts of a competition's applications by status (the intake list,
        # drafts, statistics) are answered from the index alone.
        Index("ix_applications_competition_status", "competition_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE")
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        db.Enum(ApplicationStatus, native_enum=False, length=20),
        default=ApplicationStatus.DRAFT,
        index=True,
    )
    # Set on first submission: running number per competition and "BIP-2026-0042".
    number: Mapped[int | None] = mapped_column()
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_step: Mapped[int] = mapped_column(default=1)
    autosaved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest submission after a correction (submitted_at keeps the first, on-time one).
    resubmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    # Until when a reopened application may be sent again (end of a day, Berlin time).
    correction_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest receipt PDF (Eingangsbestätigung) in storage.
    receipt_key: Mapped[str | None] = mapped_column(String(300))
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )

    # Step 1: who applies
    kind: Mapped[SubmissionKind] = mapped_column(
        db.Enum(SubmissionKind, native_enum=False, length=20), default=SubmissionKind.SELF
    )
    nominator_name: Mapped[str] = mapped_column(String(200), default="")
    nominator_org: Mapped[str] = mapped_column(String(200), default="")
    nominator_email: Mapped[str] = mapped_column(String(254), default="")
    nominator_phone: Mapped[str] = mapped_column(String(50), default="")
    applicant_type: Mapped[ApplicantType | None] = mapped_column(
        db.Enum(ApplicantType, native_enum=False, length=20), index=True
    )
    org_name: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    region: Mapped[Region | None] = mapped_column(
        db.Enum(Region, native_enum=False, length=10), index=True
    )
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(300), default="")

    # Step 2: the project
    project_title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    motto_relation: Mapped[str] = mapped_column(Text, default="")
    project_start: Mapped[date | None] = mapped_column(Date)

    # Step 3: numbers and partners
    volunteers_count: Mapped[int | None] = mapped_column()
    staff_count: Mapped[int | None] = mapped_column()
    people_reached: Mapped[int | None] = mapped_column()
    partners: Mapped[str] = mapped_column(Text, default="")
    funding: Mapped[str] = mapped_column(Text, default="")
    previous_awards: Mapped[str] = mapped_column(Text, default="")

    # Step 5: consents, each separate
    consent_privacy: Mapped[bool] = mapped_column(default=False)
    consent_truthful: Mapped[bool] = mapped_column(default=False)
    consent_publish_name: Mapped[bool] = mapped_column(default=False)
    consent_publish_text: Mapped[bool] = mapped_column(default=False)
    consent_publish_photos: Mapped[bool] = mapped_column(default=False)
    image_rights_confirmed: Mapped[bool] = mapped_column(default=False)

    # Staff intake
    formal_check: Mapped[FormalCheck] = mapped_column(
        db.Enum(FormalCheck, native_enum=False, length=20), default=FormalCheck.PENDING, index=True
    )
    formal_check_reason: Mapped[str] = mapped_column(Text, default="")
    formal_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    formal_checked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    version: Mapped[int] = mapped_column(default=1, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    competition = relationship("Competition")
    owner = relationship("User", foreign_keys=[owner_id])
    formal_checked_by = relationship("User", foreign_keys=[formal_checked_by_id])
    district = relationship("District")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def display_title(self):
        return self.project_title or "(ohne Projekttitel)"


class Attachment(TimestampMixin, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300), default="")
    jury_visible: Mapped[bool] = mapped_column(default=False)
    # Key of the metadata-stripped copy that jurors may load (set by anonymisation).
    jury_storage_key: Mapped[str | None] = mapped_column(String(300))

    application: Mapped[Application] = relationship(back_populates="attachments")

    @property
    def is_image(self):
        return self.content_type in ("image/jpeg", "image/png")


class FormStash(db.Model):
    """Form data posted after the login expired, kept until the owner logs in again.

    The token travels only in an HttpOnly cookie of the same browser (never in a URL), so a
    stash cannot be planted into someone else's browser; only its hash is stored.
    """

    __tablename__ = "form_stashes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # Keyed hash of the posting client's address: caps how many stashes one client keeps.
    client_key: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
