from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.members.models import Role
from app.stats import services
from app.stats.schemas import (BudgetSchema, ReleaseCreateSchema, ReleaseListSchema, ReleaseSchema, TreatmentStatsDetailSchema,
                               TreatmentStatsListSchema, TreatmentStatsQuerySchema)

blp = Blueprint("stats_api", __name__, url_prefix="/api/v1",
                description="Anonymized treatment statistics, served from stored releases only")


@blp.route("/stats/treatments", methods=["GET"])
@blp.arguments(TreatmentStatsQuerySchema, location="query")
@blp.response(200, TreatmentStatsListSchema)
def list_treatments(args):
    """Every treatment in the latest release, suppressed ones last; with `symptom`, those its members named"""
    symptom = services.symptom_tag(args["symptom"]) if args.get("symptom") else None
    release = services.latest_release()
    items = services.release_treatments(release, args["sort"]) if release else []
    if symptom is not None:
        items = [row for row, _ in services.for_symptom(items, symptom)]
    listing = {"release": release, "items": items}
    if symptom is not None:
        listing["symptom"] = {"slug": symptom.slug, "name": symptom.name}
    return listing


@blp.route("/stats/treatments/<treatment>", methods=["GET"])
@blp.response(200, TreatmentStatsDetailSchema)
def get_treatment(treatment):
    """One treatment (slug or synonym) in the latest release; every treatment of the vocabulary answers"""
    return services.latest_treatment_stats(treatment)


@blp.route("/stats/releases", methods=["GET"])
@blp.response(200, ReleaseListSchema)
def list_releases():
    """Every release, newest first, with the privacy budget it spent"""
    return {"items": services.list_releases()}


@blp.route("/stats/releases", methods=["POST"])
@token_required(role=Role.admin)
@write_limit()
@blp.arguments(ReleaseCreateSchema, required=False)
@blp.response(201, ReleaseSchema)
def publish(data):
    """Publish a new release now (admin only); 409 when the privacy budget cannot pay for it"""
    return services.publish_release(current_api_member(), (data or {}).get("epsilon"))


@blp.route("/stats/budget", methods=["GET"])
@blp.response(200, BudgetSchema)
def budget():
    """The privacy budget of the last 365 days, and when the next release becomes possible"""
    return services.budget_summary()
