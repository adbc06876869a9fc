from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.core.errors import DomainError
from app.core.forms import Form
from app.extensions import limiter
from app.members import services
from app.members.auth import remember_signin_address, signin_limits
from app.members.schemas import RegistrationSchema, SignInSchema

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
            login_user(member)
            flash(f"Welcome to Thaw, {member.handle}. You are signed in.", "success")
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
            login_user(member, remember=bool(request.form.get("remember")))
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
