"""Forum benchmark: build a large community, serve it with gunicorn, load its pages with wrk.

Run from the project root (see bench/README.md):

    .venv/bin/python -m bench.forum --threads 50 --posts 3000 --big-thread-posts 500 --seconds 3

Each page's requests per second are printed next to those of a static file,
which Flask serves with no application work: that is the framework's own
limit on this machine, and the last column reads each page as a fraction of it.
"""
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a plain script: make `app` and `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench import community  # noqa: E402
from bench.database import database_config as _database_config, reset_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
PG_SCHEMA = "bench_forum"
BATCH = 5000
TAG_SLUG = "baclofen"
SEED = 20260  # the same community every run, so figures compare across runs
# Each worker compiles templates and fills caches on its first requests; those are not measured.
WARMUP_SECONDS = 1


def database_config(url: str) -> tuple[dict, str | None]:
    return _database_config(url, PG_SCHEMA)


def make_app(url: str, secret_key: str):
    from app import create_app
    config, _ = database_config(url)
    return create_app("production", {**config, "SECRET_KEY": secret_key, "RATELIMIT_ENABLED": False})


# --- building ---------------------------------------------------------------------------

def existing_thread_count() -> int:
    from app.extensions import db
    if not sa.inspect(db.engine).has_table("threads"):
        return 0
    return db.session.scalar(sa.text("SELECT count(*) FROM threads"))


def insert_in_batches(table: sa.Table, rows, bar=None) -> int:
    from app.extensions import db
    written = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        db.session.execute(sa.insert(table), chunk)
        written += len(chunk)
        if bar:
            bar.update(len(chunk))
    return written


def build_community(sizes: community.Sizes) -> dict[str, int]:
    """Writes members, threads, tags, posts and revisions with Core bulk inserts; returns row counts."""
    from app.extensions import db
    from app.forum.models import Post, PostRevision, Thread, thread_tags
    from app.members.models import Member
    from app.members.services import password_hasher
    from app.vocabulary.models import Tag
    from app.vocabulary.services import seed_vocabulary

    rng = random.Random(SEED)
    now = datetime.now(timezone.utc)
    seed_vocabulary()
    tags = [(t.id, t.name, t.kind.value) for t in db.session.scalars(sa.select(Tag).order_by(Tag.id))]
    # One real Argon2 hash shared by everyone (nobody signs in here): one each costs ~50 ms.
    members = community.member_rows(sizes.members, password_hasher().hash(secrets.token_hex(8)), now, rng)
    plans = community.plan_threads(sizes, now, rng)
    threads, links = community.thread_rows(plans, tags, rng)
    counts = {"members": insert_in_batches(Member.__table__, members),
              "threads": insert_in_batches(Thread.__table__, threads),
              "thread tags": insert_in_batches(thread_tags, links)}

    bodies = community.body_pool(3000, rng)
    posts, revisions = [], []
    next_post_id = 1
    with click.progressbar(length=sizes.posts, label="posts", file=sys.stderr) as bar:
        for plan in plans:
            for post, revision in community.post_rows(plan, next_post_id, bodies, rng):
                posts.append(post)
                revisions.append(revision)
            next_post_id += plan.post_count
            if len(posts) >= BATCH:  # posts first: revisions point at them
                insert_in_batches(Post.__table__, posts, bar)
                insert_in_batches(PostRevision.__table__, revisions)
                posts, revisions = [], []
        insert_in_batches(Post.__table__, posts, bar)
        insert_in_batches(PostRevision.__table__, revisions)
    counts["posts"] = counts["revisions"] = next_post_id - 1

    if db.engine.dialect.name == "postgresql":
        # Ids were given explicitly, so the sequences still stand at 1.
        for table in ("members", "threads", "posts", "post_revisions"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))
    db.session.commit()
    # Planners pick indexes from statistics; a table loaded in one go has none yet.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    return counts


def biggest_thread_id() -> int:
    from app.extensions import db
    return db.session.scalar(sa.text("SELECT id FROM threads ORDER BY reply_count DESC, id LIMIT 1"))


# --- serving ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, schema: str | None, workers: int, secret_key: str):
    """Serves wsgi:app in production mode on a free local port; always stops it afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE_URL=database_config(url)[0]["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY=secret_key, THAW_ENV="production", RATELIMIT_ENABLED="false")
    if schema:
        # config.py has no setting for the search path; libpq reads it from here.
        env["PGOPTIONS"] = f"-csearch_path={schema}"
    log_path = OUT / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "wsgi:app"]
    with open(log_path, "w") as log:
        # A session of its own, so Ctrl-C reaches only us and we stop the server in order.
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        wait_until_healthy(base, server, log_path)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_healthy(base: str, server: subprocess.Popen, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise click.ClickException(f"gunicorn exited with {server.returncode}:\n{log_path.read_text()[-2000:]}")
        if status_of(base + "/healthz") == 200:
            return
        time.sleep(0.2)
    raise click.ClickException(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {log_path}")


def status_of(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError) as error:
        return str(getattr(error, "reason", error))


# --- loading ----------------------------------------------------------------------------

@dataclass
class Load:
    label: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    problems: str  # non-2xx answers and socket errors, as wrk reports them


UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def run_wrk(label: str, url: str, seconds: int, connections: int) -> Load:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
        return float(value) * UNIT_MS[unit]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    problems = "; ".join(m.strip() for m in re.findall(r"^\s*(Non-2xx or 3xx responses: \d+|Socket errors: .*)$",
                                                       output, re.M))
    return Load(label, rate, latency("50"), latency("99"), problems)


def print_table(loads: list[Load], limit: float | None) -> None:
    click.echo(f"\n{'route':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'of limit':>9}")
    for load in loads:
        share = f"{load.requests_per_second / limit:.1%}" if limit else "-"
        click.echo(f"{load.label:<34} {load.requests_per_second:>9.1f} {load.p50_ms:>8.2f} "
                   f"{load.p99_ms:>8.2f} {share:>9}")
    for load in loads:
        if load.problems:
            click.echo(f"  {load.label}: {load.problems}")


# --- command ----------------------------------------------------------------------------

@click.command()
@click.option("--database-url", default=None, help="Default: a new SQLite file bench/out/forum.db.")
@click.option("--threads", default=2000, show_default=True)
@click.option("--posts", default=200_000, show_default=True)
@click.option("--big-thread-posts", default=5000, show_default=True)
@click.option("--members", default=500, show_default=True)
@click.option("--seconds", default=10, show_default=True, help="Load duration per route.")
@click.option("--workers", default=2, show_default=True, help="gunicorn workers.")
@click.option("--connections", default=8, show_default=True, help="wrk connections.")
@click.option("--reuse", is_flag=True, help="Keep the database if it already has threads.")
def main(database_url, threads, posts, big_thread_posts, members, seconds, workers, connections, reuse):
    """Builds a large community, serves it with gunicorn and loads its pages with wrk."""
    if shutil.which("wrk") is None:
        raise click.ClickException("wrk is not installed; on Debian or Ubuntu: apt-get install wrk")
    sizes = community.Sizes(threads, posts, big_thread_posts, members)
    if sizes.problem():
        raise click.BadParameter(sizes.problem())
    OUT.mkdir(exist_ok=True)
    url = database_url or f"sqlite:///{OUT / 'forum.db'}"
    _, schema = database_config(url)
    secret_key = secrets.token_hex(32)

    from app.extensions import db
    app = make_app(url, secret_key)
    with app.app_context():
        found = existing_thread_count() if reuse else 0
        if found:
            click.echo(f"reusing the database: {found} threads", err=True)
        else:
            started = time.monotonic()
            reset_database(schema)
            counts = build_community(sizes)
            rows = ", ".join(f"{n} {name}" for name, n in counts.items())
            click.echo(f"built {rows} ({sum(counts.values())} rows) in {time.monotonic() - started:.1f} s",
                       err=True)
        big_thread = biggest_thread_id()
        db.session.remove()
        db.engine.dispose()  # the server's workers must not inherit our connections

    routes = [("static file (framework limit)", "/static/thaw.css"), ("/healthz (SELECT 1)", "/healthz"),
              ("home /", "/"), (f"tag /tags/{TAG_SLUG}", f"/tags/{TAG_SLUG}"),
              (f"big thread /threads/{big_thread}", f"/threads/{big_thread}"),
              (f"API /api/v1/threads/{big_thread}", f"/api/v1/threads/{big_thread}")]
    loads = []
    with gunicorn(url, schema, workers, secret_key) as base:
        for label, path in routes:
            status = status_of(base + path)
            if status != 200:
                click.echo(f"skipping {path}: it answers {status}", err=True)
                continue
            click.echo(f"loading {path} for {seconds} s", err=True)
            run_wrk(label, base + path, WARMUP_SECONDS, connections)
            loads.append(run_wrk(label, base + path, seconds, connections))
    limit = loads[0].requests_per_second if loads and loads[0].label.startswith("static") else None
    print_table(loads, limit)


if __name__ == "__main__":
    main()
