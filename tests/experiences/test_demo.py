"""The demo community's experience reports: believable, idempotent, and enough to publish three treatments."""
from collections import Counter

import sqlalchemy as sa

from app.experiences.models import ExperienceReport
from app.extensions import db
from app.ops import demo
from app.ops.demo_content import EXPERIENCES


def test_demo_reports_are_added_once_and_three_treatments_reach_the_minimum(app, vocabulary):
    demo.build_demo_members(lambda _: None)
    assert demo.build_demo_experiences() == len(EXPERIENCES)
    assert demo.build_demo_experiences() == 0
    rows = db.session.execute(sa.select(ExperienceReport.treatment_id, ExperienceReport.share_in_stats,
                                        ExperienceReport.member_id)).all()
    assert len(rows) == len(EXPERIENCES)
    slugs = {report.treatment_id: report.treatment.slug for report in db.session.scalars(sa.select(ExperienceReport))}
    sharing = Counter(slugs[treatment] for treatment, share, _ in rows if share)
    minimum = app.config["STATS_MIN_MEMBERS"]
    assert {slug for slug, members in sharing.items() if members >= minimum} == {"baclofen", "stretching", "tizanidine"}
    assert len([slug for slug, members in sharing.items() if members < minimum]) >= 5
    assert len({member for _, _, member in rows}) == len({handle for handle, *_ in EXPERIENCES})
