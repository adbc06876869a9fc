"""The statistics API: stored releases only, exactly the contract's shapes, admins publish."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.members.models import Role
from app.stats.models import StatsRelease
from app.stats.privacy import wilson_interval
from app.vocabulary.data import TREATMENTS as VOCABULARY_TREATMENTS

TREATMENTS = [slug for slug, *_ in VOCABULARY_TREATMENTS]


@pytest.fixture
def admin(make_member):
    return make_member("stats_admin", role=Role.admin)


@pytest.fixture
def community(stats_data):
    """Baclofen: 13 members, 8 helped; tizanidine: 10 members, 2 helped; dantrolene: 3 members."""
    people = stats_data.crowd(13)
    for i, member in enumerate(people):
        stats_data.report(member, "baclofen", "major" if i < 8 else "worse", symptoms=("clonus",),
                          side_effects=("drowsiness",) if i < 6 else ())
    for i, member in enumerate(people[:10]):
        stats_data.ballot(member, "tizanidine", "slight" if i < 2 else "none")
    for member in people[:3]:
        stats_data.ballot(member, "dantrolene", "worse")
    return people


def slugs(items, among=("baclofen", "tizanidine", "dantrolene")) -> list[str]:
    """The order of some treatments in a listing, which holds every treatment of the vocabulary."""
    return [i["treatment"]["slug"] for i in items if i["treatment"]["slug"] in among]


def publish(client, headers, **body):
    response = client.post("/api/v1/stats/releases", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


class TestBeforeAnyRelease:
    def test_lists_are_empty_and_a_treatment_reads_as_suppressed(self, client, vocabulary):
        assert client.get("/api/v1/stats/treatments").get_json() == {"release": None, "items": []}
        assert client.get("/api/v1/stats/releases").get_json() == {"items": []}
        response = client.get("/api/v1/stats/treatments/baclofen")
        assert response.status_code == 200
        assert response.get_json() == {
            "treatment": {"slug": "baclofen", "name": "Oral baclofen"}, "suppressed": True, "members": None,
            "effect": None, "effect_groups": None, "helped": None, "side_effects": None, "symptoms": None,
            "release": None}
        assert client.get("/api/v1/stats/treatments/moon-juice").status_code == 404


class TestPublishing:
    @pytest.mark.parametrize("role, status", [(None, 401), (Role.member, 403), (Role.moderator, 403),
                                              (Role.admin, 201)])
    def test_only_admins_publish(self, client, vocabulary, make_member, api_headers, role, status):
        headers = api_headers(make_member(role=role)) if role else {}
        response = client.post("/api/v1/stats/releases", headers=headers, json={"epsilon": 0})
        assert response.status_code == status
        if status != 201:
            assert response.mimetype == "application/problem+json"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsRelease)) == (status == 201)

    def test_release_shape_and_default_epsilon(self, client, community, admin, api_headers):
        response = client.post("/api/v1/stats/releases", headers=api_headers(admin))
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) >= {"id", "created_at", "epsilon", "min_members", "min_cell", "treatments_published"}
        assert body["created_at"].endswith("Z") and body["epsilon"] == 1.0
        assert (body["min_members"], body["min_cell"]) == (10, 5)
        assert body["treatments_published"] + body["treatments_suppressed"] == len(TREATMENTS)
        assert body["max_treatments_per_member"] == 3
        assert "OpenDP" in body["mechanism"]

    @pytest.mark.parametrize("body, field", [({"epsilon": -1}, "epsilon"), ({"epsilon": 50}, "epsilon"),
                                             ({"epsilon": "lots"}, "epsilon"), ({"epsilon": True}, "epsilon"),
                                             ({"noise": 0}, "noise")])
    def test_bad_input_is_422_naming_the_field(self, client, vocabulary, admin, api_headers, body, field):
        response = client.post("/api/v1/stats/releases", headers=api_headers(admin), json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsRelease)) == 0

    def test_malformed_body_is_400(self, client, vocabulary, admin, api_headers):
        response = client.post("/api/v1/stats/releases", headers=api_headers(admin), data="{epsilon",
                               content_type="application/json")
        assert response.status_code == 400


class TestReading:
    def test_treatment_stats_follow_the_contract(self, client, community, admin, api_headers):
        release = publish(client, api_headers(admin), epsilon=0)
        body = client.get("/api/v1/stats/treatments").get_json()
        assert body["release"] == release
        by_slug = {item["treatment"]["slug"]: item for item in body["items"]}
        low, high = wilson_interval(8, 13)
        assert by_slug["baclofen"] == {
            "treatment": {"slug": "baclofen", "name": "Oral baclofen"}, "suppressed": False, "members": 13,
            # Moderate and slight are under five, so the helped answers are published as one group.
            "effect": {"major": None, "moderate": None, "slight": None, "none": None, "worse": 5, "cant_tell": None},
            "effect_groups": {"helped": 8, "no_difference": None, "worse": 5, "cant_tell": None},
            # The hidden "no difference" (0 to 4) widens Wilson's interval: without noise, that is all.
            "helped": {"share": 0.6154, "ci_low": round(wilson_interval(8, 17)[0], 4),
                       "ci_high": round(wilson_interval(8, 13)[1], 4)},
            "side_effects": [{"slug": "drowsiness", "name": "Drowsiness", "count": 6, "share": 0.4615}],
            "symptoms": [{"slug": "clonus", "name": "Clonus", "count": 13, "share": 1.0}],
        }
        assert by_slug["baclofen"]["helped"]["ci_low"] < round(low, 4) < round(high, 4) < 1
        assert by_slug["dantrolene"] == {
            "treatment": {"slug": "dantrolene", "name": "Dantrolene"}, "suppressed": True, "members": None,
            "effect": None, "effect_groups": None, "helped": None, "side_effects": None, "symptoms": None}

    @pytest.mark.parametrize("sort, order", [
        (None, ["baclofen", "tizanidine", "dantrolene"]),          # lower bound of the helped interval
        ("lower_bound", ["baclofen", "tizanidine", "dantrolene"]),
        ("members", ["baclofen", "tizanidine", "dantrolene"]),
        ("name", ["baclofen", "tizanidine", "dantrolene"]),        # Oral baclofen, Tizanidine; suppressed last
    ])
    def test_sorting_keeps_suppressed_treatments_last(self, client, community, admin, api_headers, sort, order):
        publish(client, api_headers(admin), epsilon=0)
        query = f"?sort={sort}" if sort else ""
        items = client.get(f"/api/v1/stats/treatments{query}").get_json()["items"]
        assert slugs(items) == order and len(items) == len(TREATMENTS)

    def test_sort_by_name_and_members_differ_from_lower_bound(self, client, stats_data, admin, api_headers):
        people = stats_data.crowd(20)
        for i, member in enumerate(people):
            stats_data.report(member, "tizanidine", "major")         # 20 members, all helped
            if i < 12:
                stats_data.report(member, "baclofen", "none")        # 12 members, none helped
            if i < 10:
                stats_data.report(member, "aquatic-exercise", "major" if i < 9 else "none")
        publish(client, api_headers(admin), epsilon=0)

        def order(sort):
            items = client.get(f"/api/v1/stats/treatments?sort={sort}").get_json()["items"]
            return slugs(items, ("tizanidine", "aquatic-exercise", "baclofen"))
        assert order("lower_bound") == ["tizanidine", "aquatic-exercise", "baclofen"]
        assert order("members") == ["tizanidine", "baclofen", "aquatic-exercise"]
        assert order("name") == ["aquatic-exercise", "baclofen", "tizanidine"]

    def test_a_treatment_without_a_share_comes_after_those_with_one(self, client, stats_data, admin,
                                                                     api_headers):
        for member in stats_data.crowd(10):
            stats_data.report(member, "baclofen", "cant_tell")    # "too early to tell" is left out of shares
            stats_data.report(member, "tizanidine", "none")
        publish(client, api_headers(admin), epsilon=0)
        items = client.get("/api/v1/stats/treatments").get_json()["items"][:2]
        assert slugs(items) == ["tizanidine", "baclofen"]
        # The hidden helped group could hold up to 4: the interval reaches as far as that allows.
        assert items[0]["helped"] == {"share": 0.0, "ci_low": 0.0, "ci_high": round(wilson_interval(4, 14)[1], 4)}
        assert items[1]["suppressed"] is False and items[1]["helped"] is None
        assert items[1]["effect"]["cant_tell"] == 10

    def test_unknown_sort_is_422(self, client, vocabulary):
        response = client.get("/api/v1/stats/treatments?sort=best")
        assert response.status_code == 422 and "sort" in response.get_json()["errors"]

    def test_one_treatment_by_slug_or_synonym(self, client, community, admin, api_headers):
        release = publish(client, api_headers(admin), epsilon=0)
        listed = next(i for i in client.get("/api/v1/stats/treatments").get_json()["items"]
                      if i["treatment"]["slug"] == "baclofen")
        for ref in ("baclofen", "Lioresal", "LIORESAL"):
            response = client.get(f"/api/v1/stats/treatments/{ref}")
            assert response.status_code == 200
            body = response.get_json()
            assert body.pop("release") == release and body == listed

    @pytest.mark.parametrize("ref", ["moon-juice", "heat", "cramps"])
    def test_only_what_is_not_a_treatment_is_404(self, client, community, admin, api_headers, ref):
        publish(client, api_headers(admin), epsilon=0)
        response = client.get(f"/api/v1/stats/treatments/{ref}")
        assert response.status_code == 404 and "no treatment" in response.get_json()["detail"]
        assert response.mimetype == "application/problem+json"

    def test_every_treatment_of_the_vocabulary_answers_200(self, client, community, admin, api_headers):
        publish(client, api_headers(admin), epsilon=0)
        for slug in TREATMENTS:
            response = client.get(f"/api/v1/stats/treatments/{slug}")
            assert response.status_code == 200 and response.get_json()["treatment"]["slug"] == slug
        assert client.get("/api/v1/stats/treatments/botox").get_json()["suppressed"] is True

    def test_releases_newest_first(self, client, community, admin, api_headers):
        first = publish(client, api_headers(admin), epsilon=0)
        second = publish(client, api_headers(admin), epsilon=0.5)
        items = client.get("/api/v1/stats/releases").get_json()["items"]
        assert [r["id"] for r in items] == [second["id"], first["id"]]
        assert [r["epsilon"] for r in items] == [0.5, 0]
        assert "exact" in items[1]["mechanism"]


class TestReleasesAreSnapshots:
    def test_reading_again_gives_the_same_noisy_numbers(self, client, community, admin, api_headers):
        publish(client, api_headers(admin), epsilon=1.0)
        first = client.get("/api/v1/stats/treatments").get_json()
        assert all(client.get("/api/v1/stats/treatments").get_json() == first for _ in range(5))
        listed = next(i for i in first["items"] if i["treatment"]["slug"] == "baclofen")
        for _ in range(5):
            detail = client.get("/api/v1/stats/treatments/baclofen").get_json()
            assert detail.pop("release") == first["release"] and detail == listed

    def test_one_members_change_is_invisible_until_the_next_release(self, client, stats_data, community, admin,
                                                                     api_headers):
        publish(client, api_headers(admin), epsilon=0)
        before = client.get("/api/v1/stats/treatments/baclofen").get_json()
        assert before["effect_groups"]["helped"] == 8
        stats_data.report(community[0], "baclofen", "none")
        (newcomer,) = stats_data.crowd(1)
        stats_data.report(newcomer, "baclofen", "major")
        assert client.get("/api/v1/stats/treatments/baclofen").get_json() == before
        publish(client, api_headers(admin), epsilon=0)
        after = client.get("/api/v1/stats/treatments/baclofen").get_json()
        assert after["members"] == 13 and after["effect_groups"]["helped"] == 8 and after["release"]["id"] == 2


class TestQueryCounts:
    @staticmethod
    def build(stats_data, treatments: list[str]):
        for member in stats_data.crowd(10):
            for slug in treatments:
                stats_data.report(member, slug, "major", symptoms=("clonus",), side_effects=("nausea",))
        stats_data.publish(1.0)

    def reads(self, client, count_queries) -> tuple[int, int]:
        with count_queries() as listing:
            assert client.get("/api/v1/stats/treatments").status_code == 200
        with count_queries() as one:
            assert client.get("/api/v1/stats/treatments/Lioresal").status_code == 200
        return listing.count, one.count

    def test_reading_costs_the_same_for_3_and_22_treatments(self, app, client, stats_data, count_queries):
        self.build(stats_data, TREATMENTS[:3])
        small = self.reads(client, count_queries)
        self.build(stats_data, TREATMENTS)
        assert len(client.get("/api/v1/stats/treatments").get_json()["items"]) == len(TREATMENTS) == 22
        assert self.reads(client, count_queries) == small
        assert small[0] <= 2


def test_openapi_describes_the_statistics_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"get"} <= set(spec["paths"]["/api/v1/stats/treatments"])
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/stats/releases"])
    assert "/api/v1/stats/treatments/{treatment}" in spec["paths"]
    schema = spec["components"]["schemas"]["TreatmentStats"]
    assert {"treatment", "suppressed", "members", "effect", "helped", "side_effects", "symptoms"} <= set(
        schema["properties"])
