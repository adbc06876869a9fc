"""Conversation pages: the member's list and each conversation; moderators start one from a member or item."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.core.errors import InvalidInput
from app.core.pages import viewer
from app.moderation.conversations import services
from app.moderation.rules import moderator_required

bp = Blueprint("conversations", __name__)


@bp.route("/conversations")
@login_required
def mine():
    return render_template("moderation/conversations/list.html", conversations=services.of_member(viewer()),
                           moderating=False)


@bp.route("/mod/conversations")
@moderator_required
def all_conversations():
    return render_template("moderation/conversations/list.html", conversations=services.for_moderators(viewer()),
                           moderating=True)


@bp.route("/conversations/<int:conversation_id>", methods=["GET", "POST"])
@login_required
def conversation(conversation_id: int):
    errors, typed = {}, ""
    if request.method == "POST":
        typed = request.form.get("body", "")
        try:
            services.reply(viewer(), conversation_id, typed)
        except InvalidInput as error:
            errors = error.errors
        else:
            flash("Your message is sent.", "success")
            return redirect(url_for("moderation.conversations.conversation", conversation_id=conversation_id))
    return render_template("moderation/conversations/conversation.html",
                           conversation=services.get(viewer(), conversation_id), errors=errors,
                           typed=typed), 422 if errors else 200


@bp.route("/mod/members/<handle>/check-in", methods=["GET", "POST"])
@moderator_required
def check_in(handle: str):
    errors, typed = {}, ""
    item = request.args.get("item", type=int)
    if request.method == "POST":
        typed = request.form.get("body", "")
        try:
            started = services.start(viewer(), handle, typed, item)
        except InvalidInput as error:
            errors = error.errors
        else:
            flash(f"Your message is sent to @{started.member.handle}.", "success")
            return redirect(url_for("moderation.conversations.conversation", conversation_id=started.id))
    return render_template("moderation/conversations/check_in.html", handle=handle, item=item, errors=errors,
                           typed=typed), 422 if errors else 200
