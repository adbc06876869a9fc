"""A suspended member can read but not post, vote, flag or report, whichever way they try."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import NotAllowed
from app.extensions import db
from app.experiences.models import ExperienceReport
from app.forum.models import Post, Thread
from app.moderation.actions import services as actions
from app.moderation.models import Flag
from app.polls import services as polls
from app.polls.models import Ballot


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def scene(forum, make_member):
    """A thread with a reply and a poll, written by someone else."""
    owner = make_member("thread_owner")
    thread = forum.thread(owner, title="Cooling vests in summer", tags=["cooling", "heat"])
    reply = forum.reply(thread, owner, "Ice packs help me")
    poll = polls.create_poll(owner, thread.id, "Which time of day is worst?", "single", ["Morning", "Night"])
    return {"thread": thread, "reply": reply, "poll": poll}


WRITES = {
    "start a thread": ("POST", "/api/v1/threads", lambda s: {"title": "My own thread", "body": "Hello",
                                                             "tags": ["heat"]}, Thread),
    "reply": ("POST", "/api/v1/threads/{thread}/posts", lambda s: {"body": "Me too"}, Post),
    "vote": ("PUT", "/api/v1/polls/{poll}/vote", lambda s: {"option_ids": [s["poll"].options[0].id]}, Ballot),
    "flag": ("POST", "/api/v1/flags", lambda s: {"post_id": s["reply"].id, "reason": "spam"}, Flag),
    "report an experience": ("PUT", "/api/v1/experiences/baclofen",
                             lambda s: {"effect": "moderate", "duration": "1_6m", "status": "current",
                                        "share_in_stats": True}, ExperienceReport),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_suspended_members_token_cannot_write(client, api_headers, make_member, moderator, scene, write):
    method, template, payload, model = WRITES[write]
    path = template.format(thread=scene["thread"].id, poll=scene["poll"].id)
    suspended, active = make_member("suspended_sue"), make_member("active_al")
    token = api_headers(suspended)
    actions.suspend(moderator, suspended.handle, None, "Spam links")
    before = count(model)
    refused = client.open(path, method=method, headers=token, json=payload(scene))
    assert refused.status_code in (401, 403) and refused.mimetype == "application/problem+json"
    assert count(model) == before
    # The same request from a member in good standing goes through: the refusal is the suspension's.
    accepted = client.open(path, method=method, headers=api_headers(active), json=payload(scene))
    assert accepted.status_code in (200, 201), accepted.get_json()
    assert count(model) == before + 1


def test_a_dated_suspension_also_refuses_writes_until_it_ends(client, api_headers, make_member, moderator, scene):
    member = make_member("suspended_sue")
    token = api_headers(member)
    actions.suspend(moderator, member.handle, utcnow() + timedelta(days=2), "Cool off")
    response = client.post(f"/api/v1/threads/{scene['thread'].id}/posts", headers=token, json={"body": "Hi"})
    assert response.status_code == 401
    actions.unsuspend(moderator, member.handle, "Appeal accepted")
    response = client.post(f"/api/v1/threads/{scene['thread'].id}/posts", headers=token, json={"body": "Hi"})
    assert response.status_code == 201


def test_reading_still_works(client, api_headers, make_member, moderator, scene):
    member = make_member("suspended_sue")
    token = api_headers(member)
    actions.suspend(moderator, member.handle, None, "Spam links")
    thread_id = scene["thread"].id
    for headers in ({}, token):  # a suspended token reads as a visitor would
        detail = client.get(f"/api/v1/threads/{thread_id}", headers=headers)
        assert detail.status_code == 200 and detail.get_json()["title"] == "Cooling vests in summer"
        assert client.get(f"/api/v1/polls/{scene['poll'].id}", headers=headers).status_code == 200
    page = client.get(f"/threads/{thread_id}")
    assert page.status_code == 200 and "Ice packs help me" in page.get_data(as_text=True)


def test_services_refuse_a_suspended_member_directly(forum, make_member, moderator, scene):
    """Pages and API both end at the services, which check standing themselves."""
    member = make_member("suspended_sue")
    actions.suspend(moderator, member.handle, None, "Spam links")
    with pytest.raises(NotAllowed):
        forum.reply(scene["thread"], member, "Sneaking in")
    with pytest.raises(NotAllowed):
        polls.vote(member, scene["poll"].id, [scene["poll"].options[0].id])
