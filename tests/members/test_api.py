import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.members.models import ApiToken, Member, MemberStatus
from tests.conftest import PASSWORD

NEW = {"handle": "Spasm_Sam", "email": "sam@example.org", "password": "a long enough password"}


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and "type" in body
    return body


class TestRegister:
    def test_creates_member_without_revealing_email(self, client):
        response = client.post("/api/v1/members", json=NEW)
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) == {"id", "handle", "role", "joined_at"}
        assert body["handle"] == "Spasm_Sam" and body["role"] == "member"
        assert body["joined_at"].endswith("Z")

    def test_password_is_stored_as_argon2_hash(self, client):
        client.post("/api/v1/members", json=NEW)
        member = db.session.scalar(sa.select(Member))
        assert member.password_hash.startswith("$argon2id$")
        assert NEW["password"] not in member.password_hash

    def test_taken_handle_is_409_naming_the_field(self, client):
        assert client.post("/api/v1/members", json=NEW).status_code == 201
        body = assert_problem(client.post("/api/v1/members", json=dict(NEW, handle="spasm_SAM",
                                                                       email="other@example.org")), 409)
        assert list(body["errors"]) == ["handle"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1

    @pytest.mark.parametrize("payload, fields", [
        ({}, {"handle", "email", "password"}),
        (dict(NEW, password="short"), {"password"}),
        (dict(NEW, handle="no spaces!"), {"handle"}),
        (dict(NEW, handle="ab"), {"handle"}),
        (dict(NEW, handle="x" * 31), {"handle"}),
        (dict(NEW, email="not-an-email"), {"email"}),
        (dict(NEW, role="admin"), {"role"}),
        (dict(NEW, handle=42), {"handle"}),
    ])
    def test_invalid_fields_are_422_naming_each(self, client, payload, fields):
        body = assert_problem(client.post("/api/v1/members", json=payload), 422)
        assert set(body["errors"]) == fields
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0

    def test_malformed_json_is_400(self, client):
        response = client.post("/api/v1/members", data='{"handle": ', content_type="application/json")
        assert_problem(response, 400)

    def test_json_that_is_not_an_object_is_422(self, client):
        assert_problem(client.post("/api/v1/members", json=["a", "b"]), 422)

    def test_oversized_body_is_413(self, client, app):
        huge = dict(NEW, handle="x" * (app.config["MAX_CONTENT_LENGTH"] + 10))
        assert_problem(client.post("/api/v1/members", json=huge), 413)


class TestTokens:
    def test_sign_in_by_handle_or_email_gives_token_for_me(self, client, make_member):
        member = make_member("Clonus_Carla")
        for login in ("clonus_carla", "CLONUS_CARLA@example.org"):
            response = client.post("/api/v1/tokens", json={"login": login, "password": PASSWORD})
            assert response.status_code == 201
            body = response.get_json()
            assert body["expires_at"].endswith("Z") and len(body["token"]) >= 40
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
            assert me.status_code == 200
            assert me.get_json() == {
                "id": member.id, "handle": "Clonus_Carla", "email": "clonus_carla@example.org",
                "email_verified": True, "pending_email": None,
                "role": "member", "status": "active", "joined_at": me.get_json()["joined_at"],
            }

    def test_token_is_stored_hashed(self, client, make_member):
        make_member("carla")
        token = client.post("/api/v1/tokens", json={"login": "carla", "password": PASSWORD}).get_json()["token"]
        stored = db.session.scalar(sa.select(ApiToken.token_hash))
        assert token not in stored and len(stored) == 64

    @pytest.mark.parametrize("credentials", [
        {"login": "carla", "password": "wrong password"},
        {"login": "nobody", "password": PASSWORD},
    ])
    def test_bad_credentials_are_401(self, client, make_member, credentials):
        make_member("carla")
        body = assert_problem(client.post("/api/v1/tokens", json=credentials), 401)
        assert "password" not in body.get("errors", {})

    def test_missing_fields_are_422(self, client):
        body = assert_problem(client.post("/api/v1/tokens", json={"login": "carla"}), 422)
        assert set(body["errors"]) == {"password"}

    def test_suspended_member_cannot_get_a_token(self, client, make_member):
        make_member("carla", status=MemberStatus.suspended)
        body = assert_problem(client.post("/api/v1/tokens", json={"login": "carla", "password": PASSWORD}), 403)
        assert "suspended" in body["detail"]

    def test_suspension_that_ended_allows_sign_in(self, client, make_member):
        from datetime import timedelta
        make_member("carla", status=MemberStatus.suspended, suspended_until=utcnow() - timedelta(days=1))
        assert client.post("/api/v1/tokens", json={"login": "carla", "password": PASSWORD}).status_code == 201

    def test_existing_token_stops_working_when_suspended(self, client, make_member, api_headers):
        member = make_member("carla")
        headers = api_headers(member)
        member.status = MemberStatus.suspended
        db.session.commit()
        assert_problem(client.get("/api/v1/me", headers=headers), 401)

    def test_burst_of_failed_sign_ins_is_429_with_retry_after(self, client, make_member, app):
        make_member("carla")
        allowed = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
        # One address guessing many accounts: the per-address bucket (each account's own stays unspent).
        for n in range(allowed):
            assert client.post("/api/v1/tokens", json={"login": f"carla{n}", "password": "wrong guess!"}).status_code == 401
        response = client.post("/api/v1/tokens", json={"login": "carla", "password": PASSWORD})
        assert_problem(response, 429)
        assert int(response.headers["Retry-After"]) > 0

    def test_successful_sign_ins_do_not_use_up_the_limit(self, client, make_member, app):
        make_member("carla")
        allowed = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
        for _ in range(allowed + 2):
            assert client.post("/api/v1/tokens", json={"login": "carla", "password": PASSWORD}).status_code == 201

    def test_delete_current_token_signs_out(self, client, make_member, api_headers):
        headers = api_headers(make_member("carla"))
        assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
        assert_problem(client.get("/api/v1/me", headers=headers), 401)
        assert_problem(client.delete("/api/v1/tokens/current", headers=headers), 401)


class TestMe:
    @pytest.mark.parametrize("headers", [
        {}, {"Authorization": "Bearer not-a-real-token"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "},
    ])
    def test_without_valid_token_is_401(self, client, headers):
        assert_problem(client.get("/api/v1/me", headers=headers), 401)

    def test_expired_token_is_401(self, client, make_member, api_headers):
        from datetime import timedelta
        headers = api_headers(make_member("carla"))
        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert_problem(client.get("/api/v1/me", headers=headers), 401)

    def test_session_cookie_is_not_accepted_by_the_api(self, client, make_member, pages):
        pages.sign_in(make_member("carla"))
        assert client.get("/").status_code == 200
        assert_problem(client.get("/api/v1/me"), 401)
