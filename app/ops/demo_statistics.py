"""The demo's statistics crowd: 1,500 consenting members with experience reports, made deterministically.

The demo's dozen named members are far too few for any treatment to pass the
noisy publication threshold (about 55 members at the default ε), so `flask
demo` adds a crowd whose reports follow the profiles below. The same seed
gives the same crowd and the same reports on every run; rows go in with a few
bulk inserts, so the demo stays quick to load. Crowd accounts have no usable
password: nobody signs in as them.
"""
import random
from datetime import timedelta

import sqlalchemy as sa

from app.core.db import utcnow
from app.core.unit_of_work import unit_of_work
from app.experiences.models import ExperienceReport, ExperienceSideEffect, experience_symptoms
from app.extensions import db
from app.members.models import Member
from app.vocabulary.models import SideEffect, Tag, TagKind

CROWD_SIZE = 1500
SEED = 2026_11
HANDLE_PREFIX = "crowd_member_"
# How many treatments a crowd member reports on.
REPORTS_PER_MEMBER = ([1, 2, 3, 4], [35, 35, 20, 10])
# Some members keep a report out of the statistics.
SHARE_CHANCE = 0.93
EFFECTS = ["major", "moderate", "slight", "none", "worse", "cant_tell"]

# treatment: (how often members report it, weights of major … cant_tell, likely side effects, symptoms it is for).
PROFILES = {
    "baclofen": (14, [22, 24, 16, 18, 12, 8], ["drowsiness", "muscle-weakness", "fatigue", "dizziness"],
                 ["spasticity", "cramps", "flexor-spasms", "clonus"]),
    "stretching": (12, [20, 30, 22, 18, 2, 8], [], ["spasticity", "cramps", "contracture", "walking-balance"]),
    "tizanidine": (10, [15, 22, 17, 22, 14, 10], ["drowsiness", "dry-mouth", "dizziness", "fatigue"],
                   ["spasticity", "sleep-disruption", "flexor-spasms"]),
    "physical-therapy": (9, [24, 28, 20, 18, 3, 7], [], ["walking-balance", "spasticity", "falls"]),
    "cooling": (7, [18, 26, 24, 24, 2, 6], [], ["spasticity", "fatigue"]),
    "gabapentin": (6, [12, 18, 18, 28, 14, 10], ["drowsiness", "dizziness", "fatigue", "mood-changes"],
                   ["pain", "cramps", "sleep-disruption"]),
    "botulinum-toxin": (5, [26, 26, 16, 16, 8, 8], ["muscle-weakness"], ["hand-spasticity", "contracture"]),
    "cannabis": (5, [14, 22, 20, 24, 8, 12], ["dizziness", "dry-mouth", "confusion"],
                 ["spasticity", "pain", "sleep-disruption"]),
    "aquatic-exercise": (4, [22, 30, 20, 20, 2, 6], [], ["spasticity", "walking-balance"]),
    "yoga": (3, [14, 26, 24, 26, 2, 8], [], ["spasticity", "fatigue"]),
    "intrathecal-baclofen": (2, [40, 24, 10, 10, 8, 8], ["muscle-weakness", "drowsiness"], ["spasticity"]),
    "diazepam": (2, [12, 18, 18, 22, 20, 10], ["drowsiness", "confusion", "fatigue"], ["sleep-disruption"]),
    "orthotics": (2, [18, 24, 20, 28, 4, 6], [], ["contracture", "walking-balance"]),
    "dantrolene": (1, [10, 14, 16, 30, 22, 8], ["muscle-weakness", "nausea"], ["spasticity"]),
    "relaxation": (1, [10, 24, 30, 28, 2, 6], [], ["sleep-disruption", "fatigue"]),
}


def crowd_exists() -> bool:
    return db.session.scalar(sa.select(Member.id).where(Member.handle_key.like(f"{HANDLE_PREFIX}%")).limit(1)) \
        is not None


def build_demo_statistics() -> int:
    """Adds the crowd and its reports once; returns how many reports it added (0 when already there)."""
    if crowd_exists():
        return 0
    rng = random.Random(SEED)
    now = utcnow()
    treatments = {t.slug: t.id for t in db.session.scalars(sa.select(Tag).where(Tag.kind == TagKind.treatment))}
    symptoms = {t.slug: t.id for t in db.session.scalars(sa.select(Tag).where(Tag.kind == TagKind.symptom))}
    side_effects = {s.slug: s.id for s in db.session.scalars(sa.select(SideEffect))}
    slugs = [slug for slug in PROFILES if slug in treatments]
    popularity = [PROFILES[slug][0] for slug in slugs]
    with unit_of_work():
        handles = [f"{HANDLE_PREFIX}{i:04d}" for i in range(1, CROWD_SIZE + 1)]
        db.session.execute(sa.insert(Member), [
            {"handle": h, "handle_key": h, "email": f"{h}@crowd.demo.thaw.invalid", "password_hash": "!",
             "joined_at": now - timedelta(days=rng.randrange(30, 900))} for h in handles])
        member_ids = list(db.session.scalars(
            sa.select(Member.id).where(Member.handle_key.in_(handles)).order_by(Member.handle_key)))
        reports, details = [], {}
        for member_id in member_ids:
            count = rng.choices(*REPORTS_PER_MEMBER)[0]
            chosen: list[str] = []
            while len(chosen) < count:
                slug = rng.choices(slugs, popularity)[0]
                if slug not in chosen:
                    chosen.append(slug)
            for slug in chosen:
                _, weights, likely_side_effects, for_symptoms = PROFILES[slug]
                effect = rng.choices(EFFECTS, weights)[0]
                at = now - timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
                reports.append({"member_id": member_id, "treatment_id": treatments[slug], "effect": effect,
                                "duration": rng.choice(["1_6m", "6_12m", "1_5y", "gt_5y"]),
                                "status": "current" if effect in ("major", "moderate", "slight") or
                                rng.random() < 0.3 else "stopped",
                                "share_in_stats": rng.random() < SHARE_CHANCE, "created_at": at, "updated_at": at})
                details[(member_id, treatments[slug])] = (
                    rng.sample(for_symptoms, rng.randint(1, len(for_symptoms))),
                    [s for s in likely_side_effects if rng.random() < (0.45 if effect == "worse" else 0.2)])
        db.session.execute(sa.insert(ExperienceReport), reports)
        report_ids = dict(((m, t), i) for i, m, t in db.session.execute(
            sa.select(ExperienceReport.id, ExperienceReport.member_id, ExperienceReport.treatment_id)
            .where(ExperienceReport.member_id.in_(member_ids))))
        symptom_rows, side_effect_rows = [], []
        for key, (symptom_slugs, side_effect_slugs) in details.items():
            symptom_rows += [{"report_id": report_ids[key], "tag_id": symptoms[s]} for s in symptom_slugs
                             if s in symptoms]
            side_effect_rows += [{"report_id": report_ids[key], "side_effect_id": side_effects[s],
                                  "severity": rng.choice(["mild", "mild", "moderate", "severe"])}
                                 for s in side_effect_slugs if s in side_effects]
        if symptom_rows:
            db.session.execute(sa.insert(experience_symptoms), symptom_rows)
        if side_effect_rows:
            db.session.execute(sa.insert(ExperienceSideEffect), side_effect_rows)
    return len(reports)
