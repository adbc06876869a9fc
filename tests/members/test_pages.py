import sqlalchemy as sa

from app.extensions import db
from app.members.models import Member, MemberStatus
from tests.conftest import PASSWORD, csrf_token

NEW = {"handle": "aqua_anna", "email": "anna@example.org", "password": "warm water helps"}


def member_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Member))


class TestRegisterPage:
    def test_every_control_has_a_label(self, client):
        html = client.get("/register").get_data(as_text=True)
        for name in ("handle", "email", "password"):
            assert f'<label for="{name}">' in html and f'id="{name}"' in html
        assert 'name="csrf_token"' in html

    def test_registering_signs_the_member_in(self, client, pages):
        response = pages.post("/register", NEW)
        assert response.status_code == 302
        assert member_count() == 1
        assert "Signed in as <strong>aqua_anna</strong>" in client.get("/").get_data(as_text=True)

    def test_rejected_form_shows_messages_and_keeps_what_was_typed_but_the_password(self, pages):
        response = pages.post("/register", dict(NEW, handle="bad handle!", password="short"))
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "There is a problem" in html
        assert "Use only letters, digits, _ and -." in html and "Use at least 10 characters." in html
        assert 'value="bad handle!"' in html and 'value="anna@example.org"' in html
        assert "short" not in html.split('id="password"')[1].split(">")[0]
        assert 'aria-invalid="true"' in html
        assert member_count() == 0

    def test_taken_handle_is_shown_on_the_form(self, pages, make_member):
        make_member("Aqua_Anna")
        response = pages.post("/register", dict(NEW, email="new@example.org"))
        assert response.status_code == 409
        assert "That handle is already taken" in response.get_data(as_text=True)
        assert member_count() == 1

    def test_form_without_csrf_token_is_refused(self, client):
        response = client.post("/register", data=NEW)
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)
        assert member_count() == 0

    def test_form_with_a_forged_csrf_token_is_refused(self, client):
        response = client.post("/register", data=dict(NEW, csrf_token="forged"))
        assert response.status_code == 400
        assert member_count() == 0


class TestSignIn:
    def test_sign_in_and_out(self, client, pages, make_member):
        member = make_member("Tizzy_Tom")
        pages.sign_in(member)
        assert "Signed in as <strong>Tizzy_Tom</strong>" in client.get("/").get_data(as_text=True)
        response = client.post("/signout", data={"csrf_token": csrf_token(client, "/")})
        assert response.status_code == 302
        assert "Signed in as <strong>" not in client.get("/").get_data(as_text=True)

    def test_sign_out_needs_csrf_token(self, client, pages, make_member):
        pages.sign_in(make_member("Tizzy_Tom"))
        assert client.post("/signout").status_code == 400
        assert "Signed in as <strong>" in client.get("/").get_data(as_text=True)

    def test_wrong_password_keeps_login_and_says_what_is_wrong(self, pages, make_member):
        make_member("Tizzy_Tom")
        response = pages.post("/signin", {"login": "tizzy_tom", "password": "not my password"})
        html = response.get_data(as_text=True)
        assert response.status_code == 401
        assert "do not match an account" in html
        assert 'value="tizzy_tom"' in html and "not my password" not in html

    def test_suspended_member_cannot_sign_in(self, client, pages, make_member):
        make_member("Tizzy_Tom", status=MemberStatus.suspended)
        response = pages.post("/signin", {"login": "Tizzy_Tom", "password": PASSWORD})
        assert response.status_code == 403
        assert "suspended" in response.get_data(as_text=True)
        assert "Signed in as <strong>" not in client.get("/").get_data(as_text=True)

    def test_session_ends_when_member_is_suspended(self, client, pages, make_member):
        member = make_member("Tizzy_Tom")
        pages.sign_in(member)
        member.status = MemberStatus.suspended
        db.session.commit()
        assert "Signed in as <strong>" not in client.get("/").get_data(as_text=True)

    def test_next_goes_only_to_this_site(self, client, make_member):
        make_member("Tizzy_Tom")
        token = csrf_token(client)
        for target, expected in (("/register", "/register"), ("https://evil.example/", "/"), ("//evil.example", "/")):
            response = client.post(f"/signin?next={target}",
                                   data={"login": "Tizzy_Tom", "password": PASSWORD, "csrf_token": token})
            assert response.status_code == 302
            assert response.headers["Location"] == expected

    def test_burst_of_failed_sign_ins_is_slowed_down(self, client, pages, make_member, app):
        make_member("Tizzy_Tom")
        allowed = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
        # One address guessing many accounts: the per-address bucket (each account's own stays unspent).
        for n in range(allowed):
            assert pages.post("/signin", {"login": f"someone{n}", "password": "guess guess"}).status_code == 401
        response = pages.post("/signin", {"login": "Tizzy_Tom", "password": PASSWORD})
        assert response.status_code == 429
        assert "Please slow down" in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
