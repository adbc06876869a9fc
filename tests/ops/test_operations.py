import sqlalchemy as sa
from openapi_spec_validator import validate

from app.extensions import db
from app.members.models import Member, Role
from app.ops import demo


class TestHealth:
    def test_ok(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}

    def test_503_when_the_database_does_not_answer(self, client, monkeypatch):
        def refuse(*args, **kwargs):
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
        monkeypatch.setattr(db.session, "execute", refuse)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["database"] == "unreachable"


class TestOpenApi:
    def test_is_valid_openapi_3(self, client):
        spec = client.get("/api/v1/openapi.json").get_json()
        assert spec["openapi"].startswith("3.")
        validate(spec)

    def test_describes_every_api_route_with_schemas(self, client, app):
        spec = client.get("/api/v1/openapi.json").get_json()
        documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
        for rule in app.url_map.iter_rules():
            path = rule.rule.replace("<", "{").replace(">", "}")
            if not (path.startswith("/api/v1/") or path == "/healthz") or path.endswith("openapi.json"):
                continue
            path = path.replace("{int:", "{").replace("{path:", "{")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, f"{method} {path} is not in the OpenAPI description"
        register = spec["paths"]["/api/v1/members"]["post"]
        assert "requestBody" in register and "201" in register["responses"]
        assert {"handle", "email", "password"} <= set(spec["components"]["schemas"]["Registration"]["properties"])

    def test_protected_endpoints_declare_bearer_auth(self, client):
        spec = client.get("/api/v1/openapi.json").get_json()
        assert spec["paths"]["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
        assert "security" not in spec["paths"]["/api/v1/tags"]["get"]


class TestErrors:
    def test_unknown_api_path_is_problem_json(self, client):
        response = client.get("/api/v1/nothing-here")
        assert response.status_code == 404 and response.mimetype == "application/problem+json"

    def test_wrong_method_is_405_with_allow(self, client):
        response = client.get("/api/v1/tokens")
        assert response.status_code == 405 and "POST" in response.headers["Allow"]

    def test_unknown_page_is_an_html_page(self, client):
        response = client.get("/no/such/page")
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "<h1>Not Found</h1>" in response.get_data(as_text=True)

    def test_unexpected_failure_is_a_polite_500_without_details(self, own_app):
        app = own_app  # routes are added, so the app must be its own

        @app.route("/api/v1/explode")
        def explode():
            raise RuntimeError("secret internals")

        @app.route("/explode")
        def explode_page():
            raise RuntimeError("secret internals")

        client = app.test_client()
        api = client.get("/api/v1/explode")
        assert api.status_code == 500 and api.mimetype == "application/problem+json"
        page = client.get("/explode")
        assert page.status_code == 500 and "secret internals" not in page.get_data(as_text=True)


class TestCommands:
    def test_seed_twice(self, runner):
        first = runner.invoke(args=["seed"])
        assert first.exit_code == 0 and "66 added" in first.output
        second = runner.invoke(args=["seed"])
        assert "0 added, 0 updated" in second.output

    def test_demo_twice_prints_credentials_and_adds_nothing_the_second_time(self, runner):
        first = runner.invoke(args=["demo"])
        assert first.exit_code == 0, first.output
        assert f"{demo.MODERATOR[0]} / {demo.DEMO_PASSWORD}" in first.output
        from app.ops.demo_statistics import CROWD_SIZE, HANDLE_PREFIX
        named = sa.select(sa.func.count()).select_from(Member).where(~Member.handle_key.like(f"{HANDLE_PREFIX}%"))
        assert db.session.scalar(named) == len(demo.demo_accounts())
        # The statistics crowd makes the first release show several treatments.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == len(
            demo.demo_accounts()) + CROWD_SIZE
        assert "statistics release 1 published" in first.output
        from app.forum.models import Thread
        from app.ops.demo_content import THREADS
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == len(THREADS)
        assert "2 polls added" in first.output
        second = runner.invoke(args=["demo"])
        assert second.exit_code == 0 and "0 members, 0 threads, 0 posts and 0 polls added" in second.output
        moderator = db.session.scalar(sa.select(Member).where(Member.handle == demo.MODERATOR[0]))
        assert moderator.role == Role.moderator

    def test_members_create(self, runner, client):
        result = runner.invoke(args=["members", "create", "--handle", "mod_jo", "--email", "jo@example.org",
                                     "--role", "moderator", "--password", "a fine password"])
        assert result.exit_code == 0 and "Created moderator mod_jo" in result.output
        token = client.post("/api/v1/tokens", json={"login": "mod_jo", "password": "a fine password"})
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
        assert me.get_json()["role"] == "moderator"

    def test_members_create_refuses_bad_input(self, runner):
        result = runner.invoke(args=["members", "create", "--handle", "x", "--email", "nope", "--password", "short"])
        assert result.exit_code == 2
        assert "handle" in result.output and "email" in result.output and "password" in result.output
        runner.invoke(args=["members", "create", "--handle", "jo_jo", "--email", "jo@example.org", "--password", "a fine password"])
        again = runner.invoke(args=["members", "create", "--handle", "JO_JO", "--email", "x@example.org", "--password", "a fine password"])
        assert again.exit_code == 1 and "already taken" in again.output
