from flask import request
from flask_smorest import Blueprint

from app.core.errors import DomainError
from app.experiences import services
from app.experiences.schemas import (ExperienceReportSchema, ExperienceSchema, MyExperiencesSchema,
                                     StatsConsentSchema)
from app.members.auth import current_api_member, token_required, write_limit

blp = Blueprint("experiences_api", __name__, url_prefix="/api/v1",
                description="Experience reports; each is seen by its owner only")


def _json_object():
    """The body as sent: save_report validates it whole, so that one answer names every problem.

    (blp.arguments would stop at the schema's errors before the vocabulary was checked.)
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError("The request body must be a JSON object.")
    return body


@blp.route("/experiences/<treatment>", methods=["PUT"])
@token_required
@write_limit()
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ExperienceSchema}}})
@blp.response(200, ExperienceReportSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Fields that need attention, each named")
def save(treatment):
    """Record or replace the caller's experience with a treatment (slug, name or synonym)"""
    report, _ = services.save_report(current_api_member(), treatment, _json_object())
    return report


@blp.route("/experiences/<treatment>", methods=["GET"])
@token_required
@blp.response(200, ExperienceReportSchema)
def get(treatment):
    """The caller's own report on a treatment (404 when they have none)"""
    return services.my_report(current_api_member(), treatment)


@blp.route("/experiences/<treatment>", methods=["DELETE"])
@token_required
@write_limit()
@blp.response(204)
def delete(treatment):
    """Delete the caller's report on a treatment with all its earlier versions"""
    services.delete_report(current_api_member(), treatment)


@blp.route("/me/experiences", methods=["GET"])
@token_required
@blp.response(200, MyExperiencesSchema)
def mine():
    """The caller's own reports, by treatment name, and whether their poll votes count in statistics"""
    member = current_api_member()
    return {"items": services.my_reports(member), "ballots_in_stats": member.stats_consent}


@blp.route("/me/stats-consent", methods=["PUT"])
@token_required
@write_limit()
@blp.arguments(StatsConsentSchema)
@blp.response(200, StatsConsentSchema)
def stats_consent(data):
    """Whether the caller's experience-poll votes may count in statistics releases"""
    member = services.set_ballots_in_stats(current_api_member(), data["ballots_in_stats"])
    return {"ballots_in_stats": member.stats_consent}
