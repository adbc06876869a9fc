"""Statistics benchmark: build 100,000 members with 300,000 statements, then time a release.

Run from the project root (`make bench-stats` runs the full size on SQLite):

    .venv/bin/python -m bench.stats                     # SQLite file bench/out/stats.db
    .venv/bin/python -m bench.stats --members 5000 --statements 15000    # quick look
    .venv/bin/python -m bench.stats --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The release is measured in a fresh process, so its peak resident memory is
the release's own and not the build's: once untraced for the wall time, then
once under tracemalloc for the peak of Python allocations.
"""
import json
import random
import resource
import secrets
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a plain script: make `app` and `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.database import database_config as _database_config, reset_database  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
PG_SCHEMA = "bench_stats"
BATCH = 5000
SEED = 20261  # the same community every run, so figures compare across runs
# How many treatments a member reports on: 0 to 5, two on average.
REPORTS_PER_MEMBER = ([0, 1, 2, 3, 4, 5], [15, 25, 25, 20, 10, 5])
EFFECTS = ["major", "moderate", "slight", "none", "worse", "cant_tell"]
LABELS = ["Helped a lot", "Helped somewhat", "Helped a little", "No difference", "Made things worse",
          "Too early to tell"]


def database_config(url: str) -> tuple[dict, str | None]:
    return _database_config(url, PG_SCHEMA)


def make_app(url: str):
    from app import create_app
    config, _ = database_config(url)
    # The bench times releases, two per run and more with --reuse: the yearly privacy budget is policy,
    # not work, so it is set out of the way here (the budget check itself is one indexed read).
    return create_app("production", {**config, "SECRET_KEY": secrets.token_hex(32), "RATELIMIT_ENABLED": False,
                                     "STATS_EPSILON_BUDGET": 1e9})


# --- building ---------------------------------------------------------------------------

def insert(table, rows: list[dict]) -> int:
    from app.extensions import db
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])
    return len(rows)


def build(members: int, statements: int) -> dict[str, int]:
    """Members, one experience poll per treatment (and one in a removed thread), reports and ballots."""
    from app.experiences.models import ExperienceReport, ExperienceSideEffect, experience_symptoms
    from app.extensions import db
    from app.forum.models import Thread
    from app.members.models import Member
    from app.polls.models import Ballot, BallotChoice, Poll, PollOption
    from app.vocabulary.models import SideEffect, Tag, TagKind
    from app.vocabulary.services import seed_vocabulary

    rng = random.Random(SEED)
    now = datetime.now(timezone.utc)
    seed_vocabulary()
    treatments = list(db.session.scalars(sa.select(Tag.id).where(Tag.kind == TagKind.treatment).order_by(Tag.id)))
    symptoms = list(db.session.scalars(sa.select(Tag.id).where(Tag.kind == TagKind.symptom).order_by(Tag.id)))
    side_effects = list(db.session.scalars(sa.select(SideEffect.id).order_by(SideEffect.id)))
    # The first treatments (baclofen) are the most talked about, and each helps some more than others.
    popularity = [1 / (rank + 1) ** 0.7 for rank in range(len(treatments))]
    effect_weights = {t: [rng.uniform(1, 6) for _ in EFFECTS] for t in treatments}

    counts = {"members": insert(Member.__table__, [{
        "id": i, "handle": f"bench{i}", "handle_key": f"bench{i}", "email": f"bench{i}@bench.thaw.invalid",
        "password_hash": "-", "role": "admin" if i == 1 else "member",
        "status": "suspended" if rng.random() < 0.02 else "deleted" if rng.random() < 0.01 else "active",
        "stats_consent": rng.random() < 0.95, "joined_at": now - timedelta(days=800)}
        for i in range(1, members + 1)])}

    # Poll i asks about treatment i; the last poll sits in a removed thread and must not count.
    polls = list(enumerate(treatments + [treatments[0]], start=1))
    insert(Thread.__table__, [{"id": i, "title": f"Did this help? ({t})", "author_id": 1, "created_at": now,
                               "last_activity_at": now, "status": "removed" if i == len(polls) else "published",
                               "locked": False, "pinned": False, "reply_count": 0} for i, t in polls])
    insert(Poll.__table__, [{"id": i, "thread_id": i, "creator_id": 1, "question": "Did it help?", "kind": "experience",
                             "treatment_id": t, "results_visibility": "always", "created_at": now} for i, t in polls])
    insert(PollOption.__table__, [{"id": (i - 1) * 6 + k + 1, "poll_id": i, "position": k, "label": LABELS[k],
                                   "effect": effect} for i, _ in polls for k, effect in enumerate(EFFECTS)])

    def stated_at() -> datetime:
        return now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))

    def effect_index(treatment: int) -> int:
        return rng.choices(range(6), effect_weights[treatment])[0]

    reports, symptom_rows, side_effect_rows = [], [], []
    with click.progressbar(range(1, members + 1), label="reports", file=sys.stderr) as bar:
        for member_id in bar:
            k = rng.choices(*REPORTS_PER_MEMBER)[0]
            chosen: set[int] = set()
            while len(chosen) < k:
                chosen.add(rng.choices(treatments, popularity)[0])
            for treatment in chosen:
                report_id = len(reports) + 1
                at = stated_at()
                reports.append({"id": report_id, "member_id": member_id, "treatment_id": treatment,
                                "effect": EFFECTS[effect_index(treatment)], "duration": "1_6m", "status": "current",
                                "share_in_stats": rng.random() < 0.93, "created_at": at, "updated_at": at})
                # Some list more than the three that count, so the bound does work.
                for tag_id in rng.sample(symptoms, rng.choice([0, 1, 1, 2, 2, 3, 4, 5])):
                    symptom_rows.append({"report_id": report_id, "tag_id": tag_id})
                for side_effect_id in rng.sample(side_effects, rng.choice([0, 0, 1, 1, 2, 3, 4])):
                    side_effect_rows.append({"report_id": report_id, "side_effect_id": side_effect_id,
                                             "severity": rng.choice(["mild", "moderate", "severe"])})
    counts["reports"] = insert(ExperienceReport.__table__, reports)
    counts["report symptoms"] = insert(experience_symptoms, symptom_rows)
    counts["report side effects"] = insert(ExperienceSideEffect.__table__, side_effect_rows)

    wanted = max(0, statements - len(reports))
    poll_weights = popularity + [popularity[0] / 10]
    voted: set[tuple[int, int]] = set()
    ballots, choices = [], []
    with click.progressbar(length=wanted, label="ballots", file=sys.stderr) as bar:
        while len(ballots) < wanted:
            poll_id, treatment = rng.choices(polls, poll_weights)[0]
            member_id = rng.randint(1, members)
            if (poll_id, member_id) in voted:
                continue
            voted.add((poll_id, member_id))
            at = stated_at()
            ballots.append({"id": len(ballots) + 1, "poll_id": poll_id, "member_id": member_id,
                            "created_at": at, "updated_at": at})
            choices.append({"ballot_id": len(ballots), "poll_id": poll_id,
                            "option_id": (poll_id - 1) * 6 + effect_index(treatment) + 1})
            bar.update(1)
    counts["ballots"] = insert(Ballot.__table__, ballots)
    insert(BallotChoice.__table__, choices)

    if db.engine.dialect.name == "postgresql":
        # Ids were given explicitly, so the sequences still stand at 1.
        for table in ("members", "threads", "polls", "poll_options", "experience_reports", "ballots"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))
    db.session.commit()
    # Planners choose plans from statistics; a table loaded in one go has none yet.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    return counts


# --- measuring (in a process of its own) ------------------------------------------------

def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(url: str, epsilon: float | None) -> dict:
    """Publishes twice: untraced for the wall time, then under tracemalloc for Python's peak."""
    from app.extensions import db
    from app.stats.services import publish_release

    app = make_app(url)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connect before measuring
        rss_before = max_rss_mib()
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        marks: list[tuple[str, float]] = []
        started = time.perf_counter()
        release = publish_release(None, epsilon, progress=lambda name: marks.append((name, time.perf_counter())))
        ended = time.perf_counter()
        sa.event.remove(db.engine, "before_cursor_execute", record)
        seconds = ended - started
        # Each step lasts until the next one starts.
        steps = {name: (marks[i + 1][1] if i + 1 < len(marks) else ended) - at for i, (name, at) in enumerate(marks)}
        rss_after = max_rss_mib()
        tracemalloc.start()
        traced_started = time.perf_counter()
        publish_release(None, epsilon)
        traced_seconds = time.perf_counter() - traced_started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"release": release.id, "published": release.treatments_published,
                "suppressed": release.treatments_suppressed, "epsilon": release.epsilon, "seconds": seconds,
                "steps": steps, "sql_statements": len(statements), "traced_seconds": traced_seconds,
                "tracemalloc_peak_mib": peak / 2 ** 20, "rss_before_mib": rss_before,
                "max_rss_mib": max(rss_after, max_rss_mib())}


# --- command ----------------------------------------------------------------------------

def prepare(url: str, members: int, statements: int, reuse: bool) -> dict:
    """Builds the data unless reusing it; returns what the database holds."""
    from app.extensions import db
    _, schema = database_config(url)
    app = make_app(url)
    with app.app_context():
        has_reports = sa.inspect(db.engine).has_table("experience_reports") and db.session.scalar(
            sa.text("SELECT count(*) FROM experience_reports"))
        db.session.remove()  # its connection must not hold on to a file that is about to be deleted
        if reuse and has_reports:
            click.echo(f"reusing the database: {has_reports} reports", err=True)
        else:
            started = time.monotonic()
            reset_database(schema)
            counts = build(members, statements)
            rows = ", ".join(f"{n} {name}" for name, n in counts.items())
            click.echo(f"built {rows} in {time.monotonic() - started:.1f} s", err=True)
        return {"backend": db.engine.dialect.name,
                "members": db.session.scalar(sa.text("SELECT count(*) FROM members")),
                "statements": db.session.scalar(sa.text(
                    "SELECT (SELECT count(*) FROM experience_reports) + (SELECT count(*) FROM ballots)"))}


def run_child(*args: str) -> dict:
    """Runs this script in a new process and reads the JSON it prints last.

    Linux keeps a process's peak memory across exec, so building and measuring
    each get a process of their own, started from this small one.
    """
    command = [sys.executable, "-m", "bench.stats", *args]
    child = subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, text=True)
    if child.returncode != 0:
        raise click.ClickException(f"{' '.join(args[-1:])} failed (exit {child.returncode}); see above")
    return json.loads(child.stdout.strip().splitlines()[-1])


@click.command()
@click.option("--database-url", default=None, help="Default: a new SQLite file bench/out/stats.db.")
@click.option("--members", default=100_000, show_default=True)
@click.option("--statements", default=300_000, show_default=True, help="Experience reports plus ballots.")
@click.option("--epsilon", type=float, default=None, help="Default: STATS_EPSILON (1.0).")
@click.option("--reuse", is_flag=True, help="Keep the database if it already has reports.")
@click.option("--phase", type=click.Choice(["build", "measure"]), default=None, hidden=True)
def main(database_url, members, statements, epsilon, reuse, phase):
    """Builds a large community's experience data and times one statistics release."""
    if members < 1 or statements < 0:
        raise click.BadParameter("members must be at least 1 and statements at least 0")
    OUT.mkdir(exist_ok=True)
    url = database_url or f"sqlite:///{OUT / 'stats.db'}"
    if phase == "build":
        click.echo(json.dumps(prepare(url, members, statements, reuse)))
        return
    if phase == "measure":
        click.echo(json.dumps(measure(url, epsilon)))
        return
    data = run_child("--database-url", url, "--members", str(members), "--statements", str(statements),
                     *(["--reuse"] if reuse else []), "--phase", "build")
    figures = run_child("--database-url", url, *(["--epsilon", str(epsilon)] if epsilon is not None else []),
                        "--phase", "measure")
    steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in figures["steps"].items())
    click.echo(f"\ndatabase           {data['backend']}\n"
               f"data               {data['members']} members, {data['statements']} statements (reports + ballots)\n"
               f"release            {figures['published']} treatments published, {figures['suppressed']} "
               f"suppressed, epsilon {figures['epsilon']:g}\n"
               f"wall time          {figures['seconds']:.2f} s ({steps})\n"
               f"SQL statements     {figures['sql_statements']}\n"
               f"tracemalloc peak   {figures['tracemalloc_peak_mib']:.2f} MiB "
               f"(traced run {figures['traced_seconds']:.2f} s)\n"
               f"max RSS            {figures['max_rss_mib']:.0f} MiB "
               f"({figures['rss_before_mib']:.0f} MiB before publishing)")
    click.echo(f"stats release on {data['backend']}: {data['members']} members, {data['statements']} statements "
               f"in {figures['seconds']:.2f} s, Python peak {figures['tracemalloc_peak_mib']:.1f} MiB, "
               f"max RSS {figures['max_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
