"""`flask jobs worker|failed|retry` and `flask notifications digest --daily|--weekly`."""
import time

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from rq import SimpleWorker

from app.extensions import db
from app.notifications.delivery import jobs
from app.notifications.delivery.digest import members_due, send_digests
from app.core.db import utcnow
from app.notifications.delivery.services import STALE_CLAIM, fan_out_post
from app.notifications.models import Delivery, DeliveryStatus, PostDelivery

jobs_cli = AppGroup("jobs", help="Notification jobs on RQ (JOBS_REDIS_URL).")
notifications_cli = AppGroup("notifications", help="Notification digests.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Runs the jobs of JOBS_QUEUE until stopped (retries on the schedule set at enqueue)."""
    queue = jobs.queue()
    if queue is None:
        raise click.ClickException("JOBS_REDIS_URL is not set: jobs run inside the web process, no worker needed.")
    # A worker sends its emails itself, one after the other, rather than starting a thread per message.
    current_app.config["MAIL_SEND_IN_BACKGROUND"] = False
    # SimpleWorker runs each job in this process, inside this app context (no fork sharing database sockets).
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)


@jobs_cli.command("failed")
def failed() -> None:
    """Lists failed post deliveries and RQ's failed jobs."""
    rows = db.session.scalars(sa.select(PostDelivery).where(PostDelivery.status == DeliveryStatus.failed))
    count = 0
    for row in rows:
        count += 1
        click.echo(f"post {row.post_id}: {row.attempts} attempts, {row.last_error}")
    for job in jobs.failed_jobs():
        count += 1
        click.echo(f"job {job['id']} {job['function']}{tuple(job['args'])}: {job['error']}")
    click.echo(f"{count} failed." if count else "No failed jobs.")


@jobs_cli.command("retry")
def retry() -> None:
    """Runs every failed post delivery again, and those queued long ago that no worker took (Redis was down);
    each is claimed, so nobody hears twice."""
    ids = list(db.session.scalars(sa.select(PostDelivery.post_id).where(sa.or_(
        PostDelivery.status == DeliveryStatus.failed,
        sa.and_(PostDelivery.status == DeliveryStatus.queued, PostDelivery.updated_at < utcnow() - STALE_CLAIM)))))
    for post_id in ids:
        fan_out_post(post_id)
    click.echo(f"Retried {len(ids)} deliveries.")


@notifications_cli.command("digest")
@click.option("--daily", "period", flag_value="daily", help="The daily digest (run once a day).")
@click.option("--weekly", "period", flag_value="weekly", help="The weekly digest (run once a week).")
def digest(period: str | None) -> None:
    """Emails every member their due digest; safe to run again (nothing is sent twice)."""
    if period is None:
        raise click.UsageError("Say --daily or --weekly.")
    current_app.config["MAIL_SEND_IN_BACKGROUND"] = False
    delivery = Delivery(period)
    started = time.perf_counter()
    total = len(members_due(delivery))
    with click.progressbar(length=total, label=f"{period.capitalize()} digests", file=None) as bar:
        emails, notes = send_digests(delivery, bar.update)
    click.echo(f"Sent {emails:,} {period} digests covering {notes:,} notifications in "
               f"{time.perf_counter() - started:.2f} s.")
