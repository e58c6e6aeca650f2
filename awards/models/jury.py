"""Jury, rounds, assignments, conflicts and scores.

A Round belongs to a competition and takes a copy of the competition's criteria
(RoundCriterion) so that later edits of the competition do not change a running round.
Every application in a round is a RoundEntry with a random neutral code ("B-7Q4K"):
jurors address entries only by this code. A juror may load an entry if it is assigned
to them, they declared no conflict for its application and the round is open.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.enums import LabelledEnum
from awards.extensions import db
from awards.i18n import _l
from awards.models.base import TimestampMixin, UTCDateTime, utcnow

__all__ = [
    "RoundStatus", "RoundSource", "TieBreak", "RedactionState", "ScoreStatus",
    "Round", "RoundCriterion", "RoundEntry", "Assignment", "Conflict", "Score", "ScoreValue",
]


class RoundStatus(LabelledEnum):
    DRAFT = "draft", _l("In Vorbereitung")
    OPEN = "open", _l("Freigegeben")
    CLOSED = "closed", _l("Abgeschlossen")


class RoundSource(LabelledEnum):
    ADMISSIBLE = "admissible", _l("Alle formal zugelassenen Bewerbungen")
    ADVANCED = "advanced", _l("Aus der vorigen Runde weitergeleitete Bewerbungen")


class TieBreak(LabelledEnum):
    NONE = "none", _l("Keine: Gleichstand bleibt bestehen, die Jury entscheidet in der Sitzung")
    MEDIAN = "median", _l("Höherer Median")
    CRITERION = "criterion", _l("Höherer Mittelwert im gewählten Kriterium")
    CHAIR = "chair", _l("Höhere Bewertung des Jury-Vorsitzes")


class RedactionState(LabelledEnum):
    PENDING = "pending", _l("Noch nicht geprüft")
    APPROVED = "approved", _l("Freigegeben")


class ScoreStatus(LabelledEnum):
    DRAFT = "draft", _l("Zwischengespeichert")
    FINAL = "final", _l("Abgeschlossen")


class Round(TimestampMixin, db.Model):
    __tablename__ = "jury_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=1)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RoundStatus] = mapped_column(
        db.Enum(RoundStatus, native_enum=False, length=20), default=RoundStatus.DRAFT, index=True
    )
    source: Mapped[RoundSource] = mapped_column(
        db.Enum(RoundSource, native_enum=False, length=20), default=RoundSource.ADMISSIBLE
    )
    anonymised: Mapped[bool] = mapped_column(default=True)
    # None: every juror scores every entry; k: balanced automatic assignment of k jurors.
    jurors_per_application: Mapped[int | None] = mapped_column()
    show_others_after_submit: Mapped[bool] = mapped_column(default=False)
    # Rank by the per-juror z-score normalised totals instead of the raw ones.
    rank_by_normalised: Mapped[bool] = mapped_column(default=False)
    tie_break: Mapped[TieBreak] = mapped_column(
        db.Enum(TieBreak, native_enum=False, length=20), default=TieBreak.NONE
    )
    # The RoundCriterion used by TieBreak.CRITERION (no foreign key: the two tables would
    # reference each other).
    tie_break_criterion_id: Mapped[int | None] = mapped_column()
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The ranking frozen when the round closes; later changes cannot alter it.
    # Deferred: a frozen ranking can be megabytes of JSON; only the ranking, exports and
    # minutes read it, not every page that lists rounds.
    snapshot: Mapped[dict | None] = mapped_column(db.JSON, deferred=True)

    competition = relationship("Competition")
    criteria: Mapped[list["RoundCriterion"]] = relationship(
        back_populates="round", cascade="all, delete-orphan",
        order_by="RoundCriterion.position", foreign_keys="RoundCriterion.round_id",
    )
    entries: Mapped[list["RoundEntry"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundEntry.code"
    )

    @property
    def code_prefix(self):
        return "ABCDEFGHJKLMNPQRSTUVWXYZ"[(self.position - 1) % 24]

    @property
    def is_frozen(self):
        return self.status == RoundStatus.CLOSED

    def accepts_scores(self, now=None):
        """Open for jurors: released by staff, within its time window, not closed."""
        now = now or utcnow()
        if self.status != RoundStatus.OPEN:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        if self.closes_at is not None and now >= self.closes_at:
            return False
        return True

    def __repr__(self):
        return f"<Round {self.id} {self.name}>"


class RoundCriterion(db.Model):
    """A criterion as used in one round (copied from the competition, weight adjustable)."""

    __tablename__ = "jury_round_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int | None] = mapped_column(
        ForeignKey("criteria.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # English versions copied from the competition's criterion (optional).
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(default=1)
    scale_min: Mapped[int] = mapped_column(default=0)
    scale_max: Mapped[int] = mapped_column(default=10)
    anchors: Mapped[dict] = mapped_column(db.JSON, default=dict)
    anchors_en: Mapped[dict | None] = mapped_column(db.JSON, default=dict)

    round: Mapped[Round] = relationship(back_populates="criteria", foreign_keys=[round_id])

    def anchor_for(self, value):
        return (self.anchors or {}).get(str(value), "")

    def anchor_en_for(self, value):
        return (self.anchors_en or {}).get(str(value), "")


class RoundEntry(TimestampMixin, db.Model):
    """An application taking part in a round, known to jurors only by its code."""

    __tablename__ = "jury_round_entries"
    __table_args__ = (
        UniqueConstraint("round_id", "code", name="uq_jury_round_entries_round_code"),
        UniqueConstraint("round_id", "application_id", name="uq_jury_round_entries_round_application"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(10))
    # Redaction review: terms staff add, automatic hits staff chose to keep visible.
    extra_terms: Mapped[list] = mapped_column(db.JSON, default=list)
    kept_terms: Mapped[list] = mapped_column(db.JSON, default=list)
    # Single redacted occurrences staff lifted, identified without their position:
    # [{"field", "term", "context" (hash of the text around it), "n"}].
    lifted_occurrences: Mapped[list | None] = mapped_column(db.JSON, default=list)
    redaction_state: Mapped[RedactionState] = mapped_column(
        db.Enum(RedactionState, native_enum=False, length=20), default=RedactionState.PENDING
    )
    # Fingerprint of the juror projection that staff approved; if the content changes,
    # the approval no longer matches and the round cannot open.
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Result of the last leak scan: [{"where": ..., "term": ...}], and when it ran.
    leak_hits: Mapped[list] = mapped_column(db.JSON, default=list)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The redacted copies of the jury-visible PDFs made for this entry (services/jury_files):
    # {"files": {attachment id: {key, text_key, basis, sha256, pages, ...}}, "people": [...]}.
    jury_files: Mapped[dict] = mapped_column(db.JSON, default=dict)
    advanced_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("jury_round_entries.id", ondelete="SET NULL"), index=True
    )

    round: Mapped[Round] = relationship(back_populates="entries")
    application = relationship("Application")
    advanced_from = relationship("RoundEntry", remote_side=[id])
    approved_by = relationship("User")


class Assignment(db.Model):
    __tablename__ = "jury_assignments"
    # A juror's assignments are read per round (progress, entry list, dashboard): one index
    # on juror and round, which also serves lookups by juror alone.
    __table_args__ = (UniqueConstraint("entry_id", "juror_id", name="uq_jury_assignments_entry_juror"),
                      Index("ix_jury_assignments_juror_round", "juror_id", "round_id",
                            # the juror's progress is answered from the index alone
                            postgresql_include=["entry_id", "id"]))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("jury_round_entries.id", ondelete="CASCADE"), index=True
    )
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    manual: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[RoundEntry] = relationship()
    juror = relationship("User")


class Conflict(db.Model):
    """Befangenheit: the juror must not see, score or deliberate on this application."""

    __tablename__ = "jury_conflicts"
    __table_args__ = (
        UniqueConstraint("application_id", "juror_id", name="uq_jury_conflicts_application_juror"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The round (and entry) in which it was declared; the conflict holds for every round.
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("jury_rounds.id", ondelete="SET NULL"), index=True
    )
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("jury_round_entries.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    juror = relationship("User", foreign_keys=[juror_id])
    declared_by = relationship("User", foreign_keys=[declared_by_id])
    entry = relationship("RoundEntry")

    @property
    def self_declared(self):
        return self.declared_by_id == self.juror_id


class Score(TimestampMixin, db.Model):
    """One juror's Bewertungsbogen for one entry."""

    __tablename__ = "jury_scores"
    # A juror's scores are counted per round (progress, dashboard): one index on juror and
    # round, which also serves lookups by juror alone.
    __table_args__ = (UniqueConstraint("entry_id", "juror_id", name="uq_jury_scores_entry_juror"),
                      Index("ix_jury_scores_juror_round", "juror_id", "round_id",
                            # the juror's progress is answered from the index alone
                            postgresql_include=["entry_id", "status", "id"]))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("jury_round_entries.id", ondelete="CASCADE"), index=True
    )
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ScoreStatus] = mapped_column(
        db.Enum(ScoreStatus, native_enum=False, length=20), default=ScoreStatus.DRAFT, index=True
    )
    comment: Mapped[str] = mapped_column(Text, default="")
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1, nullable=False)
    __mapper_args__ = {"version_id_col": version}

    entry: Mapped[RoundEntry] = relationship()
    juror = relationship("User")
    values: Mapped[list["ScoreValue"]] = relationship(
        back_populates="score", cascade="all, delete-orphan", lazy="selectin"
    )

    def value_map(self):
        return {v.round_criterion_id: v for v in self.values}


class ScoreValue(db.Model):
    __tablename__ = "jury_score_values"
    __table_args__ = (
        UniqueConstraint("score_id", "round_criterion_id", name="uq_jury_score_values_score_criterion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("jury_scores.id", ondelete="CASCADE"), index=True)
    round_criterion_id: Mapped[int] = mapped_column(
        ForeignKey("jury_round_criteria.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int | None] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")

    score: Mapped[Score] = relationship(back_populates="values")
    criterion: Mapped[RoundCriterion] = relationship()
