import marshmallow as ma
from flask_smorest import Blueprint

from app.ops.services import database_answers

blp = Blueprint("ops_api", __name__, description="Operations")


class HealthSchema(ma.Schema):
    status = ma.fields.String()
    database = ma.fields.String()


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
def healthz():
    """Liveness and database check for load balancers"""
    if not database_answers():
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
