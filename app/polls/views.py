"""Poll pages: adding a poll to a thread, voting, withdrawing, closing, and browsing results.

Polls are shown on their thread's page (forum views); the forms here post back to it.
"""
from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from app.core.db import utcnow
from app.core.errors import Conflict, DomainError, InvalidInput
from app.core.forms import Form
from app.core.input import as_id
from app.core.schemas import aware_in_range
from app.forum import services as forum
from app.core.pages import viewer
from app.polls import services
from app.polls.models import Poll, PollKind, ResultsVisibility
from app.polls.schemas import PollCreateSchema
from app.vocabulary.models import TagKind
from app.vocabulary.services import list_tags

bp = Blueprint("polls", __name__)

POLLS_PER_PAGE = 20
OPTION_BOXES = 10
STATES = ("open", "closed")


def _thread_url(poll: Poll) -> str:
    return url_for("forum.thread", thread_id=poll.thread_id, _anchor=f"poll-{poll.id}")


def _back_to_poll(poll_id: int, message: str):
    """A refused vote goes back to the poll with the reason, so the person keeps their place."""
    flash(message, "error")
    return redirect(_thread_url(services.get_poll(poll_id, viewer())))


def _chosen_options() -> list[int]:
    return [option for value in request.form.getlist("option") if (option := as_id(value)) is not None]


# --- voting ------------------------------------------------------------------------

@bp.route("/polls/<int:poll_id>/vote", methods=["POST"])
@login_required
def vote(poll_id: int):
    chosen = _chosen_options()
    if not chosen:
        return _back_to_poll(poll_id, "Choose an option, then press Vote.")
    try:
        poll = services.vote(viewer(), poll_id, chosen)
    except (Conflict, InvalidInput) as error:
        return _back_to_poll(poll_id, _reason(error))
    flash("Thank you, your vote is saved. You can change it until the poll closes.", "success")
    return redirect(_thread_url(poll))


@bp.route("/polls/<int:poll_id>/withdraw", methods=["POST"])
@login_required
def withdraw(poll_id: int):
    try:
        services.withdraw_vote(viewer(), poll_id)
    except Conflict as error:
        return _back_to_poll(poll_id, error.detail)
    flash("Your vote is withdrawn.", "success")
    return redirect(_thread_url(services.get_poll(poll_id, viewer())))


@bp.route("/polls/<int:poll_id>/close", methods=["POST"])
@login_required
def close(poll_id: int):
    poll = services.close_poll(viewer(), poll_id)
    flash("The poll is closed. Its results are now final.", "success")
    return redirect(_thread_url(poll))


def _reason(error: DomainError) -> str:
    messages = [m for ms in (error.errors or {}).values() for m in ms]
    return " ".join(messages) or error.detail


# --- adding a poll -----------------------------------------------------------------

def _closing_time(typed: str) -> datetime | None:
    """A datetime-local box has no time zone; the form says it is UTC."""
    if not typed.strip():
        return None
    try:
        moment = datetime.fromisoformat(typed.strip())
    except ValueError:
        raise InvalidInput({"closes_at": ["Enter a date and time, for example 2030-05-01T18:00."]})
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return aware_in_range(moment)
    except ValidationError as error:
        raise InvalidInput({"closes_at": error.messages})


def _choice_errors(form: Form) -> dict:
    errors = {}
    if form.value("kind") not in {k.value for k in PollKind}:
        errors["kind"] = ["Choose what kind of poll this is."]
    if form.value("results") not in {r.value for r in ResultsVisibility}:
        errors["results"] = ["Choose when members see the results."]
    return errors


@bp.route("/threads/<int:thread_id>/polls/new", methods=["GET", "POST"])
@login_required
def new_poll(thread_id: int):
    thread = forum.get_thread(thread_id, viewer())
    member = viewer()
    forum.require_manager(thread.author_id, member)
    form = Form(PollCreateSchema(only=("question", "kind", "treatment", "results")),
                {"kind": PollKind.single.value, "results": ResultsVisibility.always.value})
    options = [""] * OPTION_BOXES
    if form.submitted:
        typed = request.form.getlist("options")[:OPTION_BOXES]
        options = typed + [""] * (OPTION_BOXES - len(typed))
        form.values["closes_at"] = request.form.get("closes_at", "")
        try:
            # The service checks question, options, treatment and closing time together;
            # only a malformed kind, visibility or time stops before it.
            if errors := _choice_errors(form):
                raise InvalidInput(errors)
            poll = services.create_poll(
                member, thread.id, form.value("question"), form.value("kind"), options,
                form.value("treatment") or None, _closing_time(form.value("closes_at")), form.value("results"))
        except DomainError as error:
            form.fail(error)
        else:
            flash("Your poll is added to the thread.", "success")
            return redirect(_thread_url(poll))
    return render_template("polls/new.html", thread=thread, form=form, options=options,
                           treatments=list_tags(TagKind.treatment), now=utcnow()), form.status


# --- browsing ----------------------------------------------------------------------

@bp.route("/polls")
def index():
    state = request.args.get("state") if request.args.get("state") in STATES else ""
    typed = request.args.get("treatment", "").strip()
    cursor = request.args.get("cursor") or None
    treatment, problem = None, None
    if typed:
        try:
            treatment = services.treatment_tag(typed)
        except InvalidInput as error:
            problem = _reason(error)
    page = None if problem else services.list_polls(viewer(), treatment, state or None, POLLS_PER_PAGE, cursor)
    filters = {"treatment": treatment.slug if treatment else None, "state": state or None}
    return render_template("polls/index.html", page=page, treatment=treatment, state=state, typed=typed,
                           problem=problem, cursor=cursor, filters=filters,
                           treatments=list_tags(TagKind.treatment)), 422 if problem else 200
