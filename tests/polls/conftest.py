import pytest


@pytest.fixture
def owner(make_member):
    return make_member("thread_owner")


@pytest.fixture
def thread(forum, owner):
    return forum.thread(owner, title="Did baclofen help you?", tags=["baclofen"])


@pytest.fixture
def released(app):
    """Stores a statistics release holding one treatment's numbers, as `flask stats release` would.

    released("baclofen", members=212, helped_share=0.63, ci_low=0.55, ci_high=0.7) publishes them;
    released("baclofen", suppressed=True) stores the treatment as "not enough members yet".
    """
    from app.core.unit_of_work import unit_of_work
    from app.extensions import db
    from app.stats.models import StatsRelease, TreatmentStats
    from app.vocabulary.services import tag_by_slug

    def release(slug: str, suppressed: bool = False, **numbers) -> StatsRelease:
        tag = tag_by_slug(slug)
        with unit_of_work():
            row = StatsRelease(epsilon=1.0, min_members=10, min_cell=5, mechanism="test")
            db.session.add(row)
            db.session.add(TreatmentStats(release=row, treatment_id=tag.id, treatment_slug=tag.slug,
                                          treatment_name=tag.name, suppressed=suppressed,
                                          **({} if suppressed else numbers)))
        return row

    return release
