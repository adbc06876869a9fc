from datetime import datetime
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db
from app.polls.models import Effect


class Duration(str, enum.Enum):
    lt_1m = "lt_1m"
    m1_6 = "1_6m"
    m6_12 = "6_12m"
    y1_5 = "1_5y"
    gt_5y = "gt_5y"


DURATION_LABELS = {
    Duration.lt_1m: "Less than a month",
    Duration.m1_6: "1 to 6 months",
    Duration.m6_12: "6 to 12 months",
    Duration.y1_5: "1 to 5 years",
    Duration.gt_5y: "More than 5 years",
}


class UsageStatus(str, enum.Enum):
    current = "current"
    stopped = "stopped"


class StopReason(str, enum.Enum):
    side_effects = "side_effects"
    not_effective = "not_effective"
    cost = "cost"
    other = "other"


STOP_REASON_LABELS = {
    StopReason.side_effects: "Side effects",
    StopReason.not_effective: "It did not work well enough",
    StopReason.cost: "Cost or access",
    StopReason.other: "Another reason",
}


class Severity(str, enum.Enum):
    mild = "mild"
    moderate = "moderate"
    severe = "severe"


experience_symptoms = sa.Table(
    "experience_symptoms",
    db.metadata,
    sa.Column("report_id", sa.ForeignKey("experience_reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ExperienceReport(db.Model):
    """How one treatment worked for one member. Seen by its owner only, ever."""
    __tablename__ = "experience_reports"
    __table_args__ = (sa.UniqueConstraint("member_id", "treatment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    treatment_id: Mapped[int] = mapped_column(sa.ForeignKey("tags.id", ondelete="RESTRICT"), index=True)
    effect: Mapped[Effect] = mapped_column(sa.Enum(Effect, native_enum=False, length=20))
    duration: Mapped[Duration] = mapped_column(sa.Enum(Duration, native_enum=False, length=20,
                                                       values_callable=lambda e: [m.value for m in e]))
    status: Mapped[UsageStatus] = mapped_column(sa.Enum(UsageStatus, native_enum=False, length=20))
    stop_reason: Mapped[StopReason | None] = mapped_column(sa.Enum(StopReason, native_enum=False, length=20))
    dose: Mapped[str | None] = mapped_column(sa.String(200))
    share_in_stats: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The time of the member's latest statement: statistics compare it with ballots.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    treatment = relationship("Tag", lazy="joined")
    symptoms = relationship("Tag", secondary=experience_symptoms, order_by="Tag.name")
    side_effects: Mapped[list["ExperienceSideEffect"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", passive_deletes=True)
    revisions = relationship("ExperienceRevision", back_populates="report", lazy="write_only",
                             cascade="all, delete-orphan", passive_deletes=True)


class ExperienceSideEffect(db.Model):
    __tablename__ = "experience_side_effects"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("experience_reports.id", ondelete="CASCADE"),
                                           primary_key=True)
    side_effect_id: Mapped[int] = mapped_column(sa.ForeignKey("side_effects.id", ondelete="CASCADE"),
                                                primary_key=True, index=True)
    severity: Mapped[Severity] = mapped_column(sa.Enum(Severity, native_enum=False, length=20))

    report: Mapped[ExperienceReport] = relationship(back_populates="side_effects")
    side_effect = relationship("SideEffect", lazy="joined")


class ExperienceRevision(db.Model):
    """Each saved version of a report, as its owner wrote it (kept with the report, erased with it)."""
    __tablename__ = "experience_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("experience_reports.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report = relationship("ExperienceReport", back_populates="revisions")
