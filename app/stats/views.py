"""Statistics pages: the treatments of the latest release, one treatment, and the transparency page.

Every page reads a stored release only (app.stats.services); nothing here counts members' answers.
"""
import math

from flask import Blueprint, render_template, request

from app.core.db import utcnow
from app.core.errors import InvalidInput, NotFound
from app.polls.models import EFFECT_LABELS
from app.stats import services
from app.stats.models import StatsRelease, TreatmentStats
from app.stats.release import HELPED
from app.vocabulary.models import Tag, TagKind
from app.vocabulary.services import list_tags

bp = Blueprint("stats", __name__)

# In the order the sort links show them; the first is the default.
SORTS = {
    "lower_bound": "Most likely to help",
    "members": "Most members",
    "name": "Name",
}


@bp.route("/stats")
def index():
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "lower_bound"
    typed = request.args.get("symptom", "").strip()[:80]
    symptom, problem = None, None
    if typed:
        try:
            symptom = services.symptom_tag(typed)
        except InvalidInput as error:
            problem = " ".join(message for messages in error.errors.values() for message in messages)
    release = services.latest_release()
    rows = services.release_treatments(release, sort) if release else []
    return render_template("stats/index.html", release=release, sort=sort, sorts=SORTS,
                           published=[row for row in rows if not row.suppressed],
                           suppressed=[row for row in rows if row.suppressed],
                           symptom=symptom, typed=typed, problem=problem,
                           for_symptom=services.for_symptom(rows, symptom) if symptom else None,
                           symptoms=list_tags(TagKind.symptom)), 422 if problem else 200


@bp.route("/stats/about")
def about():
    releases = services.list_releases()
    budget = services.budget_summary()
    return render_template("stats/about.html", releases=releases, latest=releases[0] if releases else None,
                           total_epsilon=sum(r.epsilon for r in releases), budget=budget,
                           e_budget=math.exp(min(budget["budget"], 50)), now=utcnow())


@bp.route("/stats/<treatment>")
def treatment(treatment: str):
    release = services.latest_release()
    try:
        stats = services.release_treatment(release, treatment)
    except NotFound:
        raise NotFound(f"There is no treatment called {treatment!r}. The statistics page lists every treatment.")
    return render_template("stats/treatment.html", release=release, stats=stats, name=stats.treatment_name,
                           slug=stats.treatment_slug)


# --- helpers for templates -----------------------------------------------------------

HELPED_GROUP_LABEL = "Helped (a lot, somewhat or a little)"


@bp.app_template_global()
def effect_rows(stats: TreatmentStats) -> tuple[bool, list[tuple[str, int | None]]]:
    """(grouped, [(label, count)]) for a published treatment's ratings.

    When one of the helped answers would show as "<5", the release stores only their group
    (app.stats.release.published_effects), and the page shows that group in their place.
    """
    grouped = all(getattr(stats, f"effect_{e.value}") is None for e in HELPED)
    rows = [(HELPED_GROUP_LABEL, stats.helped_count)] if grouped else []
    rows += [(label, getattr(stats, f"effect_{effect.value}")) for effect, label in EFFECT_LABELS.items()
             if not (grouped and effect in HELPED)]
    return grouped, rows


@bp.app_template_global()
def treatment_stats_summary(tag: Tag) -> dict | None:
    """The latest release and the tag's numbers in it, for the tag page: two queries, none for other kinds.

    Loading every row of the release keeps to the read functions; a release has one row per treatment.
    """
    if tag.kind != TagKind.treatment:
        return None
    release: StatsRelease | None = services.latest_release()
    if release is None:
        return {"release": None, "stats": None}
    rows: list[TreatmentStats] = services.release_treatments(release, "name")
    return {"release": release, "stats": next((row for row in rows if row.treatment_id == tag.id), None)}


@bp.app_template_filter("share_percent")
def share_percent(share: float | None) -> str:
    """0.625 → "63%": halves round up, as people expect, not to the even neighbour."""
    if share is None:
        return ""
    return f"{math.floor(round(share * 100, 6) + 0.5)}%"


@bp.app_template_filter("epsilon")
def epsilon_text(value: float) -> str:
    """1.0 → "1", 0.25 → "0.25": the budget as an admin typed it."""
    return f"{value:g}"
