"""The notification preferences page, and the one-click unsubscribe (RFC 8058) from emails."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.core.errors import InvalidInput
from app.core.pages import viewer
from app.extensions import csrf
from app.notifications.models import Delivery
from app.notifications.preferences import services

bp = Blueprint("preferences", __name__)

@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def edit():
    current = services.preferences_of(viewer())
    errors = {}
    if request.method == "POST":
        # Only the kinds the form sent change; an unknown value is shown again with the message.
        chosen = {kind.value: request.form[kind.value] for kind in services.CONFIGURABLE if kind.value in request.form}
        try:
            services.set_preferences(viewer(), chosen, request.form.get("auto_follow") == "on")
        except InvalidInput as error:
            errors = error.errors
            current = {"notifications": {**current["notifications"], **chosen},
                       "auto_follow": request.form.get("auto_follow") == "on"}
        else:
            flash("Your notification choices are saved.", "success")
            return redirect(url_for("notifications.preferences.edit"))
    return render_template("notifications/preferences.html", current=current, errors=errors,
                           kinds=services.LABELS, deliveries=services.DELIVERY_LABELS,
                           defaults=services.DEFAULTS), 422 if errors else 200

@bp.route("/unsubscribe/<token>", methods=["GET"])
def unsubscribe(token: str):
    """The link in an email: says what it stops and asks for one press (mail scanners open links)."""
    member, kind = services.read_unsubscribe_token(token)
    what = services.LABELS[kind].lower() if kind else "all notification emails"
    return render_template("notifications/unsubscribe.html", token=token, what=what, done=False)

@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt  # the one-click POST of RFC 8058 comes from the mail client; the signed token is the proof
def unsubscribe_now(token: str):
    member, kind = services.unsubscribe(token)
    what = services.LABELS[kind].lower() if kind else "all notification emails"
    return render_template("notifications/unsubscribe.html", token=token, what=what, done=True)

