"""Experience reports: one per member and treatment, seen by their owner and nobody else.

Every read here is scoped to the member asking; no function returns another member's report.
Statistics reach reports only through the releases the stats package publishes.
"""
import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.unit_of_work import unit_of_work
from app.experiences.models import (ExperienceReport, ExperienceRevision, ExperienceSideEffect, UsageStatus,
                                    experience_symptoms)
from app.experiences.schemas import ExperienceSchema
from app.extensions import db
from app.forum import services as forum
from app.members.models import Member
from app.vocabulary.models import SideEffect, Tag, TagKind
from app.vocabulary.services import fold, resolve_tags

ITEM_LABELS = {"side_effects": "Side effect", "symptoms": "Symptom"}


# --- reading -----------------------------------------------------------------------

def get_treatment(ref: str) -> Tag:
    """The treatment tag a slug, name or synonym names; 404 for anything else."""
    try:
        (tag,) = resolve_tags([ref], field="treatment")
    except (InvalidInput, ValueError):
        tag = None
    if tag is None or tag.kind != TagKind.treatment:
        raise NotFound("There is no treatment with that name. Browse the treatments to find the one you want.")
    return tag


def treatments() -> list[Tag]:
    return list(db.session.scalars(sa.select(Tag).where(Tag.kind == TagKind.treatment).order_by(Tag.name)))


def symptom_tags() -> list[Tag]:
    return list(db.session.scalars(sa.select(Tag).where(Tag.kind == TagKind.symptom).order_by(Tag.name)))


def side_effects() -> list[SideEffect]:
    return list(db.session.scalars(sa.select(SideEffect).order_by(SideEffect.name)))


def _reports_of(member: Member):
    # Symptoms and side effects come in one query each, however many reports there are.
    return (sa.select(ExperienceReport).join(ExperienceReport.treatment)
            .options(contains_eager(ExperienceReport.treatment), selectinload(ExperienceReport.symptoms),
                     selectinload(ExperienceReport.side_effects))
            .where(ExperienceReport.member_id == member.id))


def my_reports(member: Member) -> list[ExperienceReport]:
    """The member's own reports, by treatment name."""
    return list(db.session.scalars(_reports_of(member).order_by(Tag.name, ExperienceReport.id)))


def report_for(member: Member | None, treatment: Tag) -> ExperienceReport | None:
    if member is None:
        return None
    return db.session.scalars(_reports_of(member).where(ExperienceReport.treatment_id == treatment.id)).first()


def report_brief(member: Member, treatment: Tag) -> ExperienceReport | None:
    """A report without its symptoms and side effects, for a one-line summary: one query."""
    return db.session.scalar(sa.select(ExperienceReport).where(
        ExperienceReport.member_id == member.id, ExperienceReport.treatment_id == treatment.id))


def my_report(member: Member, treatment_ref: str) -> ExperienceReport:
    """The member's report on a treatment; 404 when they have none."""
    report = report_for(member, get_treatment(treatment_ref))
    if report is None:
        raise NotFound("You have no experience report for this treatment.")
    return report


# --- validating --------------------------------------------------------------------

def _lines(value, prefix: str = ""):
    """Nested marshmallow messages as sentences: clients and pages expect {field: [message]}."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _lines(inner, prefix if key == "_schema" else f"{prefix}{key}: ")
    elif isinstance(value, list):
        for inner in value:
            yield from _lines(inner, prefix)
    else:
        yield f"{prefix}{value}"


def _flat(messages: dict) -> dict[str, list[str]]:
    errors = {}
    for field, value in messages.items():
        if isinstance(value, dict) and all(isinstance(k, int) for k in value):
            label = ITEM_LABELS.get(field, "Item")
            errors[field] = [line for index, inner in value.items() for line in _lines(inner, f"{label} {index + 1}, ")]
        else:
            errors[field] = list(_lines(value))
    return errors


def _symptoms(refs: list[str], errors: dict) -> list[Tag]:
    try:
        tags = resolve_tags(refs, field="symptoms")
    except InvalidInput as error:
        errors.setdefault("symptoms", []).extend(error.errors["symptoms"])
        return []
    wrong = [tag for tag in tags if tag.kind != TagKind.symptom]
    if wrong:
        errors.setdefault("symptoms", []).extend(f"{tag.name} is a {tag.kind.value}, not a symptom." for tag in wrong)
    return tags


def _side_effects(entries: list[dict], errors: dict) -> list[tuple[SideEffect, object]]:
    known = {}
    for side_effect in db.session.scalars(sa.select(SideEffect)):
        known[fold(side_effect.slug)] = known[fold(side_effect.name)] = side_effect
    chosen, messages = [], []
    for entry in entries:
        side_effect = known.get(fold(entry["name"]))
        if side_effect is None:
            messages.append(f"Unknown side effect: {entry['name']}")
        elif any(side_effect is seen for seen, _ in chosen):
            messages.append(f"{side_effect.name} is listed more than once; give each side effect once.")
        else:
            chosen.append((side_effect, entry["severity"]))
    if messages:
        errors.setdefault("side_effects", []).extend(messages)
    return chosen


def _validated(data) -> dict:
    """Every problem with a report at once, as {field: [message]}; the clean values otherwise."""
    errors: dict = {}
    try:
        values = ExperienceSchema().load(data)
    except ma.ValidationError as error:
        errors = _flat(error.messages if isinstance(error.messages, dict) else {"_schema": error.messages})
        values = error.valid_data if isinstance(error.valid_data, dict) else {}
    if "symptoms" not in errors:
        values["symptoms"] = _symptoms(values.get("symptoms", []), errors)
    if "side_effects" not in errors:
        values["side_effects"] = _side_effects(values.get("side_effects", []), errors)
    status, reason = values.get("status"), values.get("stop_reason")
    if "stop_reason" not in errors:
        if status == UsageStatus.stopped and reason is None:
            errors["stop_reason"] = ["Say why you stopped."]
        elif status == UsageStatus.current and reason is not None:
            errors["stop_reason"] = ["Leave out the reason for stopping while you still use the treatment."]
    if errors:
        raise InvalidInput(errors, "Some answers need attention.")
    values["dose"] = values["dose"] or None
    return values


# --- writing -----------------------------------------------------------------------

def _snapshot(report: ExperienceReport) -> dict:
    """The report as its owner stated it, by slugs, so later vocabulary edits do not rewrite history."""
    return {
        "treatment": report.treatment.slug,
        "effect": report.effect.value,
        "symptoms": sorted(tag.slug for tag in report.symptoms),
        "side_effects": sorted(({"slug": s.side_effect.slug, "severity": s.severity.value}
                                for s in report.side_effects), key=lambda s: s["slug"]),
        "duration": report.duration.value,
        "status": report.status.value,
        "stop_reason": report.stop_reason.value if report.stop_reason else None,
        "dose": report.dose,
        "share_in_stats": report.share_in_stats,
    }


def _apply(report: ExperienceReport, values: dict) -> None:
    report.effect, report.duration, report.status = values["effect"], values["duration"], values["status"]
    report.stop_reason, report.dose = values["stop_reason"], values["dose"]
    report.share_in_stats = values["share_in_stats"]
    report.symptoms = values["symptoms"]
    wanted = {side_effect.id: (side_effect, severity) for side_effect, severity in values["side_effects"]}
    for kept in list(report.side_effects):
        if kept.side_effect_id in wanted:
            kept.severity = wanted.pop(kept.side_effect_id)[1]
        else:
            report.side_effects.remove(kept)
    for side_effect, severity in wanted.values():
        report.side_effects.append(ExperienceSideEffect(side_effect=side_effect, severity=severity))


@unit_of_work()
def _write(member: Member, treatment: Tag, values: dict) -> bool:
    report = report_for(member, treatment)
    created = report is None
    now = utcnow()
    if created:
        report = ExperienceReport(member_id=member.id, treatment=treatment, created_at=now)
        db.session.add(report)
    _apply(report, values)
    # Statistics take updated_at as the moment of the member's latest statement.
    report.updated_at = now
    db.session.flush()
    db.session.add(ExperienceRevision(report_id=report.id, data=_snapshot(report), created_at=now))
    return created


def save_report(member: Member | None, treatment_ref: str, data) -> tuple[ExperienceReport, bool]:
    """Creates or replaces the member's report on a treatment, with a revision, in one transaction.

    Returns the report and whether it was new. Every invalid answer is named at once (422).
    """
    member = forum.require_active(member)
    treatment = get_treatment(treatment_ref)
    values = _validated(data)
    for _ in range(3):
        try:
            created = _write(member, treatment, values)
        except IntegrityError:
            # Two saves of one report at the same moment meet at its unique keys: the later one
            # reads what the other wrote and applies its answers over it (the unit has rolled back).
            continue
        db.session.expire_all()
        return report_for(member, treatment), created
    raise Conflict("Your report was being saved somewhere else at the same moment. Please send it again.")


def delete_report(member: Member | None, treatment_ref: str) -> None:
    """Forgets the member's report on a treatment with every earlier version of it."""
    member = forum.require_active(member)
    report = my_report(member, treatment_ref)
    # Explicit deletes: the rows go whether or not the database enforces ON DELETE CASCADE.
    with unit_of_work():
        db.session.execute(sa.delete(ExperienceRevision).where(ExperienceRevision.report_id == report.id))
        db.session.execute(sa.delete(ExperienceSideEffect).where(ExperienceSideEffect.report_id == report.id))
        db.session.execute(sa.delete(experience_symptoms).where(experience_symptoms.c.report_id == report.id))
        db.session.execute(sa.delete(ExperienceReport).where(ExperienceReport.id == report.id))
    db.session.expire_all()


def set_ballots_in_stats(member: Member | None, consent: bool) -> Member:
    """Whether the member's experience-poll votes may count in the next statistics releases."""
    member = forum.require_active(member)
    with unit_of_work():
        member.stats_consent = bool(consent)
    return member
