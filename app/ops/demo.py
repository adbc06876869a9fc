"""A believable demo community, so a fresh Thaw has something to show."""
from collections.abc import Callable

import sqlalchemy as sa

from app.extensions import db
from app.forum import services as forum
from app.forum.models import Thread
from app.members import services as members
from app.members.models import Role
from app.ops.demo_content import POLLS, THREADS
from app.polls import services as polls
from app.polls.models import Poll

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
    for handle, email, role in demo_accounts():
        if members.member_by_handle(handle) is None:
            members.create_member(handle, email, DEMO_PASSWORD, role)
            added += 1
        progress(handle)
    return added


def build_demo_forum(progress: Callable[[str], None]) -> tuple[int, int]:
    """Adds the demo conversations whose titles are not there yet; returns (threads, posts) added."""

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


def _add_replies(thread, replies, parent_id) -> int:
    added = 0
    for author, body, answers in replies:
        post = forum.reply(members.member_by_handle(author), thread.id, body, parent_id)
        added += 1 + _add_replies(thread, answers, post.id)
    return added
