"""The jobs on RQ over a real Redis, run by a real worker (in burst mode, in this process, on the test's
database); and the embedded mode's failures, kept for admins and retried by `flask jobs retry`."""
import os
import uuid

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import SimpleWorker

from app.extensions import db
from app.members.models import Role
from app.notifications.delivery import jobs, services as delivery
from app.notifications.following import services as following
from app.notifications.models import DeliveryStatus, Notification, PostDelivery

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def redis_answers() -> bool:
    try:
        return bool(Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


needs_redis = pytest.mark.skipif(not redis_answers(), reason=f"Redis does not answer at {REDIS}: cannot run RQ")


@pytest.fixture
def rq_queue(app):
    """A queue of this test's own on the real Redis, emptied afterwards."""
    app.config.update(JOBS_REDIS_URL=REDIS, JOBS_QUEUE=f"thaw-test-{uuid.uuid4().hex[:8]}")
    queue = jobs.queue()
    yield queue
    for registry in (queue, queue.failed_job_registry, queue.finished_job_registry):
        for job_id in registry.get_job_ids():
            queue.connection.delete(f"rq:job:{job_id}")
    queue.delete(delete_jobs=True)


def run_worker(queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def told(member) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.member_id == member.id))


@pytest.fixture
def thread(forum, make_member):
    return forum.thread(make_member("opener"), title="Spasms when I stand up")


@needs_redis
class TestOnRedis:
    def test_the_request_only_enqueues_and_the_worker_fans_out(self, forum, thread, rq_queue, make_member):
        follower = make_member("follower")
        following.follow_thread(follower, thread.id)
        forum.reply(thread, make_member(), "Slowly, holding the table")
        assert rq_queue.count == 1 and told(follower) == 0
        run_worker(rq_queue)
        assert told(follower) == 1 and rq_queue.count == 0

    def test_a_post_deleted_before_the_worker_runs_tells_nobody(self, forum, thread, rq_queue, make_member):
        from app.forum import services as forum_services
        follower, writer = make_member("follower"), make_member("writer")
        following.follow_thread(follower, thread.id)
        post = forum.reply(thread, writer, "Never mind")
        forum_services.delete_post(writer, post.id)
        run_worker(rq_queue)
        assert told(follower) == 0 and db.session.get(PostDelivery, post.id).status == DeliveryStatus.skipped

    def test_a_failing_job_is_retried_then_shown_to_admins(self, forum, thread, rq_queue, monkeypatch, client,
                                                         api_headers, make_member):
        monkeypatch.setattr(jobs, "RETRY_INTERVALS", [0, 0])
        attempts = []

        def broken(post_id):
            attempts.append(post_id)
            raise RuntimeError("the database went away")
        monkeypatch.setattr(delivery, "_fan_out", broken)
        post = forum.reply(thread, make_member(), "This one fails")
        run_worker(rq_queue)
        assert len(attempts) == 3  # the first run and two retries
        assert db.session.get(PostDelivery, post.id, populate_existing=True).status == DeliveryStatus.failed
        admin, member = make_member("admin_ada", role=Role.admin), make_member()
        assert client.get("/api/v1/admin/jobs/failed", headers=api_headers(member)).status_code == 403
        body = client.get("/api/v1/admin/jobs/failed", headers=api_headers(admin)).get_json()
        assert body["deliveries"][0]["post_id"] == post.id and "database went away" in body["deliveries"][0]["last_error"]
        assert body["jobs"][0]["function"].endswith("fan_out_post") and "database went away" in body["jobs"][0]["error"]

    def test_the_same_post_enqueued_twice_is_delivered_once(self, forum, thread, rq_queue, make_member):
        follower = make_member("follower")
        following.follow_thread(follower, thread.id)
        post = forum.reply(thread, make_member(), "Twice?")
        rq_queue.enqueue(delivery.fan_out_post, post.id)
        run_worker(rq_queue)
        assert told(follower) == 1


class TestInProcess:
    def test_a_failure_after_commit_keeps_the_post_and_is_retried_by_command(self, app, runner, monkeypatch, forum,
                                                                            thread, make_member, client,
                                                                            api_headers):
        follower = make_member("follower")
        following.follow_thread(follower, thread.id)
        real = delivery._fan_out
        monkeypatch.setattr(delivery, "_fan_out", lambda post_id: 1 / 0)
        post = forum.reply(thread, make_member(), "Written, not yet told")
        assert db.session.get(PostDelivery, post.id).status == DeliveryStatus.failed and told(follower) == 0
        admin = make_member("admin_ada", role=Role.admin)
        failed = client.get("/api/v1/admin/jobs/failed", headers=api_headers(admin)).get_json()
        assert [d["post_id"] for d in failed["deliveries"]] == [post.id] and failed["jobs"] == []
        assert f"post {post.id}: 1 attempts" in runner.invoke(args=["jobs", "failed"]).output
        monkeypatch.setattr(delivery, "_fan_out", real)
        assert "Retried 1 deliveries." in runner.invoke(args=["jobs", "retry"]).output
        assert told(follower) == 1
        runner.invoke(args=["jobs", "retry"])
        assert told(follower) == 1

    def test_the_worker_command_needs_redis(self, runner):
        result = runner.invoke(args=["jobs", "worker", "--burst"])
        assert result.exit_code != 0 and "JOBS_REDIS_URL is not set" in result.output


def test_an_unreachable_redis_keeps_the_post_and_the_delivery_waits(app, forum, thread, make_member, runner,
                                                                   client, api_headers):
    from datetime import timedelta
    from app.core.db import utcnow
    app.config.update(JOBS_REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    follower = make_member("follower")
    following.follow_thread(follower, thread.id)
    writer = make_member("writer")
    response = client.post(f"/api/v1/threads/{thread.id}/posts", headers=api_headers(writer),
                           json={"body": "Written while Redis is down"})
    assert response.status_code == 201
    post_id = response.get_json()["id"]
    assert db.session.get(PostDelivery, post_id).status == DeliveryStatus.queued and told(follower) == 0
    db.session.execute(sa.update(PostDelivery).values(updated_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    app.config.update(JOBS_REDIS_URL=None)
    assert "Retried" in runner.invoke(args=["jobs", "retry"]).output and told(follower) == 1


@needs_redis
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="a worker process shares only a PostgreSQL database")
def test_a_separate_worker_process_delivers(app, forum, thread, rq_queue, make_member):
    """`flask jobs worker --burst`, as documented, in a process of its own on the same database and Redis."""
    import subprocess
    import sys
    from pathlib import Path
    from urllib.parse import quote
    follower = make_member("follower")
    following.follow_thread(follower, thread.id)
    forum.reply(thread, make_member(), "For the worker")
    assert told(follower) == 0
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "THAW_ENV": "development", "DATABASE_URL": f"{db.engine.url.render_as_string(False)}"
           f"?options={quote(options)}", "JOBS_REDIS_URL": REDIS, "JOBS_QUEUE": rq_queue.name,
           "MAIL_BACKEND": "locmem", "RATELIMIT_STORAGE_URI": "memory://"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--burst"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert told(follower) == 1 and rq_queue.count == 0
