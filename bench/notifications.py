"""Notifications benchmark: a reply in a thread with 5,000 followers (the request, then the fan-out job),
and a daily digest for 10,000 members.

Run from the project root:

    .venv/bin/python -m bench.notifications                    # SQLite file bench/out/notifications.db
    .venv/bin/python -m bench.notifications --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The request is measured as production runs it (JOBS_REDIS_URL set: the fan-out is only enqueued; with
no Redis answering, the enqueue is recorded instead); the job and the digest are then run here. Digest
emails go to Flask-Mailman's in-memory backend, each through the outbox as in production.
"""
import secrets
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.database import database_config, reset_database  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
PG_SCHEMA = "bench_notifications"


class Counter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def add_members(db, Member, count: int, prefix: str) -> list[int]:
    rows = [dict(handle=f"{prefix}{n}", handle_key=f"{prefix}{n}", email=f"{prefix}{n}@example.org",
                 password_hash="x", session_secret=secrets.token_urlsafe(24)) for n in range(count)]
    for start in range(0, count, 2000):
        db.session.execute(sa.insert(Member), rows[start:start + 2000])
    db.session.commit()
    return list(db.session.scalars(sa.select(Member.id).where(Member.handle_key.startswith(prefix))))


@click.command()
@click.option("--database-url", default=None, help="Default: a SQLite file under bench/out/.")
@click.option("--followers", default=5000, show_default=True)
@click.option("--digest-members", default=10_000, show_default=True)
def main(database_url, followers, digest_members):
    OUT.mkdir(exist_ok=True)
    url = database_url or f"sqlite:///{OUT / 'notifications.db'}"
    config, schema = database_config(url, PG_SCHEMA)
    from app import create_app
    app = create_app("testing", {**config, "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "locmem",
                                 "MAIL_SEND_IN_BACKGROUND": False, "JOBS_REDIS_URL": "redis://127.0.0.1:6379/0",
                                 "JOBS_QUEUE": f"bench-{secrets.token_hex(4)}"})
    with app.app_context():
        from app.extensions import db
        from app.forum import services as forum
        from app.members.models import Member
        from app.notifications.delivery import digest, jobs
        from app.notifications.delivery.services import fan_out_post
        from app.notifications.models import Delivery, Notification, NotificationKind, ThreadFollow, ThreadFollowState
        from app.vocabulary.services import seed_vocabulary

        reset_database(schema)
        seed_vocabulary()
        backend = db.engine.url.get_backend_name()
        enqueued = []
        try:
            jobs.queue().connection.ping()
            where = "RQ on Redis"
        except Exception:  # no Redis: record what the request would enqueue
            jobs._enqueue = lambda function, args, job_id: enqueued.append((function, args))
            where = "recorded (no Redis)"

        click.echo(f"Building {followers:,} followers and {digest_members:,} digest members ({backend}) ...")
        author, writer = add_members(db, Member, 2, "author")
        follower_ids = add_members(db, Member, followers, "follower")
        thread = forum.start_thread(db.session.get(Member, author), "Night cramps at 3am", "What helps?",
                                    ["baclofen"])
        for start in range(0, len(follower_ids), 2000):
            db.session.execute(sa.insert(ThreadFollow), [
                dict(member_id=m, thread_id=thread.id, state=ThreadFollowState.following)
                for m in follower_ids[start:start + 2000]])
        db.session.commit()

        with Counter(db.engine) as request:
            post = forum.reply(db.session.get(Member, writer), thread.id, "Stretching before bed helps me.")
        with Counter(db.engine) as job:
            told = fan_out_post(post.id)
        click.echo(f"Reply in a thread with {followers:,} followers: the request {request.seconds * 1000:.0f} ms, "
                   f"{request.count} queries (fan-out {where}); the fan-out job {job.seconds:.2f} s, "
                   f"{job.count} queries, {told:,} members told")

        digest_ids = add_members(db, Member, digest_members, "digest")
        from app.core.db import utcnow
        now = utcnow()
        for start in range(0, len(digest_ids), 2000):
            db.session.execute(sa.insert(Notification), [
                dict(member_id=m, kind=NotificationKind.reply, message="@author0 replied to your post in "
                     "'Night cramps at 3am'", thread_id=thread.id, post_id=post.id, delivery=Delivery.daily,
                     count=1, created_at=now)
                for m in digest_ids[start:start + 2000]])
        db.session.commit()
        with Counter(db.engine) as run:
            emails, notes = digest.send_digests(Delivery.daily)
        click.echo(f"Daily digest for {digest_members:,} members: {emails:,} emails in {run.seconds:.2f} s, "
                   f"{run.count:,} queries ({run.count / max(emails, 1):.1f} per email, most of them the "
                   f"outbox: queue, claim, delete)")
        queue = jobs.queue()
        try:
            queue.delete(delete_jobs=True)
        except Exception:
            pass


if __name__ == "__main__":
    main()
