"""Polls: creating, voting, closing, and results that never reveal a voter."""
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import contains_eager, selectinload

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.pagination import Page, decode_cursor, page_of
from app.core.schemas import check
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum import services as forum
from app.forum.models import PostStatus, Thread
from app.members.models import Member
from app.polls.results import OptionView, PollView
from app.polls.statistics import ExperienceStatistics, statistics_for
from app.polls.schemas import OPTIONS_RULE, QUESTION_RULE
from app.polls.models import (EFFECT_LABELS, Ballot, BallotChoice, Poll, PollKind, PollOption,
                              ResultsVisibility)
from app.vocabulary.models import Tag, TagKind
from app.vocabulary.services import resolve_tags


# --- reading -----------------------------------------------------------------------

def _with_results(polls: list[Poll], viewer: Member | None) -> list[PollView]:
    """Each poll as this viewer sees it: counts, their own choice and what they may see, in a fixed
    number of queries. Experience polls are never counted here: their answers are health reports."""
    if not polls:
        return []
    ids = [p.id for p in polls]
    counted = [p.id for p in polls if p.kind != PollKind.experience]
    votes, voters = {}, {}
    if counted:
        votes = dict(db.session.execute(
            sa.select(BallotChoice.option_id, sa.func.count()).where(BallotChoice.poll_id.in_(counted))
            .group_by(BallotChoice.option_id)).all())
        voters = dict(db.session.execute(
            sa.select(Ballot.poll_id, sa.func.count()).where(Ballot.poll_id.in_(counted))
            .group_by(Ballot.poll_id)).all())
    mine: dict[int, list[int]] = defaultdict(list)
    if viewer is not None:
        for poll_id, option_id in db.session.execute(
                sa.select(BallotChoice.poll_id, BallotChoice.option_id)
                .join(Ballot, Ballot.id == BallotChoice.ballot_id)
                .where(Ballot.member_id == viewer.id, BallotChoice.poll_id.in_(ids))
                .order_by(BallotChoice.option_id)):
            mine[poll_id].append(option_id)
    statistics = statistics_for(sorted({p.treatment_id for p in polls if p.kind == PollKind.experience}))
    views = []
    for poll in polls:
        view = PollView(poll, closed=poll.is_closed, my_vote=mine.get(poll.id, []))
        if poll.kind == PollKind.experience:
            # No live counts, no count-down: the treatment's published statistics stand in for them.
            view.votes_needed = None
            view.statistics = statistics.get(poll.treatment_id) or ExperienceStatistics()
        else:
            view.results_visible = _results_visible(view)
            view.total_voters = voters.get(poll.id, 0) if view.results_visible else None
        view.options = [OptionView(option, votes.get(option.id, 0) if view.results_visible else None)
                        for option in poll.options]
        views.append(view)
    return views


def _results_visible(view: PollView) -> bool:
    if view.results_visibility == ResultsVisibility.always:
        return True
    if view.results_visibility == ResultsVisibility.after_vote:
        return bool(view.my_vote) or view.closed
    return view.closed


def _poll_query():
    return sa.select(Poll).options(selectinload(Poll.options))


def polls_for_threads(thread_ids: list[int], viewer: Member | None) -> dict[int, list[PollView]]:
    polls = list(db.session.scalars(_poll_query().where(Poll.thread_id.in_(thread_ids)).order_by(Poll.id)))
    grouped: dict[int, list[PollView]] = defaultdict(list)
    for poll in _with_results(polls, viewer):
        grouped[poll.thread_id].append(poll)
    return grouped


def polls_of_thread(thread: Thread, viewer: Member | None) -> list[PollView]:
    return polls_for_threads([thread.id], viewer).get(thread.id, [])


def experience_polls_of(treatment: Tag, viewer: Member | None, limit: int) -> list[PollView]:
    """A treatment's experience polls, newest first, for the head of its tag page."""
    if treatment.kind != TagKind.treatment:
        return []
    return list_polls(viewer, treatment=treatment, limit=limit).items


def tag_with_poll_flag(slug: str) -> tuple[Tag | None, bool]:
    """A tag by slug and whether any poll asks about it, in the one query that loads the tag.

    Tag pages show a treatment's experience polls; with the flag they spend no query when there are none.
    """
    row = db.session.execute(
        sa.select(Tag, sa.exists().where(Poll.treatment_id == Tag.id).correlate(Tag))
        .where(Tag.slug == slug.lower())).first()
    return (row[0], bool(row[1])) if row else (None, False)


def get_poll(poll_id: int, viewer: Member | None) -> PollView:
    poll = db.session.scalar(_poll_query().where(Poll.id == poll_id))
    if poll is None:
        raise NotFound("There is no such poll.")
    forum.get_thread(poll.thread_id, viewer)  # 404 when its thread is not visible to the viewer
    return _with_results([poll], viewer)[0]


def list_polls(viewer: Member | None, treatment: Tag | None = None, state: str | None = None,
               limit: int = 20, cursor: str | None = None) -> Page:
    """The community's polls, newest first, in threads everyone can read."""
    # The thread comes from the same join: pages link each poll to its thread by title.
    query = (_poll_query().join(Thread, Thread.id == Poll.thread_id).options(contains_eager(Poll.thread))
             .where(Thread.status == PostStatus.published)
             .order_by(Poll.created_at.desc(), Poll.id.desc()).limit(limit + 1))
    if treatment is not None:
        query = query.where(Poll.treatment_id == treatment.id)
    now = utcnow()
    is_closed = sa.or_(Poll.closed_at.is_not(None), sa.and_(Poll.closes_at.is_not(None), Poll.closes_at <= now))
    if state == "open":
        query = query.where(sa.not_(is_closed))
    elif state == "closed":
        query = query.where(is_closed)
    if cursor:
        at, last_id = decode_cursor(cursor, (datetime, int))
        query = query.where(sa.or_(Poll.created_at < at, sa.and_(Poll.created_at == at, Poll.id < last_id)))
    page = page_of(list(db.session.scalars(query)), limit, lambda p: (p.created_at, p.id))
    page.items = _with_results(page.items, viewer)
    return page


# --- writing -----------------------------------------------------------------------

def _require_thread_owner_or_moderator(actor: Member | None, thread: Thread) -> Member:
    actor = forum.require_active(actor)
    forum.require_manager(thread.author_id, actor)
    return actor


def create_poll(actor: Member | None, thread_id: int, question: str, kind: str, options: list[str] | None = None,
                treatment: str | None = None, closes_at: datetime | None = None,
                results: str = "always") -> PollView:
    thread = forum.get_thread(thread_id, actor)
    actor = _require_thread_owner_or_moderator(actor, thread)
    if thread.locked and not actor.is_moderator:
        raise Conflict("This thread is locked: it takes no new polls.")
    errors: dict = {}
    question = (question or "").strip()
    check(errors, "question", QUESTION_RULE, question)
    kind, results = _one_of(PollKind, kind, "kind"), _one_of(ResultsVisibility, results, "results")
    labels = [o.strip() for o in options or [] if o and o.strip()]
    tag = None
    if kind == PollKind.experience:
        if labels:
            errors["options"] = ["Experience polls use the fixed effect scale; leave options out."]
        try:
            tag = treatment_tag(treatment)
        except InvalidInput as error:
            errors.update(error.errors)
    else:
        if treatment:
            errors["treatment"] = ["Only experience polls are tied to a treatment."]
        check(errors, "options", OPTIONS_RULE, labels)
    if closes_at is not None and closes_at <= utcnow():
        errors["closes_at"] = ["Choose a closing time in the future."]
    if errors:
        raise InvalidInput(errors)
    poll = Poll(thread_id=thread.id, creator_id=actor.id, question=question, kind=kind, treatment=tag,
                closes_at=closes_at, results_visibility=results)
    if kind == PollKind.experience:
        poll.options = [PollOption(position=i, label=label, effect=effect)
                        for i, (effect, label) in enumerate(EFFECT_LABELS.items())]
    else:
        poll.options = [PollOption(position=i, label=label) for i, label in enumerate(labels)]
    with unit_of_work():
        db.session.add(poll)
    return _with_results([poll], actor)[0]


def _one_of(choices, value, field: str):
    try:
        return choices(value)
    except ValueError:
        raise InvalidInput({field: [f"Choose one of: {', '.join(c.value for c in choices)}."]})


def treatment_tag(ref: str | None) -> Tag:
    if not ref or not ref.strip():
        raise InvalidInput({"treatment": ["Name the treatment this poll asks about."]})
    (tag,) = resolve_tags([ref], field="treatment")
    if tag.kind != TagKind.treatment:
        raise InvalidInput({"treatment": [f"{tag.name} is a {tag.kind.value}, not a treatment."]})
    return tag


def _open_poll_for(member: Member | None, poll_id: int) -> tuple[Member, Poll]:
    member = forum.require_active(member)
    poll = get_poll(poll_id, member)
    if poll.closed:
        raise Conflict("This poll is closed, so votes can no longer be cast or changed.")
    return member, poll


def _upsert_ballot(poll_id: int, member_id: int) -> int:
    """One statement, so two votes at once meet at the unique constraint, not in Python."""
    now = utcnow()
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (insert(Ballot).values(poll_id=poll_id, member_id=member_id, created_at=now, updated_at=now)
                 .on_conflict_do_update(index_elements=["poll_id", "member_id"], set_={"updated_at": now})
                 .returning(Ballot.id))
    return db.session.execute(statement).scalar_one()


def vote(member: Member | None, poll_id: int, option_ids: list[int]) -> PollView:
    """Replaces the member's ballot with these options, in one short transaction."""
    member, poll = _open_poll_for(member, poll_id)
    chosen = sorted(set(option_ids))
    valid = {option.id for option in poll.options}
    if not chosen:
        raise InvalidInput({"option_ids": ["Choose at least one option (or withdraw your vote)."]})
    if not set(chosen) <= valid:
        raise InvalidInput({"option_ids": ["Those options are not part of this poll."]})
    if poll.kind != PollKind.multiple and len(chosen) > 1:
        raise InvalidInput({"option_ids": ["This poll takes one answer."]})
    with unit_of_work():
        ballot_id = _upsert_ballot(poll.id, member.id)
        db.session.execute(sa.delete(BallotChoice).where(BallotChoice.ballot_id == ballot_id))
        db.session.execute(sa.insert(BallotChoice), [
            {"ballot_id": ballot_id, "option_id": option_id, "poll_id": poll.id} for option_id in chosen])
    db.session.expire_all()
    return get_poll(poll.id, member)


def withdraw_vote(member: Member | None, poll_id: int) -> None:
    member, poll = _open_poll_for(member, poll_id)
    mine = sa.select(Ballot.id).where(Ballot.poll_id == poll.id, Ballot.member_id == member.id)
    with unit_of_work():
        db.session.execute(sa.delete(BallotChoice).where(BallotChoice.ballot_id.in_(mine)))
        db.session.execute(sa.delete(Ballot).where(Ballot.poll_id == poll.id, Ballot.member_id == member.id))


def close_poll(actor: Member | None, poll_id: int) -> PollView:
    poll = get_poll(poll_id, actor)
    thread = db.session.get(Thread, poll.thread_id)
    actor = _require_thread_owner_or_moderator(actor, thread)
    if not poll.closed:
        with unit_of_work():
            poll.poll.closed_at = utcnow()
    db.session.expire_all()
    return get_poll(poll.id, actor)
