"""Sessions that end: the session secret, the sign-in time, remember-me, tokens."""
import sqlalchemy as sa

from app.extensions import db
from app.members.models import ApiToken
from tests.conftest import PASSWORD, csrf_token

NEW_PASSWORD = "a different long password"


def signed_in_cookies(app, member, remember=True):
    """A browser that signed in (ticking "keep me signed in"), and its cookies as a thief would copy them."""
    browser = app.test_client()
    response = browser.post("/signin", data={"login": member.handle, "password": PASSWORD,
                                             "remember": "1" if remember else "",
                                             "csrf_token": csrf_token(browser)})
    assert response.status_code == 302
    cookies = {c.key: c.value for c in browser._cookies.values()}
    return browser, cookies, response


def with_cookies(app, **cookies):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


class TestCookiesRefused:
    def test_old_session_and_remember_cookies_refused_after_signing_out_everywhere(self, app, make_member):
        carla = make_member("carla")
        browser, cookies, _ = signed_in_cookies(app, carla)
        assert signed_in(with_cookies(app, session=cookies["session"]))
        assert signed_in(with_cookies(app, remember_token=cookies["remember_token"]))

        response = browser.post("/account/sessions", data={"csrf_token": csrf_token(browser, "/account")})
        assert response.status_code == 302 and not signed_in(browser)
        assert not signed_in(with_cookies(app, session=cookies["session"]))
        assert not signed_in(with_cookies(app, remember_token=cookies["remember_token"]))

    def test_old_cookies_refused_after_a_password_change_this_browser_stays(self, app, make_member, api_headers,
                                                                           client):
        carla = make_member("carla")
        headers = api_headers(carla)
        _, stolen, _ = signed_in_cookies(app, carla)
        browser, _, _ = signed_in_cookies(app, carla)
        response = browser.post("/account/password", data={
            "current_password": PASSWORD, "new_password": NEW_PASSWORD, "csrf_token": csrf_token(browser, "/account")})
        assert response.status_code == 302
        assert signed_in(browser)
        assert not signed_in(with_cookies(app, session=stolen["session"]))
        assert not signed_in(with_cookies(app, remember_token=stolen["remember_token"]))
        assert client.get("/api/v1/me", headers=headers).status_code == 401

    def test_every_sign_in_gets_its_own_remember_cookie_30_days_samesite(self, app, make_member):
        carla = make_member("carla")
        _, first, response = signed_in_cookies(app, carla)
        header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
        assert "SameSite=Lax" in header and "HttpOnly" in header
        from email.utils import parsedate_to_datetime
        from app.core.db import utcnow
        expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
        assert 29.9 < (expires - utcnow()).total_seconds() / 86400 <= 30
        import time
        time.sleep(1.1)  # the sign-in time is in seconds
        _, second, _ = signed_in_cookies(app, carla)
        assert first["remember_token"] != second["remember_token"]

    def test_a_session_expires_with_its_sign_in_time(self, app, make_member):
        carla = make_member("carla")
        browser, cookies, _ = signed_in_cookies(app, carla, remember=False)
        assert signed_in(browser)
        app.config["SESSION_HOURS"] = 0
        assert not signed_in(browser)
        app.config["SESSION_HOURS"] = 12
        app.config["REMEMBER_DAYS"] = 0
        _, remembered, _ = signed_in_cookies(app, carla, remember=True)
        assert not signed_in(with_cookies(app, remember_token=remembered["remember_token"]))

    def test_suspension_ends_sessions_for_good(self, app, make_member):
        from app.moderation.actions import services as actions
        from app.members.models import Role
        moderator = make_member("mod_helper", role=Role.moderator)
        carla = make_member("carla")
        browser, cookies, _ = signed_in_cookies(app, carla)
        actions.suspend(moderator, carla.handle, None, "Spam, repeatedly.")
        actions.unsuspend(moderator, carla.handle, "Talked it through.")
        assert not signed_in(with_cookies(app, session=cookies["session"]))
        assert not signed_in(with_cookies(app, remember_token=cookies["remember_token"]))


class TestApi:
    def test_password_change_403_on_wrong_current_then_other_tokens_revoked(self, client, make_member,
                                                                            api_headers):
        carla = make_member("carla")
        this, other = api_headers(carla), api_headers(carla)
        wrong = client.put("/api/v1/me/password", json={"current_password": "nope nope nope",
                                                         "new_password": NEW_PASSWORD}, headers=this)
        assert wrong.status_code == 403 and wrong.content_type == "application/problem+json"
        assert client.get("/api/v1/me", headers=other).status_code == 200
        weak = client.put("/api/v1/me/password", json={"current_password": PASSWORD,
                                                        "new_password": "carla-carla-carla"}, headers=this)
        assert weak.status_code == 422 and "new_password" in weak.get_json()["errors"]
        ok = client.put("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                        headers=this)
        assert ok.status_code == 204
        assert client.get("/api/v1/me", headers=this).status_code == 200
        assert client.get("/api/v1/me", headers=other).status_code == 401

    def test_tokens_listed_without_secrets_and_revoked(self, client, make_member, api_headers):
        carla, olga = make_member("carla"), make_member("olga")
        this, other = api_headers(carla), api_headers(carla)
        olgas = api_headers(olga)
        items = client.get("/api/v1/me/tokens", headers=this).get_json()["items"]
        assert len(items) == 2 and sorted(i["current"] for i in items) == [False, True]
        assert set(items[0]) == {"id", "created_at", "expires_at", "current"}
        olga_token = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.member_id == olga.id))
        assert client.delete(f"/api/v1/me/tokens/{olga_token}", headers=this).status_code == 404
        assert client.get("/api/v1/me", headers=olgas).status_code == 200
        other_id = next(i["id"] for i in items if not i["current"])
        assert client.delete(f"/api/v1/me/tokens/{other_id}", headers=this).status_code == 204
        assert client.get("/api/v1/me", headers=other).status_code == 401

    def test_sign_out_everywhere_ends_every_token_and_session(self, app, client, make_member, api_headers):
        carla = make_member("carla")
        this = api_headers(carla)
        _, cookies, _ = signed_in_cookies(app, carla)
        assert client.delete("/api/v1/me/sessions", headers=this).status_code == 204
        assert client.get("/api/v1/me", headers=this).status_code == 401
        assert not signed_in(with_cookies(app, session=cookies["session"]))
