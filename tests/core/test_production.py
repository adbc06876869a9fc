"""Safe production defaults: what a careless operator's settings cannot do, and the headers every
answer carries. Tests that build an app of their own stop before it binds anything when it refuses,
so they stay cheap."""
import logging
import secrets

import pytest

from app import create_app
from config import ConfigurationError

STRONG_KEY = secrets.token_hex(32)
QUIET = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": "memory://"}


class TestSecretKey:
    @pytest.mark.parametrize("key, says", [
        ("", "is not set"),
        (None, "is not set"),
        ("dev-only-not-secret", "public development key"),
        ("x" * 31, "is 31 bytes long"),
    ])
    def test_production_refuses_to_start(self, key, says):
        with pytest.raises(ConfigurationError) as refused:
            create_app("production", {**QUIET, "SECRET_KEY": key})
        message = str(refused.value)
        assert says in message and "SECRET_KEY" in message and "token_hex(32)" in message

    def test_unset_secret_key_in_the_environment_is_refused(self, monkeypatch):
        # config.py reads SECRET_KEY when imported; unset, it is the development key.
        monkeypatch.delenv("SECRET_KEY", raising=False)
        monkeypatch.setenv("THAW_ENV", "production")
        with pytest.raises(ConfigurationError, match="public development key"):
            create_app()

    def test_a_strong_key_starts_without_debug_even_when_flask_debug_is_set(self, monkeypatch, caplog):
        monkeypatch.setenv("FLASK_DEBUG", "1")
        with caplog.at_level(logging.WARNING):
            app = create_app("production", {**QUIET, "SECRET_KEY": STRONG_KEY})
        assert app.debug is False and app.config["DEBUG"] is False
        # `flask run` reads FLASK_DEBUG again after the factory: it must find it off.
        from flask.helpers import get_debug_flag
        assert get_debug_flag() is False
        assert "FLASK_DEBUG is ignored in production" in caplog.text
        assert app.config["SESSION_COOKIE_SECURE"] is True

    def test_development_still_starts_with_its_key(self):
        with pytest.raises(ConfigurationError):
            create_app("production", QUIET)
        assert create_app("development", QUIET).config["SECRET_KEY"] == "dev-only-not-secret"


class TestEnvironmentName:
    @pytest.mark.parametrize("name", ["prod", "producton", "staging"])
    def test_unknown_thaw_env_is_an_error_not_development(self, monkeypatch, name):
        monkeypatch.setenv("THAW_ENV", name)
        with pytest.raises(ConfigurationError, match=f"THAW_ENV='{name}'.*development, production, testing"):
            create_app()

    def test_case_and_spaces_are_forgiven(self, monkeypatch):
        monkeypatch.setenv("THAW_ENV", " Production ")
        with pytest.raises(ConfigurationError, match="SECRET_KEY"):
            create_app(test_config=QUIET)


class TestPerWorkerLimitsWarning:
    def test_production_without_redis_says_so_loudly(self, caplog):
        with caplog.at_level(logging.WARNING):
            create_app("production", {**QUIET, "SECRET_KEY": STRONG_KEY})
        assert "RATE LIMITS ARE PER WORKER" in caplog.text and "REDIS_URL" in caplog.text

    def test_production_with_redis_is_quiet(self, caplog):
        config = {**QUIET, "SECRET_KEY": STRONG_KEY, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}
        from config import ProductionConfig
        with caplog.at_level(logging.WARNING):
            ProductionConfig.check(config, logging.getLogger("thaw-test"))
        assert "PER WORKER" not in caplog.text


class TestHeaders:
    def test_every_answer_has_a_permissions_policy(self, client):
        for path in ("/", "/api/v1/tags", "/healthz", "/api/v1/nothing-here", "/static/thaw.css"):
            policy = client.get(path).headers.get("Permissions-Policy", "")
            assert "camera=()" in policy and "geolocation=()" in policy, path

    def test_public_pages_may_be_cached(self, client, vocabulary):
        for path in ("/api/v1/tags", "/healthz"):
            assert "no-store" not in client.get(path).headers.get("Cache-Control", ""), path

    def test_a_signed_in_members_pages_are_not_stored(self, client, pages, make_member):
        pages.sign_in(make_member("carla"))
        for path in ("/", "/experiences", "/notifications"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == "no-store", path

    def test_api_answers_to_a_token_are_not_stored(self, client, make_member, api_headers, vocabulary):
        headers = api_headers(make_member("carla"))
        for path in ("/api/v1/me", "/api/v1/tags", "/api/v1/threads"):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == "no-store", path
            assert "Authorization" in response.headers["Vary"]

    def test_write_answers_are_not_stored(self, client, make_member):
        make_member("carla")
        from tests.conftest import PASSWORD
        response = client.post("/api/v1/tokens", json={"login": "carla", "password": PASSWORD})
        assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
        failed = client.post("/api/v1/tokens", json={"login": "carla", "password": "wrong password"})
        assert failed.headers["Cache-Control"] == "no-store"

    def test_a_form_page_with_a_csrf_token_is_not_stored(self, client):
        assert client.get("/signin").headers["Cache-Control"] == "no-store"

    def test_hsts_is_left_to_the_proxy_and_documented(self, client):
        from pathlib import Path
        assert "Strict-Transport-Security" not in client.get("/").headers
        readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
        assert "Strict-Transport-Security" in readme
