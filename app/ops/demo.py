"""A believable demo community, so a fresh Thaw has something to show."""
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.db import utcnow
from app.core.unit_of_work import unit_of_work
from app.experiences import services as experiences
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post, Thread
from app.members import services as members
from app.members.models import Role
from app.moderation.queue import services as moderation
from app.ops.demo_content import EXPERIENCES, KEPT_OUT_OF_STATS, POLLS, THREADS
from app.ops.demo_statistics import build_demo_statistics
from app.polls import services as polls
from app.polls.models import Poll
from app.stats import services as stats

DEMO_PASSWORD = "thaw-demo-2026"
MODERATOR = ("mod_maria", "maria@demo.thaw.invalid", Role.moderator)
ADMIN = ("admin_ada", "ada@demo.thaw.invalid", Role.admin)
MEMBERS = [
    "StiffLegsSam", "clonus_carla", "rollator_rob", "aqua_anna", "night_spasms_nia",
    "tizzy_tom", "coolvest_cat", "claw_hand_kai", "pumplife_priya", "stretchy_sue",
    "newbie_noor", "carer_colin",
]


def demo_accounts() -> list[tuple[str, str, Role]]:
    return [MODERATOR, ADMIN] + [(h, f"{h.lower()}@demo.thaw.invalid", Role.member) for h in MEMBERS]


def build_demo_members(progress: Callable[[str], None]) -> int:
    """Creates the demo accounts that are missing; returns how many it added."""
    added = 0
    for n, (handle, email, role) in enumerate(demo_accounts()):
        if members.member_by_handle(handle) is None:
            member = members.create_member(handle, email, DEMO_PASSWORD, role)
            with unit_of_work():
                # An established community: members joined months ago, so their links are not held as a newcomer's.
                member.joined_at = utcnow() - timedelta(days=400 - 20 * n)
            added += 1
        progress(handle)
    return added


@contextmanager
def _first_posts_not_held():
    """The demo's members are past their first posts, so pre-moderation's first-post hold is lifted while
    the demo writes them; links and watched words are still checked as for anyone."""
    config = current_app.config
    held, config["HOLD_FIRST_POSTS"] = config["HOLD_FIRST_POSTS"], 0
    try:
        yield
    finally:
        config["HOLD_FIRST_POSTS"] = held


def build_demo_forum(progress: Callable[[str], None]) -> tuple[int, int]:
    """Adds the demo conversations whose titles are not there yet; returns (threads, posts) added."""
    with _first_posts_not_held():
        return _build_demo_forum(progress)


def _build_demo_forum(progress: Callable[[str], None]) -> tuple[int, int]:

    existing = set(db.session.scalars(sa.select(Thread.title)))
    threads = posts = 0
    for title, author, tags, body, replies in THREADS:
        if title not in existing:
            thread = forum.start_thread(members.member_by_handle(author), title, body, tags)
            threads += 1
            posts += 1 + _add_replies(thread, replies, parent_id=None)
        progress(title)
    return threads, posts


def build_demo_polls() -> int:
    """Adds the demo polls to threads that have none yet, with ballots; returns polls added."""

    added = 0
    for title, question, kind, choices, ballots in POLLS:
        thread = db.session.scalar(sa.select(Thread).where(Thread.title == title))
        if thread is None or db.session.scalar(sa.select(Poll.id).where(Poll.thread_id == thread.id)):
            continue
        author = thread.author
        if kind == "experience":
            poll = polls.create_poll(author, thread.id, question, kind, treatment=choices)
        else:
            poll = polls.create_poll(author, thread.id, question, kind, options=choices)
        option_ids = [option.id for option in poll.options]
        for voter, positions in ballots:
            polls.vote(members.member_by_handle(voter), poll.id, [option_ids[i] for i in positions])
        added += 1
    return added


# What a moderator finds in the queue of a fresh demo: (thread title, author, reply, [(flagger, reason, note)]).
FLAGGED_REPLIES = [
    ("Baclofen made me so sleepy. Does it wear off?", "rollator_rob",
     "Honestly, just stop the baclofen if it makes you sleepy. No need to taper off, it's only a muscle relaxant.",
     [("clonus_carla", "misinformation", "Stopping baclofen suddenly can cause withdrawal, even seizures."),
      ("pumplife_priya", "misinformation", None)]),
    ("Night cramps at 3am — what actually helps?", "night_spasms_nia",
     "Some nights the spasms wake me every hour and I wonder what the point of carrying on is.",
     [("stretchy_sue", "self_harm", "I'm worried about Nia; this doesn't sound like her.")]),
]


def build_demo_queue() -> int:
    """Adds the flagged replies that are not there yet, with their flags; returns how many it added."""
    added = 0
    for title, author, body, flags in FLAGGED_REPLIES:
        thread = db.session.scalar(sa.select(Thread).where(Thread.title == title))
        if thread is None or db.session.scalar(
                sa.select(Post.id).where(Post.thread_id == thread.id, Post.body_source == body)):
            continue
        post = forum.reply(members.member_by_handle(author), thread.id, body)
        for flagger, reason, note in flags:
            moderation.flag_post(members.member_by_handle(flagger), post.id, reason, note)
        added += 1
    return added


def build_demo_experiences() -> int:
    """Adds the demo experience reports members do not have yet; returns how many it added."""
    added = 0
    for handle, treatment, effect, duration, status, symptoms, side_effects, dose in EXPERIENCES:
        member = members.member_by_handle(handle)
        if experiences.report_brief(member, experiences.get_treatment(treatment)) is not None:
            continue
        status, _, reason = status.partition(":")
        experiences.save_report(member, treatment, {
            "effect": effect, "duration": duration, "status": status, "stop_reason": reason or None,
            "symptoms": symptoms, "dose": dose, "share_in_stats": (handle, treatment) not in KEPT_OUT_OF_STATS,
            "side_effects": [dict(zip(("name", "severity"), pair.split(":"))) for pair in side_effects.split()]})
        added += 1
    return added


def _add_replies(thread, replies, parent_id) -> int:
    added = 0
    for author, body, answers in replies:
        post = forum.reply(members.member_by_handle(author), thread.id, body, parent_id)
        added += 1 + _add_replies(thread, answers, post.id)
    return added


def build_demo_release():
    """Publishes a first statistics release when there is none, so the statistics pages have numbers.

    The named members alone are too few for noisy counts to pass the publication threshold, so the
    statistics crowd (app/ops/demo_statistics.py) is added first (once), even to a demo that already
    has a release: its next release then shows them.
    """
    build_demo_statistics()
    if stats.latest_release() is not None:
        return None
    return stats.publish_release(None)
