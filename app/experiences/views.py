"""Experience report pages: record, update and delete one's own reports, and see them all.

Every page here shows the signed-in member's own reports only.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.core.errors import DomainError
from app.core.forms import Form
from app.experiences import services
from app.experiences.models import DURATION_LABELS, STOP_REASON_LABELS, ExperienceReport, Severity
from app.experiences.schemas import ExperienceSchema
from app.core.pages import viewer
from app.polls.models import EFFECT_LABELS
from app.vocabulary.models import Tag, TagKind

bp = Blueprint("experiences", __name__)

NOT_EXPERIENCED = "none"
SEVERITY_LABELS = {NOT_EXPERIENCED: "Not experienced", Severity.mild.value: "Mild",
                   Severity.moderate.value: "Moderate", Severity.severe.value: "Severe"}
# Plain answers typed straight into the service; blank ones count as not given, as in the API.
TYPED_ANSWERS = ("effect", "duration", "status", "stop_reason", "dose")


@bp.context_processor
def labels():
    about = "stats.about" in current_app.view_functions
    return {"effect_labels": {e.value: label for e, label in EFFECT_LABELS.items()},
            "duration_labels": {d.value: label for d, label in DURATION_LABELS.items()},
            "stop_reason_labels": {r.value: label for r, label in STOP_REASON_LABELS.items()},
            "severity_labels": SEVERITY_LABELS,
            "stats_about_url": url_for("stats.about") if about else None}


@bp.app_template_global()
def my_experience_with(tag: Tag) -> ExperienceReport | None:
    """For the treatment tag page: the signed-in member's own report, in one query."""
    member = viewer()
    if member is None or tag.kind != TagKind.treatment:
        return None
    return services.report_brief(member, tag)


@bp.app_template_filter("effect_label")
def effect_label(effect) -> str:
    return EFFECT_LABELS.get(effect, "")


def _initial(report: ExperienceReport | None) -> dict:
    if report is None:
        return {"share_in_stats": True, "symptoms": [], "side_effects": {}}
    return {
        "effect": report.effect.value, "duration": report.duration.value, "status": report.status.value,
        "stop_reason": report.stop_reason.value if report.stop_reason else "", "dose": report.dose or "",
        "share_in_stats": report.share_in_stats, "symptoms": [tag.slug for tag in report.symptoms],
        "side_effects": {s.side_effect.slug: s.severity.value for s in report.side_effects},
    }


def _answers(form: Form) -> dict:
    """What the person chose, in the shape the API takes."""
    data = {name: form.values[name] for name in TYPED_ANSWERS if form.values.get(name)}
    # A radio button cannot be cleared, so the reason counts only for someone who stopped.
    if data.get("status") != "stopped":
        data.pop("stop_reason", None)
    data["symptoms"] = form.values.get("symptoms", [])
    data["side_effects"] = [{"name": slug, "severity": severity}
                            for slug, severity in form.values["side_effects"].items() if severity != NOT_EXPERIENCED]
    data["share_in_stats"] = form.values["share_in_stats"]
    return data


@bp.route("/experiences")
@login_required
def index():
    reports = services.my_reports(viewer())
    reported = {report.treatment_id for report in reports}
    others = [tag for tag in services.treatments() if tag.id not in reported]
    return render_template("experiences/index.html", reports=reports, others=others, member=viewer())


@bp.route("/experiences/<treatment>", methods=["GET", "POST"])
@login_required
def edit(treatment: str):
    tag = services.get_treatment(treatment)
    if request.method == "GET" and treatment != tag.slug:
        return redirect(url_for("experiences.edit", treatment=tag.slug))
    report = services.report_for(viewer(), tag)
    side_effects = services.side_effects()
    form = Form(ExperienceSchema(), _initial(report))
    if form.submitted:
        form.values["side_effects"] = {s.slug: request.form.get(f"side_effect-{s.slug}", NOT_EXPERIENCED)
                                       for s in side_effects}
        try:
            report, created = services.save_report(viewer(), tag.slug, _answers(form))
        except DomainError as error:
            form.fail(error)
        else:
            flash(f"Your experience with {tag.name} is {'recorded' if created else 'updated'}. "
                  "Only you can see it.", "success")
            return redirect(url_for("experiences.index", _anchor=f"report-{tag.slug}"))
    return render_template("experiences/edit.html", tag=tag, report=report, form=form,
                           symptoms=services.symptom_tags(), side_effects=side_effects), form.status


@bp.route("/experiences/<treatment>/delete", methods=["GET", "POST"])
@login_required
def delete(treatment: str):
    report = services.my_report(viewer(), treatment)
    if request.method == "POST":
        services.delete_report(viewer(), treatment)
        flash(f"Your experience with {report.treatment.name} is deleted, with every earlier version of it. "
              "It leaves the statistics at their next release.", "success")
        return redirect(url_for("experiences.index"))
    return render_template("experiences/delete.html", report=report)


@bp.route("/experiences/poll-votes", methods=["POST"])
@login_required
def ballots_in_stats():
    choice = request.form.get("ballots_in_stats")
    if choice not in ("yes", "no"):
        flash("Choose whether your experience-poll votes may count, then press Save.", "error")
        return redirect(url_for("experiences.index", _anchor="poll-votes"))
    services.set_ballots_in_stats(viewer(), choice == "yes")
    flash("Your experience-poll votes will count in the next statistics release." if choice == "yes" else
          "Your experience-poll votes will be left out of the next statistics release.", "success")
    return redirect(url_for("experiences.index"))
