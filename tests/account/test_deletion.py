"""DELETE /api/v1/me and the delete page: what a visitor, a moderator and the statistics see afterwards."""
import sqlalchemy as sa

from app.account import retention
from app.extensions import db
from app.forum.models import Post, PostRevision
from app.members.models import ApiToken, Member, MemberStatus, Role
from app.moderation.actions import services as actions
from app.moderation.models import Flag
from app.moderation.queue import services as queue
from app.polls.models import Ballot
from app.experiences.models import ExperienceReport
from app.notifications.models import Notification, ThreadFollow
from app.stats.models import TreatmentStats
from tests.conftest import PASSWORD, csrf_token


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def baclofen_members(stats_data) -> int:
    release = stats_data.publish(epsilon=0)
    return db.session.scalar(sa.select(TreatmentStats.members).where(
        TreatmentStats.release_id == release.id, TreatmentStats.treatment_slug == "baclofen"))


def community(make_member, forum, stats_data):
    """Carla posts, reports and votes among a crowd; Olga replies to her; a moderator acted on her."""
    carla, olga = make_member("carla"), make_member("olga")
    moderator = make_member("mod_mia", role=Role.moderator)
    thread = forum.thread(carla, title="Cramps at night", body="Carla's words about her nights.")
    olgas_reply = forum.reply(thread, olga, body="Olga's answer stays.")
    carlas_reply = forum.reply(thread, carla, body="Carla's reply to Olga.", parent=olgas_reply)
    queue.flag_post(carla, olgas_reply.id, "spam", note="Looks like an ad")
    actions.lock(moderator, thread.id, "Heated; cooling down.")
    for member in stats_data.crowd(11) + [carla]:
        stats_data.report(member, "baclofen", "major")
        stats_data.ballot(member, "baclofen", "major")
    return carla, olga, moderator, thread, carlas_reply


class TestDeleteApi:
    def test_a_wrong_password_is_403_and_changes_nothing(self, client, make_member, api_headers):
        carla = make_member("carla")
        headers = api_headers(carla)
        response = client.delete("/api/v1/me", json={"password": "not my password", "erase_posts": True},
                                 headers=headers)
        assert response.status_code == 403 and response.content_type == "application/problem+json"
        assert client.get("/api/v1/me", headers=headers).get_json()["status"] == "active"
        db.session.expire_all()
        assert db.session.get(Member, carla.id).email == "carla@example.org"

    def test_without_erase_posts(self, app, client, make_member, forum, api_headers, stats_data, pages):
        carla, olga, moderator, thread, carlas_reply = community(make_member, forum, stats_data)
        assert baclofen_members(stats_data) == 12
        flags_before = count(Flag)
        assert count(ThreadFollow, ThreadFollow.member_id == carla.id) == 1  # she follows her own thread
        headers = api_headers(carla)
        assert client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers).status_code == 204

        assert client.get("/api/v1/me", headers=headers).status_code == 401
        assert client.post("/api/v1/tokens", json={"login": "carla", "password": PASSWORD}).status_code == 401
        member = db.session.get(Member, carla.id)
        assert member.status == MemberStatus.deleted and member.email is None and member.password_hash is None
        assert count(ApiToken, ApiToken.member_id == carla.id) == 0
        assert count(ExperienceReport, ExperienceReport.member_id == carla.id) == 0
        assert count(Ballot, Ballot.member_id == carla.id) == 0
        assert count(Flag) == flags_before  # flags stay, no longer naming her
        assert count(Notification, Notification.member_id == carla.id) == 0
        assert count(ThreadFollow, ThreadFollow.member_id == carla.id) == 0
        # A visitor: her words stay, her handle is gone.
        page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
        assert "Carla&#39;s words about her nights." in page or "Carla's words about her nights." in page
        assert "Olga&#39;s answer stays." in page or "Olga's answer stays." in page
        assert "a former member" in page and ">carla<" not in page
        # A moderator: the audit log keeps the action and names a former member.
        pages.sign_in(moderator)
        log = client.get("/mod/log").get_data(as_text=True)
        assert "Heated; cooling down." in log and "a former member" in log and ">carla<" not in log
        # The statistics: her report and ballot leave the next release.
        assert baclofen_members(stats_data) == 11

    def test_with_erase_posts(self, app, client, make_member, forum, api_headers, stats_data, pages):
        carla, olga, moderator, thread, carlas_reply = community(make_member, forum, stats_data)
        headers = api_headers(carla)
        response = client.delete("/api/v1/me", json={"password": PASSWORD, "erase_posts": True}, headers=headers)
        assert response.status_code == 204
        for post in db.session.scalars(sa.select(Post).where(Post.author_id == carla.id)):
            assert post.body_source == "" and post.body_html == ""
        assert not db.session.scalar(sa.select(sa.func.count()).select_from(PostRevision).join(Post).where(
            Post.author_id == carla.id, PostRevision.body_source != ""))
        visitor = app.test_client()
        pages.sign_in(moderator)
        for viewer in (visitor, client):
            page = viewer.get(f"/threads/{thread.id}").get_data(as_text=True)
            assert "about her nights" not in page and "Carla&#39;s reply" not in page and "Carla's reply" not in page
            assert "Olga&#39;s answer stays." in page or "Olga's answer stays." in page  # the reply keeps its place
        assert baclofen_members(stats_data) == 11

    def test_the_handle_is_held_then_released_by_purge(self, app, client, make_member, api_headers, runner):
        carla = make_member("carla")
        client.delete("/api/v1/me", json={"password": PASSWORD}, headers=api_headers(carla))
        again = {"handle": "Carla", "email": "new-carla@example.org", "password": "a long enough password"}
        assert client.post("/api/v1/members", json=again).status_code == 409
        app.config["HANDLE_HOLD_DAYS"] = 0
        result = runner.invoke(args=["purge"])
        assert result.exit_code == 0 and "1 handles released" in result.output
        assert client.post("/api/v1/members", json=again).status_code == 201


class TestDeletePage:
    def test_wrong_password_keeps_the_choice_then_deletes(self, client, pages, make_member):
        carla = make_member("carla")
        pages.sign_in(carla)
        wrong = pages.post("/account/delete", {"password": "not my password", "erase_posts": "1"})
        html = wrong.get_data(as_text=True)
        assert wrong.status_code == 403 and "That is not your current password." in html
        assert 'class="error-summary"' in html and "not my password" not in html
        assert 'id="erase_posts" name="erase_posts" type="checkbox" value="1" checked' in html
        done = pages.post("/account/delete", {"password": PASSWORD})
        assert done.status_code == 302
        assert client.get("/account").status_code == 302  # signed out
        db.session.expire_all()
        assert db.session.get(Member, carla.id).status == MemberStatus.deleted
