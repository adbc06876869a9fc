"""Statistics releases: immutable snapshots of anonymized treatment statistics.

Pages and the API read these rows only; nothing is computed per request, so a
number cannot move between releases however often it is read.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class StatsRelease(db.Model):
    __tablename__ = "stats_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    # The privacy budget this release spent per member; 0 (test configuration only) means exact counts.
    epsilon: Mapped[float]
    # At most this many treatments counted per member (null for releases made before the bound existed).
    max_treatments_per_member: Mapped[int | None]
    min_members: Mapped[int]
    min_cell: Mapped[int]
    # The name of the noise mechanism and library, shown on the transparency page.
    mechanism: Mapped[str] = mapped_column(sa.String(200))
    treatments_published: Mapped[int] = mapped_column(default=0)
    treatments_suppressed: Mapped[int] = mapped_column(default=0)

    created_by = relationship("Member")
    treatments: Mapped[list["TreatmentStats"]] = relationship(
        back_populates="release", cascade="all, delete-orphan", passive_deletes=True)


class PrivacySpend(db.Model):
    """The privacy budget ledger: one row per release, kept even if the release itself is deleted.

    The budget check reads this table, never the releases, so deleting a release cannot give its
    epsilon back: what was published may already have been copied.
    """
    __tablename__ = "stats_privacy_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    spent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    epsilon: Mapped[float]
    release_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stats_releases.id", ondelete="SET NULL"))


class TreatmentStats(db.Model):
    """One treatment's published numbers in one release. Every count is already noised and clamped.

    When `suppressed` is true every number is null. A count below the cell
    minimum is stored as null, never as its value.
    """
    __tablename__ = "treatment_stats"
    __table_args__ = (
        sa.UniqueConstraint("release_id", "treatment_id"),
        sa.Index("ix_treatment_stats_rank", "release_id", "ci_low"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(sa.ForeignKey("stats_releases.id", ondelete="CASCADE"))
    treatment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tags.id", ondelete="SET NULL"), index=True)
    # The tag as it was named at release time: a snapshot does not change with the vocabulary.
    treatment_slug: Mapped[str] = mapped_column(sa.String(60))
    treatment_name: Mapped[str] = mapped_column(sa.String(80))
    suppressed: Mapped[bool]
    members: Mapped[int | None]
    effect_major: Mapped[int | None]
    effect_moderate: Mapped[int | None]
    effect_slight: Mapped[int | None]
    effect_none: Mapped[int | None]
    effect_worse: Mapped[int | None]
    effect_cant_tell: Mapped[int | None]
    # Major + moderate + slight together. When one of the three would show as "<5", the three are
    # published only as this group, so that the group minus the others cannot give the hidden one away.
    helped_count: Mapped[int | None]
    helped_share: Mapped[float | None]
    ci_low: Mapped[float | None]
    ci_high: Mapped[float | None]
    # [{"slug", "name", "count", "share"}], most reported first; cells under the minimum left out.
    side_effects: Mapped[list] = mapped_column(sa.JSON, default=list)
    symptoms: Mapped[list] = mapped_column(sa.JSON, default=list)

    release: Mapped[StatsRelease] = relationship(back_populates="treatments")
