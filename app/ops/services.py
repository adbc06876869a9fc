"""Operations: what the health check asks of the database."""
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db


def database_answers() -> bool:
    """Whether the database answers a trivial query; a failed one leaves the session usable."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True
