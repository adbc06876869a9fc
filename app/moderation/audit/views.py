"""The audit log page (/mod/log): every moderator action, newest first."""
from flask import Blueprint, render_template, request

from app.core.pages import viewer
from app.moderation.audit import services as log
from app.moderation.rules import moderator_required

bp = Blueprint("audit", __name__)

LOG_PAGE_SIZE = 30

bp.add_app_template_global(log.action_label, "action_label")


# --- the audit log -------------------------------------------------------------------

@bp.route("/mod/log", endpoint="log")
@moderator_required
def log_page():
    filters = {name: request.args.get(name, "").strip()[:40] or None for name in ("moderator", "action", "member")}
    cursor = request.args.get("cursor") or None
    page = log.list_entries(viewer(), limit=LOG_PAGE_SIZE, cursor=cursor, **filters)
    log.name_targets(page.items)
    return render_template("moderation/audit/log.html", page=page, filters=filters, cursor=cursor,
                           actions=log.recorded_actions(viewer()))
