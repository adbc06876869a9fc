"""No one but its owner ever sees an experience report: not members, not moderators, not admins, anywhere."""
import re

import pytest

from app.members.models import Role
from app.polls import services as polls
from tests.conftest import PASSWORD, csrf_token
from tests.experiences.conftest import SECRET_DOSE

OTHER_PARAMETERS = {"item_id": 1, "release_id": 1, "word_id": 1, "notification_id": 1, "id": 1}


def signed_in_client(app, member):
    """A browser of its own, signed in as this member."""
    client = app.test_client()
    response = client.post("/signin", data={"login": member.handle, "password": PASSWORD,
                                            "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    return client


def get_urls(app, values: dict) -> list[str]:
    """Every GET route of the app whose parameters we can fill in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or set(rule.arguments) - set(values):
            continue
        urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule))
    return urls


@pytest.fixture
def community(forum, make_member, reporter, record):
    """A report with a dose no one else may read, in a community with threads, polls and staff."""
    author = make_member("thread_author")
    thread = forum.thread(author, title="Did baclofen help your legs?", tags=["baclofen", "spasticity"])
    reply = forum.reply(thread, author, "Mine got better after a month.")
    poll = polls.create_poll(author, thread.id, "Did baclofen help you?", "experience", treatment="baclofen")
    record(reporter, "baclofen", dose=SECRET_DOSE, effect="worse", status="stopped", stop_reason="side_effects")
    record(reporter, "yoga", dose=SECRET_DOSE + " stretch")
    values = {"thread_id": thread.id, "post_id": reply.id, "poll_id": poll.id, "treatment": "baclofen",
              "slug": "baclofen", "handle": author.handle, **OTHER_PARAMETERS}
    return {"values": values, "author": author}


def test_the_owner_sees_the_dose_so_the_search_below_can_find_it(app, community, reporter, api_headers):
    owner = signed_in_client(app, reporter)
    assert SECRET_DOSE in owner.get("/experiences").get_data(as_text=True)
    assert SECRET_DOSE in owner.get("/experiences/baclofen").get_data(as_text=True)
    assert SECRET_DOSE in app.test_client().get("/api/v1/me/experiences",
                                                headers=api_headers(reporter)).get_data(as_text=True)


def test_no_route_shows_a_report_to_anyone_else(app, community, reporter, make_member, api_headers):
    urls = get_urls(app, community["values"])
    urls += ["/api/v1/experiences/baclofen", "/api/v1/experiences/yoga", "/api/v1/me/experiences",
             "/experiences/yoga", "/experiences/yoga/delete", "/tags/yoga", "/tags/baclofen?sort=new"]
    # Pages about the reporter themself: their handle is expected there, their report is not.
    about_reporter = [url for url in get_urls(app, {**community["values"], "handle": reporter.handle})
                      if reporter.handle in url]
    assert len(urls) > 15 and "/experiences/baclofen" in urls and "/members/thread_author" in urls
    assert "/members/secret_reporter" in about_reporter
    others = [make_member("another_member"), make_member("a_moderator", role=Role.moderator),
              make_member("an_admin", role=Role.admin)]
    anonymous = app.test_client()
    viewers = [(anonymous, {})]
    viewers += [(anonymous, api_headers(member)) for member in others]
    viewers += [(signed_in_client(app, member), {}) for member in others]
    for client, headers in viewers:
        for url in urls:
            text = client.get(url, headers=headers).get_data(as_text=True)
            assert SECRET_DOSE not in text and reporter.handle not in text, (url, headers)
        for url in about_reporter:
            assert SECRET_DOSE not in client.get(url, headers=headers).get_data(as_text=True), (url, headers)


def test_my_experiences_is_only_ever_the_callers_own(app, community, make_member, api_headers):
    for role in (Role.member, Role.moderator, Role.admin):
        member = make_member(role=role)
        body = app.test_client().get("/api/v1/me/experiences", headers=api_headers(member)).get_json()
        assert body["items"] == []
        page = signed_in_client(app, member).get("/experiences").get_data(as_text=True)
        assert SECRET_DOSE not in page and "You have not recorded any experiences yet." in page
