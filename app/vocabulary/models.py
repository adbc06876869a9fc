import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class TagKind(str, enum.Enum):
    symptom = "symptom"
    treatment = "treatment"
    trigger = "trigger"
    topic = "topic"


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[TagKind] = mapped_column(sa.Enum(TagKind, native_enum=False, length=20), index=True)
    description: Mapped[str] = mapped_column(sa.String(500))

    synonyms: Mapped[list["TagSynonym"]] = relationship(
        back_populates="tag", cascade="all, delete-orphan", order_by="TagSynonym.name"
    )

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class TagSynonym(db.Model):
    """Brand and everyday names that resolve to a tag (Lioresal → baclofen)."""
    __tablename__ = "tag_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # Case-folded name: one synonym may point to one tag only.
    name_key: Mapped[str] = mapped_column(sa.String(80), unique=True)

    tag: Mapped[Tag] = relationship(back_populates="synonyms")


class SideEffect(db.Model):
    """Side effects members can report with a treatment experience."""
    __tablename__ = "side_effects"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(500))
