from datetime import datetime
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class PollKind(str, enum.Enum):
    single = "single"
    multiple = "multiple"
    experience = "experience"


class ResultsVisibility(str, enum.Enum):
    always = "always"
    after_vote = "after_vote"
    after_close = "after_close"


class Effect(str, enum.Enum):
    """The effect scale (PRODUCT.md), in the order members read it."""
    major = "major"
    moderate = "moderate"
    slight = "slight"
    none = "none"
    worse = "worse"
    cant_tell = "cant_tell"


EFFECT_LABELS = {
    Effect.major: "Helped a lot",
    Effect.moderate: "Helped somewhat",
    Effect.slight: "Helped a little",
    Effect.none: "No difference",
    Effect.worse: "Made things worse",
    Effect.cant_tell: "Too early to tell",
}


class Poll(db.Model):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[PollKind] = mapped_column(sa.Enum(PollKind, native_enum=False, length=20))
    treatment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tags.id", ondelete="RESTRICT"), index=True)
    results_visibility: Mapped[ResultsVisibility] = mapped_column(
        sa.Enum(ResultsVisibility, native_enum=False, length=20), default=ResultsVisibility.always)
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    thread = relationship("Thread")
    treatment = relationship("Tag", lazy="joined", innerjoin=False)
    options: Mapped[list["PollOption"]] = relationship(back_populates="poll", order_by="PollOption.position",
                                                       cascade="all, delete-orphan")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None or (self.closes_at is not None and self.closes_at <= utcnow())


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    effect: Mapped[Effect | None] = mapped_column(sa.Enum(Effect, native_enum=False, length=20))

    poll: Mapped[Poll] = relationship(back_populates="options")


class Ballot(db.Model):
    """A member's answer to a poll. The unique constraint makes double votes impossible."""
    __tablename__ = "ballots"
    __table_args__ = (sa.UniqueConstraint("poll_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BallotChoice(db.Model):
    __tablename__ = "ballot_choices"

    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    # Repeated from the ballot so results are one grouped scan per poll.
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), index=True)
