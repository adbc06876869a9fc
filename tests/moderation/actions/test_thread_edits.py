"""A moderator's retitle or retag through PATCH /threads/{id} or the edit page is an audited action that
tells the author; a locked thread's author can no longer retitle it or add polls (moderators still can)."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Thread
from app.forum.services import NO_REASON_GIVEN
from app.members.models import Role
from app.moderation.actions import services as actions
from app.moderation.models import AuditEntry
from app.notifications.models import Notification, NotificationKind
from app.polls.models import Poll

pytestmark = pytest.mark.usefixtures("vocabulary")


def entries(action=None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def notes_of(member) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.member_id == member.id)))


def fresh_thread(thread) -> Thread:
    db.session.expire_all()
    return db.session.get(Thread, thread.id)


@pytest.fixture
def author(make_member):
    return make_member("stiff_steve")


@pytest.fixture
def thread(author):
    return forum_services.start_thread(author, "Heat makes me stiff", "Cooling vests?", ["heat", "cooling"])


class TestModeratorsChangesAreAudited:
    def test_patch_retitle_and_retag_write_the_log_and_tell_the_author(self, client, api_headers, moderator,
                                                                        author, thread):
        response = client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(moderator),
                                json={"title": "Heat and stiffness", "tags": ["heat", "baclofen"],
                                      "reason": "Clearer title, right treatment tag"})
        assert response.status_code == 200 and response.get_json()["title"] == "Heat and stiffness"
        retitled, retagged = entries("retitle"), entries("retag")
        assert [(e.target_id, e.reason, e.member_handle) for e in retitled + retagged] == [
            (thread.id, "Clearer title, right treatment tag", "stiff_steve")] * 2
        assert retitled[0].details == {"from": "Heat makes me stiff", "to": "Heat and stiffness"}
        assert retagged[0].details == {"from": ["cooling", "heat"], "to": ["heat", "baclofen"]}
        [note] = notes_of(author)
        assert note.kind == NotificationKind.thread_edited and note.thread_id == thread.id
        assert "renamed your thread “Heat makes me stiff” to “Heat and stiffness”" in note.message
        assert "changed the tags" in note.message and note.reason == "Clearer title, right treatment tag"

    def test_patch_without_a_reason_is_still_logged(self, client, api_headers, moderator, author, thread):
        client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(moderator), json={"title": "Heat, stiffness"})
        [entry] = entries()
        assert entry.action == "retitle" and entry.reason == NO_REASON_GIVEN
        assert len(notes_of(author)) == 1

    def test_nothing_changed_writes_nothing(self, client, api_headers, moderator, author, thread):
        response = client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(moderator),
                                json={"title": "Heat makes me stiff", "reason": "none"})
        assert response.status_code == 200 and entries() == [] and notes_of(author) == []

    def test_the_authors_own_change_is_not_a_moderator_action(self, client, api_headers, author, thread):
        response = client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(author), json={"title": "Mine now"})
        assert response.status_code == 200 and entries() == [] and notes_of(author) == []

    def test_a_moderator_cannot_change_an_admins_thread(self, client, api_headers, moderator, admin):
        thread = forum_services.start_thread(admin, "Admin notes", "Body", ["heat"])
        response = client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(moderator), json={"title": "Mine now"})
        assert response.status_code == 403 and fresh_thread(thread).title == "Admin notes" and entries() == []

    def test_the_edit_page_asks_a_moderator_for_a_reason_and_logs_it(self, client, pages, moderator, author,
                                                                      thread):
        pages.sign_in(moderator)
        form = client.get(f"/threads/{thread.id}/edit").get_data(as_text=True)
        assert 'name="reason"' in form
        response = pages.post(f"/threads/{thread.id}/edit", {"title": "Heat and stiffness", "tags": "heat, cooling",
                                                             "reason": "Clearer title"})
        assert response.status_code == 302
        [entry] = entries()
        assert (entry.action, entry.reason, entry.moderator_handle) == ("retitle", "Clearer title", "mod_maria")
        [note] = notes_of(author)
        assert note.kind == NotificationKind.thread_edited and note.reason == "Clearer title"

    def test_the_edit_page_asks_the_author_no_reason(self, client, pages, author, thread):
        pages.sign_in(author)
        assert 'name="reason"' not in client.get(f"/threads/{thread.id}/edit").get_data(as_text=True)

    def test_the_retag_action_tells_the_author_too(self, moderator, author, thread):
        actions.retag(moderator, thread.id, ["baclofen"], "It is about baclofen")
        [note] = notes_of(author)
        assert note.kind == NotificationKind.thread_edited and "baclofen" in note.message.lower()


class TestLockedThreads:
    @pytest.fixture
    def locked(self, moderator, thread):
        actions.lock(moderator, thread.id, "Heated argument")
        return thread

    def test_its_author_cannot_retitle_it_through_the_api(self, client, api_headers, author, locked):
        response = client.patch(f"/api/v1/threads/{locked.id}", headers=api_headers(author),
                                json={"title": "Sneaky new title", "tags": ["baclofen"]})
        assert response.status_code == 409 and response.mimetype == "application/problem+json"
        thread = fresh_thread(locked)
        assert thread.title == "Heat makes me stiff" and [t.slug for t in thread.tags] == ["cooling", "heat"]

    def test_nor_through_the_edit_page(self, client, pages, author, locked):
        pages.sign_in(author)
        assert f"/threads/{locked.id}/edit" not in client.get(f"/threads/{locked.id}").get_data(as_text=True)
        assert client.get(f"/threads/{locked.id}/edit").status_code == 409
        response = pages.post(f"/threads/{locked.id}/edit", {"title": "Sneaky new title", "tags": "heat"},
                              form_page=f"/threads/{locked.id}")
        assert response.status_code == 409 and fresh_thread(locked).title == "Heat makes me stiff"

    def test_its_author_cannot_add_a_poll(self, client, api_headers, author, locked):
        response = client.post(f"/api/v1/threads/{locked.id}/polls", headers=api_headers(author),
                               json={"question": "Does cooling help?", "kind": "single", "options": ["Yes", "No"]})
        assert response.status_code == 409 and db.session.scalar(sa.select(sa.func.count(Poll.id))) == 0

    def test_moderators_still_can(self, client, pages, api_headers, moderator, locked):
        pages.sign_in(moderator)
        assert f"/threads/{locked.id}/edit" in client.get(f"/threads/{locked.id}").get_data(as_text=True)
        headers = api_headers(moderator)
        retitled = client.patch(f"/api/v1/threads/{locked.id}", headers=headers,
                                json={"title": "Heat and stiffness (locked)", "reason": "Closing summary"})
        assert retitled.status_code == 200 and entries("retitle")
        poll = client.post(f"/api/v1/threads/{locked.id}/polls", headers=headers,
                           json={"question": "Was this thread useful?", "kind": "single", "options": ["Yes", "No"]})
        assert poll.status_code == 201

    def test_a_moderator_author_of_a_locked_thread_may_still_retitle_it(self, client, api_headers, make_member,
                                                                         admin):
        mod = make_member("the_mod", role=Role.moderator)
        thread = forum_services.start_thread(mod, "Moderator notes", "Body", ["heat"])
        actions.lock(admin, thread.id, "Read only")
        response = client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(mod), json={"title": "Notes"})
        assert response.status_code == 200
