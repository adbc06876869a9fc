"""Failed notification jobs, for admins."""
from flask_smorest import Blueprint

from app.members.auth import token_required
from app.members.models import Role
from app.notifications.delivery.schemas import FailedJobsSchema
from app.notifications.delivery.services import failed

blp = Blueprint("jobs_api", __name__, url_prefix="/api/v1", description="Notification jobs (admins)")


@blp.route("/admin/jobs/failed", methods=["GET"])
@token_required(role=Role.admin)
@blp.response(200, FailedJobsSchema)
def failed_jobs_list():
    """Post deliveries that failed, and RQ's jobs that failed after every retry (admins)"""
    return failed()
