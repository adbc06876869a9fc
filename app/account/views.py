"""The account page: everything a member decides about their own account, each form posting to its own path."""
import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.account import services
from app.account.schemas import ConsentSchema, DeleteAccountSchema
from app.core.errors import DomainError
from app.core.forms import Form
from app.experiences import services as experiences
from app.members import services as members
from app.members.auth import write_limit
from app.members.schemas import EmailChangeSchema, PasswordChangeSchema

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(password_form=None, email_form=None):
    member = current_user._get_current_object()
    password_form = password_form or Form(PasswordChangeSchema())
    email_form = email_form or Form(EmailChangeSchema())
    status = max(password_form.status, email_form.status)
    return render_template("account/index.html", member=member, password_form=password_form,
                           email_form=email_form, tokens=members.member_tokens(member)), status


@bp.route("")
@login_required
def index():
    return _page()


def _sign_in_again(member) -> None:
    """After the session secret changed: this browser stays signed in, every other session has ended."""
    remembered = member.session_remembered
    member.start_session(remembered)
    login_user(member, remember=remembered)


@bp.route("/password", methods=["POST"])
@login_required
@write_limit()
def change_password():
    form = Form(PasswordChangeSchema())
    if form.validate():
        member = current_user._get_current_object()
        try:
            members.change_password(member, form.data["current_password"], form.data["new_password"])
        except DomainError as error:
            form.fail(error)
        else:
            _sign_in_again(member)
            flash("Your password is changed. Every other session and app has been signed out.", "success")
            return redirect(url_for("account.index"))
    return _page(password_form=form)


@bp.route("/email", methods=["POST"])
@login_required
@write_limit()
def change_email():
    form = Form(EmailChangeSchema())
    if form.validate():
        try:
            members.change_email(current_user._get_current_object(), form.data["password"], form.data["email"])
        except DomainError as error:
            form.fail(error)
        else:
            flash(f"We have emailed a link to {form.data['email']}. The address is used once you follow it.",
                  "success")
            return redirect(url_for("account.index"))
    return _page(email_form=form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    try:
        members.revoke_member_token(current_user._get_current_object(), token_id)
    except DomainError as error:
        flash(error.detail, "error")
        return redirect(url_for("account.index")), 303
    flash("That app's access has ended.", "success")
    return redirect(url_for("account.index"))


@bp.route("/sessions", methods=["POST"])
@login_required
def sign_out_everywhere():
    members.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash("You are signed out everywhere: every browser, device and app.", "success")
    return redirect(url_for("members.signin"))


@bp.route("/consent", methods=["POST"])
@login_required
def consent():
    form = Form(ConsentSchema())
    if form.validate():
        experiences.set_ballots_in_stats(current_user._get_current_object(), form.data["ballots_in_stats"])
        flash("Your choice about statistics is saved.", "success")
    return redirect(url_for("account.index"))


@bp.route("/export")
@login_required
def export():
    document = json.dumps(services.export(current_user._get_current_object()), indent=2, ensure_ascii=False)
    return Response(document, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="thaw-my-data.json"'})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = Form(DeleteAccountSchema())
    if form.validate():
        try:
            services.delete_account(current_user._get_current_object(), form.data["password"],
                                    form.data["erase_posts"])
        except DomainError as error:
            form.fail(error)
        else:
            logout_user()
            flash("Your account is deleted. Thank you for being part of Thaw.", "success")
            return redirect(url_for("main.index"))
    return render_template("account/delete.html", form=form), form.status
