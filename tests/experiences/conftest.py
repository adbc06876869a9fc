import pytest
import sqlalchemy as sa

from app.experiences import services
from app.extensions import db

# A dose no page or response may show to anyone but the report's owner.
SECRET_DOSE = "SECRET-DOSE 37 mg at 03:10"


def full_report(**changes) -> dict:
    """A complete, valid report body as PUT /experiences/{treatment} takes it."""
    body = {"effect": "moderate", "symptoms": ["spasticity", "Cramps"],
            "side_effects": [{"name": "drowsiness", "severity": "mild"}, {"name": "Dry mouth", "severity": "severe"}],
            "duration": "1_6m", "status": "current", "dose": "10 mg three times a day", "share_in_stats": True}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def reporter(make_member, vocabulary):
    return make_member("secret_reporter")


@pytest.fixture
def record():
    """Saves a report through the service, as a member would."""
    def save(member, treatment="baclofen", **changes):
        report, _ = services.save_report(member, treatment, full_report(**changes))
        return report
    return save
