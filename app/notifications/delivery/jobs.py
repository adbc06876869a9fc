"""Jobs off the request path: RQ over Redis when JOBS_REDIS_URL is set, else in this process after commit.

RQ rather than Celery: Thaw's jobs are a few plain functions on one Redis, which RQ runs with no broker
configuration, no result backend and no scheduler process; its retries (`Retry`) and failed-job
registry are all Thaw needs. The same functions run in both modes; each is safe to run twice
(app/notifications/delivery/services.py claims its work), since a worker may die after sending.

Start the worker with `flask --app wsgi jobs worker` (README, "Notifications and jobs").
"""
import logging
from functools import wraps
from importlib import import_module

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, Retry

from app.core.unit_of_work import on_commit
from app.extensions import db

log = logging.getLogger(__name__)

# Seconds between the attempts of a failing job; after the last, it stays in RQ's failed registry.
RETRY_INTERVALS = [10, 60, 300]

_worker_app = {}


def in_app(function):
    """A job run by a bare `rq worker` (no Flask app around it) gets one, made once per process."""
    @wraps(function)
    def run(*args, **kwargs):
        if has_app_context():
            return function(*args, **kwargs)
        if "app" not in _worker_app:
            # Loaded as gunicorn loads it (wsgi:app), by name: the factory sits above every feature.
            _worker_app["app"] = import_module("wsgi").app
        with _worker_app["app"].app_context():
            try:
                return function(*args, **kwargs)
            finally:
                db.session.remove()
    return run


def queue() -> Queue | None:
    url = current_app.config.get("JOBS_REDIS_URL")
    if not url:
        return None
    # Short timeouts: an unreachable Redis must not hold the request that enqueues.
    return Queue(current_app.config.get("JOBS_QUEUE", "thaw"),
                 connection=Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5))


def enqueue_after_commit(function, *args, job_id: str | None = None) -> None:
    """Runs `function(*args)` once the current unit of work commits: on RQ, or right here without Redis."""
    on_commit(lambda: _enqueue(function, args, job_id))


def _enqueue(function, args, job_id) -> None:
    jobs = queue()
    if jobs is None:
        try:
            function(*args)
        except Exception:  # the request's own write is committed; the failure is kept for admins
            log.exception("Job %s%s failed in process", function.__name__, args)
        return
    try:
        _enqueue_on_redis(jobs, function, args, job_id)
    except Exception:  # Redis unreachable: the write stands; `flask jobs retry` delivers what stayed queued
        log.exception("Job %s%s could not be queued", function.__name__, args)


def _enqueue_on_redis(jobs: Queue, function, args, job_id) -> None:
    # Job ids are global to the Redis: the queue's name keeps two Thaws (or test runs) on one Redis apart.
    jobs.enqueue(function, *args, job_id=f"{jobs.name}-{job_id}" if job_id else None,
                 retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS), failure_ttl=30 * 24 * 3600)


def failed_jobs(limit: int = 50) -> list[dict]:
    """RQ's failed jobs (after their retries), newest first, for admins."""
    jobs = queue()
    if jobs is None:
        return []
    registry = jobs.failed_job_registry
    found = []
    for job_id in registry.get_job_ids()[-limit:][::-1]:
        job = jobs.fetch_job(job_id)
        if job is not None:
            error = (job.exc_info or "").strip().splitlines()
            found.append({"id": job.id, "function": job.func_name, "args": [str(a) for a in job.args],
                          "error": error[-1][:500] if error else None})
    return found
