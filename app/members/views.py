from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.core.errors import DomainError
from app.core.forms import Form
from app.extensions import limiter
from app.members import services
from app.members.auth import remember_signin_address, signin_limits
from app.members.schemas import (RegistrationSchema, ResetConfirmSchema, ResetRequestSchema, SignInSchema,
                                 VerificationSchema)

bp = Blueprint("members", __name__)


def _safe_next(default: str) -> str:
    """Only same-site paths, so a crafted link cannot send someone elsewhere."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def _form_failed(response) -> bool:
    return request.method == "POST" and response.status_code != 302


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register():
    form = Form(RegistrationSchema())
    if form.validate():
        try:
            member = services.register_member(**form.data)
        except DomainError as error:
            form.fail(error)
        else:
            member.start_session(remember=False)
            login_user(member)
            flash(f"Welcome to Thaw, {member.handle}. You are signed in. We have emailed you a link to confirm "
                  "your address: until then you sign in with your handle.", "success")
            return redirect(_safe_next(url_for("main.index")))
    return render_template("members/register.html", form=form), form.status


@bp.route("/signin", methods=["GET", "POST"])
@signin_limits(failed=_form_failed)
def signin():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.index"))
    form = Form(SignInSchema())
    if form.validate():
        try:
            member = services.authenticate(form.data["login"], form.data["password"])
        except DomainError as error:
            form.fail(error)
        else:
            remember = bool(request.form.get("remember"))
            member.start_session(remember)
            login_user(member, remember=remember)
            remember_signin_address(member)
            flash(f"Welcome back, {member.handle}.", "success")
            return redirect(_safe_next(url_for("main.index")))
    return render_template("members/signin.html", form=form), form.status


@bp.route("/signout", methods=["POST"])
@login_required
def signout():
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("main.index"))


def _token_from_link() -> str:
    return request.values.get("token", "")[:200]


@bp.route("/verify-email", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])
def verify_email():
    """The emailed link opens a page whose button confirms (a mail scanner's visit changes nothing)."""
    form = Form(VerificationSchema(), {"token": _token_from_link()})
    if form.validate():
        try:
            services.verify_email(form.data["token"])
        except DomainError as error:
            return render_template("members/link_invalid.html", message=error.errors["token"][0]), error.status
        flash("Thank you: your email address is confirmed.", "success")
        return redirect(url_for("account.index") if current_user.is_authenticated else url_for("members.signin"))
    return render_template("members/verify_email.html", form=form), form.status


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def reset_password():
    form = Form(ResetRequestSchema())
    if form.validate():
        services.request_password_reset(form.data["email"])
        return render_template("members/reset_sent.html", email=form.data["email"])
    return render_template("members/reset_request.html", form=form), form.status


@bp.route("/reset-password/confirm", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])
def confirm_password_reset():
    form = Form(ResetConfirmSchema(), {"token": _token_from_link()})
    try:
        services.check_reset_link(form.values.get("token", ""))
    except DomainError as error:
        return render_template("members/link_invalid.html", message=error.errors["token"][0]), 400
    if form.validate():
        try:
            services.reset_password(form.data["token"], form.data["password"])
        except DomainError as error:
            form.fail(error)
        else:
            logout_user()
            flash("Your password is changed and every session signed out. Sign in with the new password.",
                  "success")
            return redirect(url_for("members.signin"))
    return render_template("members/reset_confirm.html", form=form), form.status
