"""`flask seed`, `flask demo` and `flask members create`."""
import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.members import services as member_services
from app.members.models import Role
from app.members.schemas import RegistrationSchema
from app.moderation.words import services as watched_words
from app.ops import demo, demo_content
from app.stats.cli import stats_cli
from app.vocabulary import services as vocabulary


def _progress(label: str, length: int):
    return click.progressbar(length=length, label=label, show_pos=True, file=sys.stderr)


def seed_command():
    """Load or update the vocabulary and the default crisis words (safe to run again)."""
    started = time.perf_counter()
    with _progress("Vocabulary", vocabulary.vocabulary_size()) as bar:
        counts = vocabulary.seed_vocabulary(lambda _: bar.update(1))
    click.echo(f"Vocabulary ready: {vocabulary.vocabulary_size()} entries, {counts['added']} added, "
               f"{counts['updated']} updated in {time.perf_counter() - started:.1f}s.")
    click.echo(f"Crisis words ready: {watched_words.seed_crisis_words()} added.")


def demo_command():
    """Create a demo community (safe to run again)."""
    started = time.perf_counter()
    vocabulary.seed_vocabulary()
    accounts = demo.demo_accounts()
    with _progress("Members", len(accounts)) as bar:
        added = demo.build_demo_members(lambda _: bar.update(1))
    with _progress("Threads", len(demo_content.THREADS)) as bar:
        threads, posts = demo.build_demo_forum(lambda _: bar.update(1))
    poll_count = demo.build_demo_polls()
    experience_count = demo.build_demo_experiences()
    queue_count = demo.build_demo_queue()
    release = demo.build_demo_release()
    released = (f"statistics release {release.id} published ({release.treatments_published} treatments, "
                f"{release.treatments_suppressed} not yet: too few members for their noisy counts)"
                if release is not None else "statistics already released")
    click.echo(f"Demo community ready: {added} members, {threads} threads, {posts} posts and {poll_count} polls added, "
               f"{experience_count} experience reports, {queue_count} queue items, {released}, "
               f"in {time.perf_counter() - started:.1f}s. "
               f"Moderator: {demo.MODERATOR[0]} / {demo.DEMO_PASSWORD}; "
               f"admin: {demo.ADMIN[0]} / {demo.DEMO_PASSWORD}; "
               f"any member, e.g. {demo.MEMBERS[0]} / {demo.DEMO_PASSWORD}.")


members_cli = AppGroup("members", help="Manage members.")


@members_cli.command("create")
@click.option("--handle", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.member.value, show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_member_command(handle, email, role, password):
    """Create a member with any role."""
    errors = RegistrationSchema().validate({"handle": handle, "email": email, "password": password})
    if errors:
        for field, messages in errors.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(2)
    try:
        member = member_services.create_member(handle, email, password, Role(role))
    except DomainError as error:
        for field, messages in (error.errors or {"error": [error.detail]}).items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(1)
    click.echo(f"Created {member.role.value} {member.handle} (id {member.id}).")


def purge_command():
    """Remove what Thaw no longer needs (README, "Retention"); safe to run at any time."""
    from app.account.retention import STEPS, purge

    started = time.perf_counter()
    with _progress("Purging", len(STEPS)) as bar:
        counts = purge(lambda _: bar.update(1))
    click.echo("Purged " + ", ".join(f"{count} {label}" for label, count in counts.items())
               + f" in {time.perf_counter() - started:.2f}s.")


mail_cli = AppGroup("mail", help="Email.")


@mail_cli.command("send-pending")
def send_pending_command():
    """Send the emails waiting in the outbox (those due for another attempt)."""
    from app.core import mail

    sent, failed = mail.deliver()
    click.echo(f"Sent {sent} emails, {failed} failed (tried again later), {mail.pending_count()} waiting.")
    if failed:
        raise SystemExit(1)


def register_commands(app: Flask) -> None:
    app.cli.command("seed")(seed_command)
    app.cli.command("demo")(demo_command)
    app.cli.add_command(members_cli)
    app.cli.add_command(stats_cli)
    app.cli.command("purge")(purge_command)
    app.cli.add_command(mail_cli)
