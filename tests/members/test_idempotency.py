"""Idempotency-Key on the POSTs that create things: a client's retry never writes twice
(app/members/idempotency.py)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.forum.models import Post, Thread
from app.members.models import IdempotencyKey
from app.moderation.models import Flag
from app.polls.models import Poll

THREAD = {"title": "Night spasms and baclofen", "body": "What helps you at night?", "tags": ["baclofen"]}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def carla(make_member):
    return make_member("carla")


@pytest.fixture
def headers(carla, api_headers):
    return lambda key: {**api_headers(carla), "Idempotency-Key": key}


class TestRetries:
    def test_a_repeated_thread_returns_the_first_answer_and_writes_once(self, client, vocabulary, headers):
        h = headers("a1b2c3-thread")
        first = client.post("/api/v1/threads", headers=h, json=THREAD)
        again = client.post("/api/v1/threads", headers=h, json=dict(reversed(list(THREAD.items()))))
        assert first.status_code == again.status_code == 201
        assert again.get_json() == first.get_json()
        assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
        assert count(Thread) == 1 and count(Post) == 1

    def test_a_repeated_reply_writes_once(self, client, forum, headers):
        thread = forum.thread()
        h = headers("reply-1")
        answers = [client.post(f"/api/v1/threads/{thread.id}/posts", headers=h, json={"body": "Same here."})
                   for _ in range(3)]
        assert {a.status_code for a in answers} == {201}
        assert len({a.get_json()["id"] for a in answers}) == 1
        assert count(Post) == 2

    def test_a_repeated_poll_and_flag_write_once(self, client, forum, carla, headers, make_member):
        thread = forum.thread(author=carla)
        poll = {"question": "Does stretching help?", "kind": "single", "options": ["Yes", "No"],
                "results": "always"}
        for _ in range(2):
            assert client.post(f"/api/v1/threads/{thread.id}/polls", headers=headers("poll-1"),
                               json=poll).status_code == 201
        assert count(Poll) == 1
        dora = make_member("dora")
        flag = {"post_id": forum.reply(forum.thread(author=dora), dora).id, "reason": "spam"}
        first = client.post("/api/v1/flags", headers=headers("flag-1"), json=flag)
        again = client.post("/api/v1/flags", headers=headers("flag-1"), json=flag)
        assert first.status_code == 201 and again.status_code == 201  # not "409 already flagged"
        assert again.get_json() == first.get_json() and count(Flag) == 1

    def test_without_a_key_nothing_changes(self, client, vocabulary, carla, api_headers):
        for _ in range(2):
            assert client.post("/api/v1/threads", headers=api_headers(carla), json=THREAD).status_code == 201
        assert count(Thread) == 2


class TestMisuse:
    def test_the_same_key_with_another_body_is_422_and_writes_nothing(self, client, vocabulary, headers):
        h = headers("k-1")
        assert client.post("/api/v1/threads", headers=h, json=THREAD).status_code == 201
        other = client.post("/api/v1/threads", headers=h, json=dict(THREAD, title="Another thread entirely"))
        assert other.status_code == 422 and other.mimetype == "application/problem+json"
        assert "Idempotency-Key" in other.get_json()["errors"]
        assert count(Thread) == 1

    def test_the_same_key_on_another_endpoint_is_422(self, client, forum, headers):
        thread = forum.thread()
        assert client.post(f"/api/v1/threads/{thread.id}/posts", headers=headers("k-2"),
                           json={"body": "One"}).status_code == 201
        assert client.post("/api/v1/threads", headers=headers("k-2"), json=THREAD).status_code == 422

    def test_keys_belong_to_their_member(self, client, vocabulary, headers, make_member, api_headers):
        assert client.post("/api/v1/threads", headers=headers("shared"), json=THREAD).status_code == 201
        dora = {**api_headers(make_member("dora")), "Idempotency-Key": "shared"}
        answer = client.post("/api/v1/threads", headers=dora, json=THREAD)
        assert answer.status_code == 201 and "Idempotent-Replayed" not in answer.headers
        assert answer.get_json()["author"] == {"handle": "dora"} and count(Thread) == 2

    @pytest.mark.parametrize("key", ["", "x" * 256, "clé", "two words"])
    def test_an_unusable_key_is_422(self, client, vocabulary, headers, key):
        answer = client.post("/api/v1/threads", headers=headers(key), json=THREAD)
        assert answer.status_code == 422 and "Idempotency-Key" in answer.get_json()["errors"]
        assert count(Thread) == 0

    def test_a_refused_first_try_gives_its_key_back(self, client, vocabulary, headers):
        h = headers("retry-after-fixing")
        assert client.post("/api/v1/threads", headers=h, json=dict(THREAD, title="Hey")).status_code == 422
        assert client.post("/api/v1/threads", headers=h, json=THREAD).status_code == 201
        assert count(Thread) == 1

    def test_a_request_still_running_is_409(self, client, vocabulary, carla, headers):
        first = client.post("/api/v1/threads", headers=headers("slow"), json=THREAD)
        db.session.execute(sa.update(IdempotencyKey).values(status_code=None, response_body=None))
        db.session.commit()
        again = client.post("/api/v1/threads", headers=headers("slow"), json=THREAD)
        assert first.status_code == 201 and again.status_code == 409
        assert count(Thread) == 1

    def test_an_expired_key_may_be_used_again(self, client, vocabulary, headers):
        assert client.post("/api/v1/threads", headers=headers("old"), json=THREAD).status_code == 201
        db.session.execute(sa.update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        answer = client.post("/api/v1/threads", headers=headers("old"), json=THREAD)
        assert answer.status_code == 201 and "Idempotent-Replayed" not in answer.headers
        assert count(Thread) == 2 and count(IdempotencyKey) == 1


class TestAnswerLostAfterTheWrite:
    def test_the_retry_does_not_post_twice(self, client, vocabulary, headers, monkeypatch):
        """The thread is stored, then the database goes away while the answer is built: 503 (not 500) with
        Retry-After, and the retry with the same key is told, instead of posting a second thread."""
        from app.forum import services

        def database_gone(*args, **kwargs):
            raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
        monkeypatch.setattr(services, "thread_detail", database_gone)
        lost = client.post("/api/v1/threads", headers=headers("lost"), json=THREAD)
        assert lost.status_code == 503 and lost.mimetype == "application/problem+json"
        assert int(lost.headers["Retry-After"]) > 0
        monkeypatch.undo()
        retry = client.post("/api/v1/threads", headers=headers("lost"), json=THREAD)
        assert retry.status_code == 409 and "took effect" in retry.get_json()["detail"]
        assert count(Thread) == 1


def test_the_openapi_description_offers_the_header(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/threads", "/api/v1/threads/{thread_id}/posts", "/api/v1/threads/{thread_id}/polls",
                 "/api/v1/flags"):
        names = [p["name"] for p in spec["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
