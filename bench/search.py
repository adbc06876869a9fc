"""Search benchmark: p50 and p99 of 20 typical searches on the 200,000-post community, index size, reindex time.

Run from the project root (see bench/README.md):

    .venv/bin/python -m bench.search                      # SQLite file bench/out/search.db
    .venv/bin/python -m bench.search --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.search --threads 50 --posts 3000 --big-thread-posts 500   # quick look

Each search runs through the search service as a request would (vocabulary, the search, excerpts, threads
and posts), as a visitor, after one unmeasured round; the query texts are the benchmark's own.
"""
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a plain script: make `app` and `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click  # noqa: E402

from bench import community  # noqa: E402
from bench.database import database_config, reset_database  # noqa: E402
from bench.forum import build_community, existing_thread_count  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
PG_SCHEMA = "bench_search"

# (words, tag filter): single drug names, synonyms, phrases, two-word symptom searches, a tag filter.
QUERIES = [
    ("baclofen", None), ("tizanidine", None), ("gabapentin", None), ("botox", None), ("diazepam", None),
    ("Lioresal", None), ("zanaflex", None), ("itb pump", None), ("valium", None), ("CBD", None),
    ('"warm shower"', None), ('"full bladder"', None), ('"side effects"', None),
    ("night cramps", None), ("morning stiffness", None), ("spasms sleep", None), ("walking fatigue", None),
    ("heat stiffness", None), ("stretching", "baclofen"), ("cramps", "cramps"),
]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@click.command()
@click.option("--database-url", default=None, help="Default: a SQLite file under bench/out/.")
@click.option("--threads", default=2000, show_default=True)
@click.option("--posts", default=200_000, show_default=True)
@click.option("--big-thread-posts", default=5000, show_default=True)
@click.option("--members", default=500, show_default=True)
@click.option("--rounds", default=10, show_default=True, help="Measured runs of each search.")
@click.option("--reuse", is_flag=True, help="Keep the database if it already has threads.")
def main(database_url, threads, posts, big_thread_posts, members, rounds, reuse):
    """Builds the community (its index filled by the triggers), times reindex and 20 searches."""
    sizes = community.Sizes(threads, posts, big_thread_posts, members)
    if sizes.problem():
        raise click.BadParameter(sizes.problem())
    OUT.mkdir(exist_ok=True)
    url = database_url or f"sqlite:///{OUT / 'search.db'}"
    config, schema = database_config(url, PG_SCHEMA)

    from app import create_app
    from app.extensions import db
    from app.search import services
    from app.vocabulary.services import resolve_tags
    app = create_app("production", {**config, "SECRET_KEY": "bench-" + "x" * 40, "RATELIMIT_ENABLED": False})
    with app.app_context(), app.test_request_context():
        found = existing_thread_count() if reuse else 0
        if found:
            click.echo(f"reusing the database: {found} threads", err=True)
        else:
            started = time.perf_counter()
            reset_database(schema)
            counts = build_community(sizes)
            click.echo(f"built {counts['posts']:,} posts, indexed as written, in {time.perf_counter() - started:.1f} s",
                       err=True)
        started = time.perf_counter()
        with click.progressbar(length=1, label="reindex", file=sys.stderr) as bar:
            def progress(done, total):
                bar.length = max(total, 1)
                bar.update(done - bar.pos)
            summary = services.reindex(progress)
        reindex_seconds = time.perf_counter() - started
        db.session.remove()
        # The rebuild leaves every old row dead; autovacuum would clear them and refresh the statistics.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE search_documents" if db.engine.dialect.name == "postgresql"
                                 else "ANALYZE")

        timings: dict[str, list[float]] = {}
        for measured in (False,) + (True,) * rounds:
            for text, tag in QUERIES:
                tags = resolve_tags([tag]) if tag else []
                started = time.perf_counter()
                results = services.search(None, text, tags)
                elapsed = (time.perf_counter() - started) * 1000
                db.session.remove()
                label = text + (f" [tag {tag}]" if tag else "")
                if measured:
                    timings.setdefault(label, []).append(elapsed)
                    timings.setdefault(f"{label}#hits", [len(results.items)])

    engine = summary["engine"]
    click.echo(f"\n{engine}: {summary['documents']:,} posts")
    click.echo(f"{'search':40} {'results':>7} {'p50 ms':>8} {'p99 ms':>8}")
    every = []
    for text, tag in QUERIES:
        label = text + (f" [tag {tag}]" if tag else "")
        samples = timings[label]
        every += samples
        click.echo(f"{label:40} {timings[label + '#hits'][0]:>7} {statistics.median(samples):8.1f} "
                   f"{percentile(samples, 0.99):8.1f}")
    size = f"{summary['bytes'] / 1e6:.1f} MB" if summary["bytes"] else "unknown"
    click.echo(f"\n{engine}: p50 {statistics.median(every):.1f} ms, p99 {percentile(every, 0.99):.1f} ms over "
               f"{len(every)} searches; index {size}; reindex of {summary['documents']:,} posts "
               f"{reindex_seconds:.1f} s")


if __name__ == "__main__":
    main()
