"""Sign-up, reset and email change driven through a real SMTP server, following the emailed links."""
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.core import mail
from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.members.models import ApiToken, EmailLink, Member
from tests.conftest import CSRF_RE, PASSWORD

NEW = {"handle": "Spasm_Sam", "email": "sam@example.org", "password": "a long enough password"}


def token_of(link: str) -> str:
    return urlsplit(link).query.split("token=")[1]


def follow(client, link: str):
    """Opens an emailed link and presses its button, as a person would."""
    parts = urlsplit(link)
    page = client.get(f"{parts.path}?{parts.query}")
    if page.status_code != 200:
        return page
    csrf = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    return client.post(parts.path, data={"csrf_token": csrf, "token": token_of(link)})


def sign_in_api(client, login, password=NEW["password"]):
    return client.post("/api/v1/tokens", json={"login": login, "password": password})


def bearer(client, login, password=NEW["password"]):
    response = sign_in_api(client, login, password)
    assert response.status_code == 201, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


class TestSignUp:
    def test_address_is_verified_by_the_emailed_link_before_it_signs_in(self, client, mailbox):
        assert client.post("/api/v1/members", json=NEW).status_code == 201
        message = mailbox.last_to("sam@example.org")
        assert "Confirm your email address" in message["Subject"]
        assert "You receive this email because" in mailbox.text(message)
        assert "You receive this email because" in mailbox.html(message)
        assert "Emails about your account stop when you change its address" in mailbox.text(message)
        # Until then: the handle signs in, the address does not.
        assert sign_in_api(client, "Spasm_Sam").status_code == 201
        assert sign_in_api(client, "sam@example.org").status_code == 401
        me = client.get("/api/v1/me", headers=bearer(client, "Spasm_Sam")).get_json()
        assert me["email"] == "sam@example.org" and me["email_verified"] is False

        assert follow(client, mailbox.link_to("sam@example.org")).status_code == 302
        assert sign_in_api(client, "sam@example.org").status_code == 201
        me = client.get("/api/v1/me", headers=bearer(client, "Spasm_Sam")).get_json()
        assert me["email_verified"] is True and me["pending_email"] is None

    def test_a_used_link_shows_a_clear_page_and_changes_nothing(self, client, mailbox):
        client.post("/api/v1/members", json=NEW)
        link = mailbox.link_to("sam@example.org")
        assert follow(client, link).status_code == 302
        again = client.post("/api/v1/email-verifications", json={"token": token_of(link)})
        assert again.status_code == 422 and again.content_type == "application/problem+json"
        page = follow(client, link)
        assert page.status_code == 422 and "This link cannot be used" in page.get_data(as_text=True)

    def test_a_taken_email_gets_the_same_answer_as_a_new_one_and_its_owner_is_told(self, client, mailbox,
                                                                                    make_member):
        make_member("Owner_Olga")  # olga's address is verified: owner_olga@example.org
        mailbox.messages.clear()
        fresh = client.post("/api/v1/members", json=dict(NEW, email="brand-new@example.org"))
        taken = client.post("/api/v1/members", json=dict(NEW, handle="Copy_Cat", email="OWNER_OLGA@example.org"))
        assert taken.status_code == fresh.status_code == 201
        assert taken.headers["Content-Type"] == fresh.headers["Content-Type"]
        assert set(taken.get_json()) == set(fresh.get_json()) == {"id", "handle", "role", "joined_at"}
        told = mailbox.last_to("owner_olga@example.org")
        assert "Someone tried to use your email address" in told["Subject"]
        assert "token=" not in mailbox.text(told) and len(mailbox.to("owner_olga@example.org")) == 1
        # The copy cannot sign in with the address, nor take it.
        assert sign_in_api(client, "owner_olga@example.org").status_code == 401
        copy = db.session.scalar(sa.select(Member).where(Member.handle == "Copy_Cat"))
        assert copy.email is None and copy.pending_email == "owner_olga@example.org"

    def test_the_register_page_answers_a_taken_email_as_a_new_one(self, app, pages, mailbox, make_member):
        make_member("Owner_Olga")
        taken = pages.post("/register", dict(NEW, email="owner_olga@example.org"), follow_redirects=True)
        from tests.conftest import csrf_token
        other = app.test_client()
        fresh = other.post("/register", data=dict(NEW, handle="Fresh_Fay", email="fay@example.org",
                                                  csrf_token=csrf_token(other, "/register")), follow_redirects=True)
        assert taken.status_code == fresh.status_code == 200
        assert "We have emailed you a link" in taken.get_data(as_text=True)
        assert "We have emailed you a link" in fresh.get_data(as_text=True)

    def test_no_email_leaves_for_a_rolled_back_transaction(self, app, mailbox):
        try:
            with unit_of_work():
                mail.send("someone@example.org", "Hello", "text", "<p>html</p>", "a test sent it")
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
        assert mailbox.messages == [] and mail.pending_count() == 0

    def test_a_message_waits_while_the_server_is_down_and_is_sent_later(self, app, mailbox, runner):
        port = app.config["MAIL_PORT"]
        app.config["MAIL_PORT"] = 1  # nothing listens there
        with unit_of_work():
            mail.send("someone@example.org", "Hello", "text", "<p>html</p>", "a test sent it")
        waiting = db.session.scalar(sa.select(OutboxMessage))
        assert waiting.attempts == 1 and waiting.next_attempt_at > utcnow() and mailbox.messages == []
        app.config["MAIL_PORT"] = port
        waiting.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        result = runner.invoke(args=["mail", "send-pending"])
        assert result.exit_code == 0 and "Sent 1 emails" in result.output
        assert len(mailbox.to("someone@example.org")) == 1 and mail.pending_count() == 0


class TestPasswordReset:
    def test_same_answer_whether_or_not_the_address_is_known(self, client, mailbox, make_member):
        make_member("carla")
        mailbox.messages.clear()  # make_member's own verification email
        known = client.post("/api/v1/password-resets", json={"email": "carla@example.org"})
        unknown = client.post("/api/v1/password-resets", json={"email": "nobody@example.org"})
        assert known.status_code == unknown.status_code == 202
        assert known.get_data() == unknown.get_data()
        assert len(mailbox.messages) == 1 and mailbox.messages[0]["To"] == "carla@example.org"

    def test_an_unverified_address_receives_no_reset(self, client, mailbox):
        client.post("/api/v1/members", json=NEW)
        mailbox.messages.clear()
        assert client.post("/api/v1/password-resets", json={"email": "sam@example.org"}).status_code == 202
        assert mailbox.messages == []

    def test_the_link_resets_once_ends_every_session_and_token(self, app, client, mailbox, make_member, pages):
        carla = make_member("carla")
        pages.sign_in(carla)
        token_headers = bearer(client, "carla", PASSWORD)
        client.post("/api/v1/password-resets", json={"email": "carla@example.org"})
        link = mailbox.link_to("carla@example.org")
        assert "reset" in mailbox.last_to("carla@example.org")["Subject"].lower()
        # Stored hashed: the token in the email is nowhere in the database.
        assert token_of(link) not in str(db.session.execute(sa.select(EmailLink.__table__)).all())

        parts = urlsplit(link)
        page = client.get(f"{parts.path}?{parts.query}")
        csrf = CSRF_RE.search(page.get_data(as_text=True)).group(1)
        weak = client.post(parts.path, data={"csrf_token": csrf, "token": token_of(link), "password": "1234567890"})
        assert weak.status_code == 422 and "1234567890" not in weak.get_data(as_text=True)
        done = client.post(parts.path, data={"csrf_token": csrf, "token": token_of(link),
                                             "password": "a brand new password"})
        assert done.status_code == 302
        assert client.get("/api/v1/me", headers=token_headers).status_code == 401
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
        assert sign_in_api(client, "carla", "a brand new password").status_code == 201
        assert "password was changed" in mailbox.last_to("carla@example.org")["Subject"]

        reused = client.post("/api/v1/password-resets/confirm", json={"token": token_of(link),
                                                                      "password": "yet another password"})
        assert reused.status_code == 422
        page = client.get(f"{parts.path}?{parts.query}")
        assert page.status_code == 400 and "This link cannot be used" in page.get_data(as_text=True)
        assert sign_in_api(client, "carla", "yet another password").status_code == 401

    def test_an_expired_link_changes_nothing(self, client, mailbox, make_member):
        make_member("carla")
        client.post("/api/v1/password-resets", json={"email": "carla@example.org"})
        link = mailbox.link_to("carla@example.org")
        db.session.execute(sa.update(EmailLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        response = client.post("/api/v1/password-resets/confirm", json={"token": token_of(link),
                                                                        "password": "a brand new password"})
        assert response.status_code == 422
        assert sign_in_api(client, "carla", PASSWORD).status_code == 201


class TestEmailChange:
    def test_new_address_verified_old_one_told(self, client, mailbox, make_member):
        make_member("carla")
        mailbox.messages.clear()
        headers = bearer(client, "carla", PASSWORD)
        wrong = client.put("/api/v1/me/email", json={"password": "not my password", "email": "new@example.org"},
                           headers=headers)
        assert wrong.status_code == 403 and wrong.content_type == "application/problem+json"
        assert mailbox.messages == []
        response = client.put("/api/v1/me/email", json={"password": PASSWORD, "email": "new@example.org"},
                              headers=headers)
        assert response.status_code == 202
        assert "being changed" in mailbox.last_to("carla@example.org")["Subject"]
        me = client.get("/api/v1/me", headers=headers).get_json()
        assert me["email"] == "carla@example.org" and me["pending_email"] == "new@example.org"
        link = mailbox.link_to("new@example.org")
        assert client.post("/api/v1/email-verifications", json={"token": token_of(link)}).status_code == 204
        me = client.get("/api/v1/me", headers=headers).get_json()
        assert me["email"] == "new@example.org" and me["email_verified"] and me["pending_email"] is None
        assert sign_in_api(client, "new@example.org", PASSWORD).status_code == 201
        assert sign_in_api(client, "carla@example.org", PASSWORD).status_code == 401

    def test_an_address_in_use_is_not_disclosed(self, client, mailbox, make_member):
        make_member("carla")
        make_member("olga")
        headers = bearer(client, "carla", PASSWORD)
        taken = client.put("/api/v1/me/email", json={"password": PASSWORD, "email": "olga@example.org"},
                           headers=headers)
        fresh = client.put("/api/v1/me/email", json={"password": PASSWORD, "email": "fresh@example.org"},
                           headers=headers)
        assert taken.status_code == fresh.status_code == 202 and taken.get_data() == fresh.get_data()
        assert "Someone tried" in mailbox.last_to("olga@example.org")["Subject"]
        assert "token=" not in mailbox.text(mailbox.last_to("olga@example.org"))
