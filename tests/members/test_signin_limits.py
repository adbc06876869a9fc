"""Sign-in limits that mean what they say: one bucket per address and one per account, shared by the
sign-in page and POST /api/v1/tokens, a back-off that grows, and no lock-out an attacker can aim at a
member (README, "Sign-in limits"). Shared counters across workers: tests/ops/test_rate_limit_storage.py."""
import time

import pytest

from tests.conftest import PASSWORD, csrf_token

HOME, ATTACKER = "198.51.100.7", "203.0.113.{}"


def api_sign_in(client, login, password, address="192.0.2.1", **kwargs):
    return client.post("/api/v1/tokens", json={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def page_sign_in(client, login, password, address="192.0.2.1", **kwargs):
    return client.post("/signin", data={"login": login, "password": password, "csrf_token": csrf_token(client)},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def account_allowance(app) -> int:
    return int(app.config["SIGNIN_ACCOUNT_RATE_LIMIT"].split()[0])


class TestPerAddress:
    def test_page_and_api_share_one_bucket(self, client, app):
        allowed = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
        half = allowed // 2
        for n in range(half):
            assert page_sign_in(client, f"guess{n}", "wrong password").status_code == 401
        for n in range(half, allowed):
            assert api_sign_in(client, f"guess{n}", "wrong password").status_code == 401
        # Both doors are now shut to this address: before, each door had its own ten.
        assert api_sign_in(client, "guess-api", "wrong password").status_code == 429
        assert page_sign_in(client, "guess-page", "wrong password").status_code == 429
        # Another address is not affected.
        assert api_sign_in(client, "guess-other", "wrong password", address="192.0.2.2").status_code == 401

    def test_forged_forwarded_for_does_not_escape_the_limit_without_a_proxy(self, client, app):
        allowed = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
        for n in range(allowed):
            response = api_sign_in(client, f"guess{n}", "wrong password", headers={"X-Forwarded-For": f"10.0.0.{n}"})
            assert response.status_code == 401
        response = api_sign_in(client, "guess-x", "wrong password", headers={"X-Forwarded-For": "10.9.9.9"})
        assert response.status_code == 429

    def test_behind_the_proxy_each_client_has_its_own_bucket(self, client, app):
        app.config["PROXY_FIX_X_FOR"] = 1
        allowed = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
        proxy = "127.0.0.1"
        for n in range(allowed):
            response = api_sign_in(client, f"guess{n}", "wrong password", address=proxy,
                                   headers={"X-Forwarded-For": "203.0.113.9"})
            assert response.status_code == 401
        blocked = api_sign_in(client, "guess-x", "wrong password", address=proxy,
                              headers={"X-Forwarded-For": "203.0.113.9"})
        assert blocked.status_code == 429
        # Another member behind the same proxy still gets through.
        other = api_sign_in(client, "guess-y", "wrong password", address=proxy,
                            headers={"X-Forwarded-For": "198.51.100.20"})
        assert other.status_code == 401
        # Only the last hop counts: a client prepending a forged address is still itself.
        forged = api_sign_in(client, "guess-z", "wrong password", address=proxy,
                             headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.9"})
        assert forged.status_code == 429


class TestPerAccount:
    def test_many_addresses_guessing_one_account_are_stopped(self, client, make_member, app):
        make_member("carla")
        allowed = account_allowance(app)
        for n in range(allowed):
            assert api_sign_in(client, "carla", "wrong password", address=ATTACKER.format(n)).status_code == 401
        # The next guess is refused before the password is even looked at: right or wrong, page or API.
        refused = api_sign_in(client, "carla", PASSWORD, address=ATTACKER.format(99))
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert refused.mimetype == "application/problem+json"
        assert page_sign_in(client, "CARLA", PASSWORD, address=ATTACKER.format(98)).status_code == 429

    def test_handle_and_email_are_one_account(self, client, make_member, app):
        make_member("carla")
        allowed = account_allowance(app)
        for n in range(allowed):
            login = "carla@example.org" if n % 2 else "Carla"
            assert api_sign_in(client, login, "wrong password", address=ATTACKER.format(n)).status_code == 401
        assert api_sign_in(client, "carla@example.org", "guess", address=ATTACKER.format(50)).status_code == 429

    def test_attacker_cannot_lock_the_member_out_of_their_usual_address(self, client, make_member, app):
        make_member("carla")
        assert api_sign_in(client, "carla", PASSWORD, address=HOME).status_code == 201
        for n in range(account_allowance(app) + 3):
            api_sign_in(client, "carla", "wrong password", address=ATTACKER.format(n))
        assert api_sign_in(client, "carla", "wrong password", address=ATTACKER.format(77)).status_code == 429
        # Carla, at home, signs in as usual, on the page too.
        assert api_sign_in(client, "carla", PASSWORD, address=HOME).status_code == 201
        assert page_sign_in(client, "carla", PASSWORD, address=HOME).status_code == 302

    def test_the_known_address_still_has_its_own_limit(self, client, make_member, app):
        make_member("carla")
        assert api_sign_in(client, "carla", PASSWORD, address=HOME).status_code == 201
        allowed = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
        for _ in range(allowed):
            assert api_sign_in(client, "carla", "wrong password", address=HOME).status_code == 401
        assert api_sign_in(client, "carla", PASSWORD, address=HOME).status_code == 429

    def test_an_address_known_for_one_account_is_not_known_for_another(self, client, make_member, app):
        make_member("carla")
        make_member("dora")
        assert api_sign_in(client, "carla", PASSWORD, address=HOME).status_code == 201
        for n in range(account_allowance(app)):
            assert api_sign_in(client, "dora", "wrong password", address=ATTACKER.format(n)).status_code == 401
        assert api_sign_in(client, "dora", PASSWORD, address=HOME).status_code == 429

    def test_unknown_logins_are_limited_like_real_ones(self, client, make_member, app):
        """The limit must not tell an attacker which logins exist."""
        make_member("carla")
        allowed = account_allowance(app)
        for login in ("carla", "nobody-here"):
            statuses = [api_sign_in(client, login, "wrong password", address=ATTACKER.format(n)).status_code
                        for n in range(allowed + 1)]
            assert statuses == [401] * allowed + [429]

    def test_back_off_grows_and_then_lets_the_member_try_again(self, client, make_member, app):
        make_member("carla")
        app.config["SIGNIN_ACCOUNT_RATE_LIMIT"] = "2 per 1 second;3 per 2 seconds"
        address = iter(ATTACKER.format(n) for n in range(100))
        assert [api_sign_in(client, "carla", "wrong", address=next(address)).status_code for _ in range(3)] == [
            401, 401, 429]
        time.sleep(1.05)  # the short window passed: one more try before the longer one stops it
        assert [api_sign_in(client, "carla", "wrong", address=next(address)).status_code for _ in range(2)] == [
            401, 429]
        time.sleep(1.05)
        assert api_sign_in(client, "carla", PASSWORD, address=next(address)).status_code == 201

    def test_successful_sign_ins_spend_nothing(self, client, make_member, app):
        make_member("carla")
        for n in range(account_allowance(app) + 2):
            assert api_sign_in(client, "carla", PASSWORD, address=ATTACKER.format(n)).status_code == 201


@pytest.mark.parametrize("login", ["nul\x00byte", "\ud800lone", "x" * 5000])
def test_unusable_logins_do_not_reach_the_database_and_never_500(client, login):
    response = api_sign_in(client, login, "wrong password")
    assert response.status_code < 500
