"""The statistics an experience poll shows: its treatment's numbers in the latest release.

Registered with polls at start-up (app/stats/__init__.py), since polls sit below statistics.
"""
import sqlalchemy as sa

from app.extensions import db
from app.polls.statistics import ExperienceStatistics
from app.stats.models import TreatmentStats
from app.stats.services import latest_release


def experience_statistics(treatment_ids: list[int]) -> dict[int, ExperienceStatistics]:
    """Two queries however many polls ask: the latest release, and these treatments' rows in it."""
    release = latest_release()
    rows = {}
    if release is not None:
        rows = {row.treatment_id: row for row in db.session.scalars(sa.select(TreatmentStats).where(
            TreatmentStats.release_id == release.id, TreatmentStats.treatment_id.in_(treatment_ids)))}
    found = {}
    for treatment_id in treatment_ids:
        row = rows.get(treatment_id)
        published = row is not None and not row.suppressed
        found[treatment_id] = ExperienceStatistics(
            release_id=release.id if release is not None else None,
            published_at=release.created_at if release is not None else None,
            published=published,
            members=row.members if published else None,
            helped_share=row.helped_share if published else None,
            ci_low=row.ci_low if published else None,
            ci_high=row.ci_high if published else None)
    return found
