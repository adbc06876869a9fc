"""Moderators check in privately: the member answers, every moderator reads and answers, nobody else sees it,
it is audited and the member is told (by email at once by default), crisis items lead to it."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.moderation.models import AuditEntry
from app.notifications.models import Notification, NotificationKind
from tests.mailbox import mailbox, smtp_server  # noqa: F401 (fixtures)


@pytest.fixture
def member(make_member):
    return make_member("frozen_fran")


def start(client, headers, handle="frozen_fran", body="How are you doing today?", **extra):
    return client.post("/api/v1/moderation/conversations", headers=headers,
                       json={"member": handle, "body": body, **extra})


class TestApi:
    def test_a_moderator_checks_in_the_member_answers_every_moderator_reads(self, client, api_headers, moderator,
                                                                          make_member, member, mailbox):
        response = start(client, api_headers(moderator))
        assert response.status_code == 201
        conversation = response.get_json()
        assert conversation["member"] == "frozen_fran"
        assert conversation["messages"][0]["author"] == "the moderators (@mod_maria)"
        email = mailbox.last_to(member.email)
        assert "The moderators (@mod_maria) wrote to you privately" in mailbox.text(email)
        assert "How are you doing" not in email.as_string()  # the words stay in Thaw
        mine = client.get("/api/v1/me/conversations", headers=api_headers(member)).get_json()["items"]
        assert [c["id"] for c in mine] == [conversation["id"]]
        answer = client.post(f"/api/v1/conversations/{conversation['id']}/messages", headers=api_headers(member),
                             json={"body": "Better, thank you."})
        assert answer.status_code == 201 and answer.get_json()["author"] == "@frozen_fran"
        other_moderator = make_member("mod_mo", role=moderator.role)
        read = client.get(f"/api/v1/conversations/{conversation['id']}", headers=api_headers(other_moderator))
        assert read.get_json()["awaiting_moderators"] is True
        assert client.post(f"/api/v1/conversations/{conversation['id']}/messages",
                           headers=api_headers(other_moderator), json={"body": "Glad to hear."}).status_code == 201
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["check_in", "check_in_reply"]

    def test_nobody_else_reads_or_writes_it(self, client, api_headers, moderator, member, make_member):
        conversation = start(client, api_headers(moderator)).get_json()
        stranger = api_headers(make_member("nosy_ned"))
        assert client.get(f"/api/v1/conversations/{conversation['id']}", headers=stranger).status_code == 404
        assert client.post(f"/api/v1/conversations/{conversation['id']}/messages", headers=stranger,
                           json={"body": "hi"}).status_code == 404
        assert client.get("/api/v1/me/conversations", headers=stranger).get_json()["items"] == []
        assert client.get(f"/api/v1/conversations/{conversation['id']}").status_code == 401

    def test_members_cannot_start_one(self, client, api_headers, member, make_member):
        response = start(client, api_headers(make_member()))
        assert response.status_code == 403
        assert db.session.scalar(sa.text("select count(*) from moderator_conversations")) == 0

    @pytest.mark.parametrize("body,field", [({"member": "nobody_here", "body": "Hi"}, "member"),
                                            ({"member": "frozen_fran", "body": ""}, "body"),
                                            ({"member": "frozen_fran", "body": "x" * 5001}, "body"),
                                            ({"member": "frozen_fran", "body": "Hi", "queue_item_id": 999}, "queue_item_id")])
    def test_bad_input_is_422_and_writes_nothing(self, client, api_headers, moderator, member, body, field):
        response = client.post("/api/v1/moderation/conversations", headers=api_headers(moderator), json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.kind == NotificationKind.moderator_message)) == 0


class TestPages:
    def test_check_in_from_the_member_then_the_member_answers(self, client, pages, moderator, member):
        pages.sign_in(moderator)
        page = client.get("/mod/members/frozen_fran/check-in").get_data(as_text=True)
        assert '<label for="body">Your message</label>' in page
        response = pages.post("/mod/members/frozen_fran/check-in", {"body": "Checking in after your post."})
        assert response.status_code == 302
        location = response.headers["Location"]
        client.post("/signout", data={})
        client.delete_cookie("session")
        pages.sign_in(member)
        page = client.get(location).get_data(as_text=True)
        assert "The moderators (@mod_maria)" in page and "Checking in after your post." in page
        assert pages.post(location, {"body": ""}, form_page=location).status_code == 422
        assert pages.post(location, {"body": "Thanks, I am safe."}, form_page=location).status_code == 302
        assert "Thanks, I am safe." in client.get(location).get_data(as_text=True)


def test_a_crisis_item_and_the_members_page_lead_to_a_check_in(client, pages, forum, moderator, member):
    from app.moderation.words.services import seed_crisis_words
    seed_crisis_words()
    forum.thread(member, title="A hard week", body="Some days I want to die, honestly.")
    pages.sign_in(moderator)
    queue = client.get("/mod").get_data(as_text=True)
    assert 'href="/mod/members/frozen_fran/check-in?item=' in queue and "Check in privately with frozen_fran" in queue
    assert 'href="/mod/members/frozen_fran/check-in"' in client.get("/members/frozen_fran").get_data(as_text=True)
