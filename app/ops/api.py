import marshmallow as ma
from flask_smorest import Blueprint

from app.ops.services import database_answers, rate_limit_storage

blp = Blueprint("ops_api", __name__, description="Operations")


class HealthSchema(ma.Schema):
    status = ma.fields.String()
    database = ma.fields.String()
    redis = ma.fields.String(metadata={"description": "ok, degraded (unreachable: limits count per worker "
                                                      "meanwhile), not configured, or disabled"})


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
def healthz():
    """Liveness and database check for load balancers; Redis only degrades (limits count per worker)"""
    redis = rate_limit_storage()
    if not database_answers():
        return {"status": "unavailable", "database": "unreachable", "redis": redis}, 503
    return {"status": "ok", "database": "ok", "redis": redis}
