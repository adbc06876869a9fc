"""GET /api/v1/me/export and the account page's download: everything of the caller, nothing of anyone else."""
import json

from app.members.models import Role
from app.moderation.actions import services as actions
from app.moderation.queue import services as queue
from app.polls import services as polls


def test_export_of_a_holds_everything_of_a_and_nothing_of_b(client, forum, make_member, api_headers, stats_data):
    alice, bob = make_member("alice_a"), make_member("bravo_bob")
    moderator = make_member("mod_mia", role=Role.moderator)
    thread = forum.thread(alice, title="Alice's thread about night cramps", body="Alice's own words.")
    poll = polls.create_poll(alice, thread.id, "Does stretching help?", "single", options=["Yes", "No"])
    polls.vote(alice, poll.id, [poll.options[0].id])
    polls.vote(bob, poll.id, [poll.options[1].id])
    bobs_reply = forum.reply(thread, bob, body="Bob's secret reply words.")
    alices_reply = forum.reply(thread, alice, body="Alice answers Bob.", parent=bobs_reply)
    queue.flag_post(alice, bobs_reply.id, "spam", note="Alice thinks this is spam.")
    queue.flag_post(bob, alices_reply.id, "spam", note="Bob's note about Alice.")
    actions.remove_post(moderator, alices_reply.id, "Off topic, sorry.")
    stats_data.report(alice, "baclofen", "major")
    stats_data.report(bob, "tizanidine", "worse")
    alice_headers = api_headers(alice)
    bob_headers = api_headers(bob)
    assert client.put(f"/api/v1/posts/{bobs_reply.id}/reactions/thanks", headers=alice_headers).status_code == 200
    from app.forum.services import opening_post
    opening = opening_post(thread).id
    assert client.put(f"/api/v1/posts/{opening}/reactions/support", headers=bob_headers).status_code == 200
    assert client.put("/api/v1/tags/tizanidine/follow", headers=bob_headers).status_code == 204
    assert client.put("/api/v1/tags/baclofen/follow", headers=alice_headers).status_code == 204

    response = client.get("/api/v1/me/export", headers=alice_headers)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    export = response.get_json()
    text = json.dumps(export)
    # Everything of Alice ...
    assert export["profile"]["handle"] == "alice_a" and export["profile"]["email"] == "alice_a@example.org"
    assert "Alice's own words." in text and "Alice's thread about night cramps" in text
    assert {p["id"] for p in export["posts"]} >= {alices_reply.id}
    assert export["post_revisions"] and export["polls"][0]["question"] == "Does stretching help?"
    assert len(export["ballots"]) == 1 and export["ballots"][0]["option_ids"] == [poll.options[0].id]
    assert [r["treatment_id"] for r in export["experience_reports"]] == [stats_data.tag("baclofen").id]
    assert export["flags_filed"][0]["note"] == "Alice thinks this is spam."
    assert export["moderation_actions"][0]["reason"] == "Off topic, sorry."
    assert export["notifications"] and len(export["api_tokens"]) == 1
    assert export["consent"]["ballots_in_stats"] is True
    assert [(r["post_id"], r["kind"]) for r in export["reactions"]] == [(bobs_reply.id, "thanks")]
    assert [f["tag_id"] for f in export["tag_follows"]] == [stats_data.tag("baclofen").id]
    # ... and nothing of Bob, nor of the moderator, nor a secret.
    for absent in ("bravo_bob", "Bob's secret reply words.", "Bob's note about Alice.", "mod_mia", "tizanidine",
                   "$argon2", "password_hash", "token_hash", "session_secret"):
        assert absent not in text, (absent, [k for k, v in export.items() if absent in json.dumps(v)], text[max(0, text.find(absent) - 300):text.find(absent) + 100])
    for section in ("posts", "threads", "ballots", "flags_filed", "notifications", "experience_reports",
                    "reactions", "tag_follows", "thread_follows"):
        for row in export[section]:
            assert bob.id not in (row.get("author_id"), row.get("member_id"), row.get("creator_id")), (section, row)
    assert all(b["member_id"] == alice.id for b in export["ballots"])


def test_the_account_page_downloads_the_same_document(pages, client, make_member):
    carla = make_member("carla")
    pages.sign_in(carla)
    response = client.get("/account/export")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.get_data())["profile"]["handle"] == "carla"
    assert client.get("/api/v1/me/export").status_code == 401  # the API takes tokens only
