import marshmallow as ma
import sqlalchemy as sa
from flask_smorest import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

blp = Blueprint("ops_api", __name__, description="Operations")


class HealthSchema(ma.Schema):
    status = ma.fields.String()
    database = ma.fields.String()


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
def healthz():
    """Liveness and database check for load balancers"""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
