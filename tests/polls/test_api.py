import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.members.models import MemberStatus, Role
from app.polls.models import Ballot, BallotChoice, Poll


@pytest.fixture
def new_poll(client, thread, owner, api_headers):
    def create(**fields):
        payload = {"question": "Which time of day is worst?", "kind": "single",
                   "options": ["Morning", "Afternoon", "Night"], **fields}
        response = client.post(f"/api/v1/threads/{thread.id}/polls", headers=api_headers(owner), json=payload)
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return create


def vote(client, headers, poll, *positions):
    option_ids = [poll["options"][i]["id"] for i in positions]
    return client.put(f"/api/v1/polls/{poll['id']}/vote", headers=headers, json={"option_ids": option_ids})


class TestCreate:
    def test_single_choice_poll(self, new_poll, client, thread):
        poll = new_poll()
        assert poll["kind"] == "single" and poll["closed"] is False and poll["treatment"] is None
        assert [o["label"] for o in poll["options"]] == ["Morning", "Afternoon", "Night"]
        assert all(o["effect"] is None and o["votes"] == 0 for o in poll["options"])
        assert poll["total_voters"] == 0 and poll["my_vote"] == []
        detail = client.get(f"/api/v1/threads/{thread.id}").get_json()
        assert detail["has_poll"] is True and [p["id"] for p in detail["polls"]] == [poll["id"]]

    def test_experience_poll_uses_the_effect_scale(self, new_poll):
        poll = new_poll(kind="experience", options=None, treatment="Lioresal", question="Did baclofen help?")
        assert poll["treatment"] == {"slug": "baclofen", "name": "Oral baclofen"}
        assert [(o["effect"], o["label"]) for o in poll["options"]] == [
            ("major", "Helped a lot"), ("moderate", "Helped somewhat"), ("slight", "Helped a little"),
            ("none", "No difference"), ("worse", "Made things worse"), ("cant_tell", "Too early to tell")]

    @pytest.mark.parametrize("fields, field", [
        ({"options": ["Only one"]}, "options"),
        ({"options": [str(i) for i in range(11)]}, "options"),
        ({"options": ["Same", "same"]}, "options"),
        ({"question": "Hm?"}, "question"),
        ({"kind": "ranked"}, "kind"),
        ({"kind": "experience", "options": None}, "treatment"),
        ({"kind": "experience", "options": None, "treatment": "heat"}, "treatment"),
        ({"kind": "experience", "options": None, "treatment": "moon juice"}, "treatment"),
        ({"closes_at": "2020-01-01T00:00:00Z"}, "closes_at"),
        ({"results": "never"}, "results"),
    ])
    def test_invalid_polls_are_422_naming_the_field(self, client, thread, owner, api_headers, fields, field):
        payload = {"question": "Which time of day is worst?", "kind": "single", "options": ["A", "B"], **fields}
        response = client.post(f"/api/v1/threads/{thread.id}/polls", headers=api_headers(owner), json=payload)
        assert response.status_code == 422 and field in response.get_json()["errors"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Poll)) == 0

    def test_only_thread_author_or_moderator(self, client, thread, make_member, api_headers):
        payload = {"question": "Which time of day is worst?", "kind": "single", "options": ["A", "B"]}
        stranger = client.post(f"/api/v1/threads/{thread.id}/polls", headers=api_headers(make_member()), json=payload)
        assert stranger.status_code == 403
        moderator = make_member(role=Role.moderator)
        assert client.post(f"/api/v1/threads/{thread.id}/polls", headers=api_headers(moderator), json=payload).status_code == 201
        assert client.post(f"/api/v1/threads/{thread.id}/polls", json=payload).status_code == 401


class TestVoting:
    def test_vote_change_and_withdraw(self, client, new_poll, make_member, api_headers):
        poll = new_poll()
        me = api_headers(make_member())
        body = vote(client, me, poll, 0).get_json()
        assert body["my_vote"] == [poll["options"][0]["id"]] and body["total_voters"] == 1
        assert [o["votes"] for o in body["options"]] == [1, 0, 0]
        body = vote(client, me, poll, 2).get_json()
        assert [o["votes"] for o in body["options"]] == [0, 0, 1] and body["total_voters"] == 1
        assert client.delete(f"/api/v1/polls/{poll['id']}/vote", headers=me).status_code == 204
        body = client.get(f"/api/v1/polls/{poll['id']}", headers=me).get_json()
        assert body["my_vote"] == [] and body["total_voters"] == 0 and [o["votes"] for o in body["options"]] == [0, 0, 0]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice)) == 0

    def test_the_same_vote_twice_counts_once(self, client, new_poll, make_member, api_headers):
        poll = new_poll()
        me = api_headers(make_member())
        vote(client, me, poll, 1)
        body = vote(client, me, poll, 1).get_json()
        assert body["total_voters"] == 1 and [o["votes"] for o in body["options"]] == [0, 1, 0]

    def test_multiple_choice(self, client, new_poll, make_member, api_headers):
        poll = new_poll(kind="multiple")
        body = vote(client, api_headers(make_member()), poll, 0, 2).get_json()
        assert sorted(body["my_vote"]) == sorted([poll["options"][0]["id"], poll["options"][2]["id"]])
        assert [o["votes"] for o in body["options"]] == [1, 0, 1] and body["total_voters"] == 1

    @pytest.mark.parametrize("option_ids", [[], "several", None])
    def test_bad_ballots_are_422(self, client, new_poll, make_member, api_headers, option_ids):
        poll = new_poll()
        if option_ids == "several":
            option_ids = [poll["options"][0]["id"], poll["options"][1]["id"]]
        response = client.put(f"/api/v1/polls/{poll['id']}/vote", headers=api_headers(make_member()),
                              json={"option_ids": option_ids})
        assert response.status_code == 422 and "option_ids" in response.get_json()["errors"]

    def test_option_of_another_poll_is_422(self, client, new_poll, make_member, api_headers):
        first, second = new_poll(), new_poll()
        response = client.put(f"/api/v1/polls/{first['id']}/vote", headers=api_headers(make_member()),
                              json={"option_ids": [second["options"][0]["id"]]})
        assert response.status_code == 422

    def test_closed_poll_refuses_votes_with_409(self, client, new_poll, owner, make_member, api_headers):
        poll = new_poll()
        me = api_headers(make_member())
        vote(client, me, poll, 0)
        closed = client.post(f"/api/v1/polls/{poll['id']}/close", headers=api_headers(owner))
        assert closed.status_code == 200 and closed.get_json()["closed"] is True
        assert vote(client, me, poll, 1).status_code == 409
        assert client.delete(f"/api/v1/polls/{poll['id']}/vote", headers=me).status_code == 409
        assert client.get(f"/api/v1/polls/{poll['id']}", headers=me).get_json()["my_vote"] == [poll["options"][0]["id"]]

    def test_poll_past_its_closing_time_is_closed(self, client, new_poll, make_member, api_headers):
        poll = new_poll(closes_at=(utcnow() + timedelta(hours=1)).isoformat())
        db.session.execute(sa.update(Poll).values(closes_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert vote(client, api_headers(make_member()), poll, 0).status_code == 409

    def test_only_author_or_moderator_closes(self, client, new_poll, make_member, api_headers):
        poll = new_poll()
        assert client.post(f"/api/v1/polls/{poll['id']}/close", headers=api_headers(make_member())).status_code == 403

    def test_suspended_members_cannot_vote(self, client, new_poll, make_member, api_headers):
        poll = new_poll()
        member = make_member()
        headers = api_headers(member)
        member.status = MemberStatus.suspended
        db.session.commit()
        assert vote(client, headers, poll, 0).status_code == 401
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


class TestResultsVisibility:
    def test_after_vote_hides_counts_until_the_caller_votes(self, client, new_poll, make_member, api_headers):
        poll = new_poll(results="after_vote")
        vote(client, api_headers(make_member()), poll, 0)
        me = api_headers(make_member())
        before = client.get(f"/api/v1/polls/{poll['id']}", headers=me).get_json()
        assert before["results_visible"] is False and before["total_voters"] is None
        assert all(o["votes"] is None for o in before["options"])
        after = vote(client, me, poll, 1).get_json()
        assert after["results_visible"] is True and after["total_voters"] == 2

    def test_after_close_hides_counts_until_closed(self, client, new_poll, owner, make_member, api_headers):
        poll = new_poll(results="after_close")
        me = api_headers(make_member())
        assert vote(client, me, poll, 0).get_json()["total_voters"] is None
        client.post(f"/api/v1/polls/{poll['id']}/close", headers=api_headers(owner))
        assert client.get(f"/api/v1/polls/{poll['id']}").get_json()["total_voters"] == 1

    def test_watching_an_experience_poll_reveals_no_vote(self, client, new_poll, make_member, api_headers):
        """The attack: read the poll, let four sock puppets and then the victim vote, read it again."""
        poll = new_poll(kind="experience", options=None, treatment="baclofen")
        url = f"/api/v1/polls/{poll['id']}"
        watcher = api_headers(make_member("watcher"))
        before = [client.get(url).get_json(), client.get(url, headers=watcher).get_json()]
        for i in range(4):
            vote(client, api_headers(make_member(f"sock_{i}")), poll, 0)
        victim = api_headers(make_member("victim"))
        mine = vote(client, victim, poll, 3).get_json()
        after = [client.get(url).get_json(), client.get(url, headers=watcher).get_json()]
        assert after == before  # nothing a visitor or another member reads moved
        for body in after + [mine]:
            assert body["votes_needed"] is None and body["total_voters"] is None
            assert all(o["votes"] is None for o in body["options"]) and body["results_visible"] is False
        assert mine["my_vote"] == [poll["options"][3]["id"]]
        assert mine["statistics"] == {"release": None, "published_at": None, "published": False, "members": None,
                                      "helped_share": None, "ci_low": None, "ci_high": None}
        client.delete(f"{url}/vote", headers=victim)  # withdrawing shows nothing either
        assert [client.get(url).get_json(), client.get(url, headers=watcher).get_json()] == before

    def test_experience_poll_shows_the_latest_release(self, client, new_poll, released):
        poll = new_poll(kind="experience", options=None, treatment="Lioresal")
        url = f"/api/v1/polls/{poll['id']}"
        first = released("baclofen", suppressed=True)
        body = client.get(url).get_json()["statistics"]
        assert body["release"] == first.id and body["published"] is False and body["helped_share"] is None
        second = released("baclofen", members=212, helped_share=0.63, ci_low=0.55, ci_high=0.7)
        body = client.get(url).get_json()["statistics"]
        assert body["release"] == second.id and body["published"] is True
        assert (body["members"], body["helped_share"], body["ci_low"], body["ci_high"]) == (212, 0.63, 0.55, 0.7)


class TestBrowse:
    def test_filter_by_treatment_and_state_newest_first(self, client, new_poll, owner, api_headers):
        general = new_poll()
        baclofen = new_poll(kind="experience", options=None, treatment="baclofen")
        tizanidine = new_poll(kind="experience", options=None, treatment="Zanaflex")
        client.post(f"/api/v1/polls/{tizanidine['id']}/close", headers=api_headers(owner))
        ids = lambda q: [p["id"] for p in client.get(f"/api/v1/polls{q}").get_json()["items"]]
        assert ids("") == [tizanidine["id"], baclofen["id"], general["id"]]
        assert ids("?treatment=Lioresal") == [baclofen["id"]]
        assert ids("?state=closed") == [tizanidine["id"]]
        assert ids("?state=open") == [baclofen["id"], general["id"]]
        assert client.get("/api/v1/polls?state=maybe").status_code == 422
        assert client.get("/api/v1/polls?treatment=heat").status_code == 422

    def test_paging_visits_every_poll_once(self, client, new_poll):
        made = [new_poll()["id"] for _ in range(7)]
        seen, cursor = [], None
        while True:
            body = client.get("/api/v1/polls?limit=3" + (f"&cursor={cursor}" if cursor else "")).get_json()
            seen += [p["id"] for p in body["items"]]
            if not (cursor := body["next_cursor"]):
                break
        assert seen == list(reversed(made))


def test_no_response_reveals_a_voter(client, app, new_poll, thread, make_member, api_headers, pages):
    """Voters never post; their handles must appear nowhere, to anyone, moderators and admins included."""
    poll = new_poll()
    experience = new_poll(kind="experience", options=None, treatment="baclofen")
    voters = [make_member(f"secret_voter_{i}") for i in range(6)]
    for i, voter in enumerate(voters):
        vote(client, api_headers(voter), poll, i % 3)
        vote(client, api_headers(voter), experience, i % 6)
    admin = make_member("the_admin", role=Role.admin)
    moderator = make_member("the_mod", role=Role.moderator)
    values = {"thread_id": thread.id, "poll_id": poll["id"], "post_id": 1, "slug": "baclofen",
              "handle": "thread_owner"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or set(rule.arguments) - set(values):
            continue
        urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule))
    urls += [f"/api/v1/polls/{experience['id']}", "/api/v1/polls?state=open"]
    assert len(urls) > 10
    for headers in ({}, api_headers(admin), api_headers(moderator), api_headers(make_member())):
        for url in urls:
            text = client.get(url, headers=headers).get_data(as_text=True)
            assert "secret_voter" not in text, url
    pages.sign_in(moderator)
    for url in urls:
        assert "secret_voter" not in client.get(url).get_data(as_text=True), url
    # and nobody else's choice shows up as "mine"
    other = client.get(f"/api/v1/polls/{poll['id']}", headers=api_headers(admin)).get_json()
    assert other["my_vote"] == [] and other["total_voters"] == 6


@pytest.mark.concurrent
def test_concurrent_votes_never_count_twice(app, new_poll, make_member, api_headers):
    poll = new_poll(kind="multiple")
    members = [api_headers(make_member()) for _ in range(6)]
    options = [o["id"] for o in poll["options"]]

    def send(job):
        headers, choice = job
        return app.test_client().put(f"/api/v1/polls/{poll['id']}/vote", headers=headers,
                                     json={"option_ids": choice}).status_code

    # every member double-clicks and changes their mind at the same moment
    jobs = [(headers, [options[(i + k) % 3]]) for i, headers in enumerate(members) for k in range(4)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(send, jobs))
    assert statuses == [200] * len(jobs)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == len(members)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice)) == len(members)
    body = app.test_client().get(f"/api/v1/polls/{poll['id']}").get_json()
    assert body["total_voters"] == len(members) and sum(o["votes"] for o in body["options"]) == len(members)


@pytest.mark.parametrize("kind, results, field", [("ranked", "always", "kind"), ("single", "never", "results")])
def test_service_refuses_unknown_kind_or_visibility_with_field_errors(app, thread, owner, kind, results, field):
    from app.core.errors import InvalidInput
    from app.polls.services import create_poll
    with pytest.raises(InvalidInput) as error:
        create_poll(owner, thread.id, "Which time of day is worst?", kind, ["A", "B"], results=results)
    assert list(error.value.errors) == [field]
