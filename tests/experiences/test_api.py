"""The experience-report API as a client app meets it: PUT, GET, DELETE, and one answer naming every problem."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import NotAllowed
from app.experiences import services
from app.experiences.models import ExperienceReport, ExperienceRevision, ExperienceSideEffect, experience_symptoms
from app.extensions import db
from app.members.models import MemberStatus
from tests.experiences.conftest import count, full_report

URL = "/api/v1/experiences/{}"


def put(client, headers, treatment="baclofen", **changes):
    return client.put(URL.format(treatment), headers=headers, json=full_report(**changes))


def symptom_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(experience_symptoms))


class TestSaving:
    def test_first_put_records_the_report_and_answers_it(self, client, reporter, api_headers):
        response = put(client, api_headers(reporter), treatment="Lioresal", dose="<b>10 mg</b> at night")
        assert response.status_code == 200
        body = response.get_json()
        assert body["treatment"] == {"slug": "baclofen", "name": "Oral baclofen"}
        assert body["effect"] == "moderate" and body["duration"] == "1_6m" and body["status"] == "current"
        assert body["stop_reason"] is None and body["share_in_stats"] is True
        assert body["dose"] == "<b>10 mg</b> at night"  # stored as typed; pages escape it
        assert body["symptoms"] == [{"slug": "cramps", "name": "Cramps"}, {"slug": "spasticity", "name": "Spasticity"}]
        assert sorted(body["side_effects"], key=lambda s: s["slug"]) == [
            {"name": "Drowsiness", "slug": "drowsiness", "severity": "mild"},
            {"name": "Dry mouth", "slug": "dry-mouth", "severity": "severe"}]
        assert body["created_at"].endswith("Z") and body["updated_at"] == body["created_at"]

    def test_second_put_replaces_every_answer_and_keeps_a_revision_of_each(self, client, reporter, api_headers):
        headers = api_headers(reporter)
        first = put(client, headers).get_json()
        second = put(client, headers, treatment="baclofen", effect="worse", status="stopped", stop_reason="side_effects",
                     symptoms=["the claw"], side_effects=[{"name": "DRY-MOUTH", "severity": "mild"}],
                     dose=None, share_in_stats=False)
        assert second.status_code == 200
        body = second.get_json()
        assert (body["effect"], body["status"], body["stop_reason"], body["dose"], body["share_in_stats"]) == (
            "worse", "stopped", "side_effects", None, False)
        assert body["symptoms"] == [{"slug": "hand-spasticity", "name": "Hand spasticity"}]
        assert body["side_effects"] == [{"name": "Dry mouth", "slug": "dry-mouth", "severity": "mild"}]
        assert body["created_at"] == first["created_at"] and body["updated_at"] >= first["updated_at"]
        assert count(ExperienceReport) == 1 and count(ExperienceSideEffect) == 1 and symptom_rows() == 1
        snapshots = [r.data for r in db.session.scalars(sa.select(ExperienceRevision).order_by(ExperienceRevision.id))]
        assert [s["effect"] for s in snapshots] == ["moderate", "worse"]
        assert snapshots[0]["side_effects"] == [{"slug": "drowsiness", "severity": "mild"},
                                                {"slug": "dry-mouth", "severity": "severe"}]
        assert snapshots[1]["dose"] is None and snapshots[1]["stop_reason"] == "side_effects"

    def test_every_save_restates_updated_at(self, client, reporter, api_headers, record):
        record(reporter)
        long_ago = utcnow() - timedelta(days=90)
        db.session.execute(sa.update(ExperienceReport).values(updated_at=long_ago))
        db.session.commit()
        body = put(client, api_headers(reporter)).get_json()  # the very same answers
        assert body["updated_at"] > long_ago.isoformat().replace("+00:00", "Z")
        assert count(ExperienceRevision) == 2

    def test_the_service_says_whether_the_report_is_new(self, reporter):
        _, created = services.save_report(reporter, "baclofen", full_report())
        _, again = services.save_report(reporter, "Lioresal", full_report(effect="major"))
        assert (created, again) == (True, False)

    def test_symptoms_and_side_effects_by_name_synonym_or_slug_in_any_case(self, client, reporter, api_headers):
        body = put(client, api_headers(reporter), symptoms=["the claw", "FATIGUE", "sleep-disruption", "fatigue"],
                   side_effects=[{"name": "  Muscle Weakness ", "severity": "moderate"},
                                 {"name": "NAUSEA", "severity": "mild"}]).get_json()
        assert [s["slug"] for s in body["symptoms"]] == ["fatigue", "hand-spasticity", "sleep-disruption"]
        assert sorted(s["slug"] for s in body["side_effects"]) == ["muscle-weakness", "nausea"]


class TestRefusals:
    def test_every_problem_is_named_in_one_answer_and_nothing_is_written(self, client, reporter, api_headers):
        response = client.put(URL.format("baclofen"), headers=api_headers(reporter), json={
            "effect": "miraculous", "symptoms": ["moon juice", "heat"],
            "side_effects": [{"name": "sneezing", "severity": "mild"}, {"name": "nausea", "severity": "awful"}],
            "duration": "forever", "status": "stopped", "dose": "x" * 201, "colour": "blue"})
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        errors = response.get_json()["errors"]
        assert set(errors) == {"effect", "symptoms", "side_effects", "duration", "stop_reason", "dose",
                               "share_in_stats", "colour"}
        assert all(isinstance(m, str) for messages in errors.values() for m in messages)
        assert "Unknown tag: moon juice" in errors["symptoms"]
        assert "Side effect 2, severity: Choose one of: mild, moderate, severe." in errors["side_effects"]
        assert count(ExperienceReport) == 0 and count(ExperienceRevision) == 0

    @pytest.mark.parametrize("changes, field, words", [
        ({"symptoms": ["moon juice"]}, "symptoms", "Unknown tag: moon juice"),
        ({"symptoms": ["heat"]}, "symptoms", "Heat is a trigger, not a symptom."),
        ({"symptoms": "spasticity"}, "symptoms", "Not a valid list."),
        ({"side_effects": [{"name": "sneezing", "severity": "mild"}]}, "side_effects", "Unknown side effect: sneezing"),
        ({"side_effects": [{"name": "nausea", "severity": "mild"}, {"name": "Nausea", "severity": "severe"}]},
         "side_effects", "Nausea is listed more than once"),
        ({"side_effects": [{"name": "nausea"}]}, "side_effects", "Side effect 1, severity: Missing data"),
        ({"side_effects": ["nausea"]}, "side_effects", "Side effect 1, Invalid input type."),
        ({"effect": ...}, "effect", "Say how well it worked for you."),
        ({"effect": "great"}, "effect", "Choose one of: major, moderate"),
        ({"duration": "2_weeks"}, "duration", "Choose one of: lt_1m, 1_6m"),
        ({"status": "paused"}, "status", "Choose one of: current, stopped."),
        ({"status": "stopped"}, "stop_reason", "Say why you stopped."),
        ({"status": "stopped", "stop_reason": "bored"}, "stop_reason", "Choose one of: side_effects"),
        ({"stop_reason": "cost"}, "stop_reason", "Leave out the reason for stopping"),
        ({"dose": "x" * 201}, "dose", "Keep the dose under 200 characters."),
        ({"share_in_stats": ...}, "share_in_stats", "Say whether this report may count"),
        ({"share_in_stats": "yes"}, "share_in_stats", "Not a valid boolean."),
        ({"share_in_stats": 1}, "share_in_stats", "Not a valid boolean."),
    ])
    def test_invalid_answer_is_422_naming_the_field(self, client, reporter, api_headers, changes, field, words):
        response = put(client, api_headers(reporter), **changes)
        assert response.status_code == 422, response.get_json()
        errors = response.get_json()["errors"]
        assert list(errors) == [field] and any(words in message for message in errors[field]), errors
        assert count(ExperienceReport) == 0

    def test_a_refused_update_leaves_the_saved_report_as_it_was(self, client, reporter, api_headers, record):
        record(reporter, effect="major")
        assert put(client, api_headers(reporter), effect="worse", symptoms=["moon juice"]).status_code == 422
        assert db.session.scalar(sa.select(ExperienceReport.effect)).value == "major"
        assert count(ExperienceRevision) == 1

    @pytest.mark.parametrize("treatment", ["moon-juice", "heat", "spasticity", "newly-diagnosed"])
    def test_unknown_or_non_treatment_is_404(self, client, reporter, api_headers, treatment):
        headers = api_headers(reporter)
        assert put(client, headers, treatment=treatment).status_code == 404
        assert client.get(URL.format(treatment), headers=headers).status_code == 404
        assert client.delete(URL.format(treatment), headers=headers).status_code == 404

    @pytest.mark.parametrize("body", ["effect=major", "[1, 2]", "{not json"])
    def test_a_body_that_is_not_a_json_object_is_400(self, client, reporter, api_headers, body):
        response = client.put(URL.format("baclofen"), headers=api_headers(reporter), data=body,
                              content_type="application/json")
        assert response.status_code == 400 and response.mimetype == "application/problem+json"

    def test_a_burst_of_saves_is_429_with_retry_after(self, client, reporter, api_headers, app):
        app.config["WRITE_RATE_LIMIT"] = "2 per minute"
        headers = api_headers(reporter)
        assert [put(client, headers).status_code for _ in range(2)] == [200, 200]
        response = put(client, headers)
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


class TestReadingAndDeleting:
    def test_my_experiences_lists_only_the_callers_reports_by_treatment_name(self, client, reporter, make_member,
                                                                              api_headers, record):
        record(reporter, "tizanidine")
        record(reporter, "Botox")
        record(reporter, "baclofen")
        record(make_member("someone_else"), "yoga", dose="not yours")
        body = client.get("/api/v1/me/experiences", headers=api_headers(reporter)).get_json()
        assert [r["treatment"]["name"] for r in body["items"]] == [
            "Botulinum toxin injections", "Oral baclofen", "Tizanidine"]
        assert body["ballots_in_stats"] is True
        other = client.get("/api/v1/me/experiences", headers=api_headers(make_member())).get_json()
        assert other == {"items": [], "ballots_in_stats": True}

    def test_get_one_report_is_the_callers_own_or_404(self, client, reporter, make_member, api_headers, record):
        record(reporter, dose="5 mg")
        assert client.get(URL.format("Lioresal"), headers=api_headers(reporter)).get_json()["dose"] == "5 mg"
        assert client.get(URL.format("baclofen"), headers=api_headers(make_member())).status_code == 404

    def test_delete_forgets_the_report_and_its_history(self, client, reporter, api_headers, record):
        record(reporter)
        record(reporter, effect="major")
        record(reporter, "yoga")
        headers = api_headers(reporter)
        response = client.delete(URL.format("Lioresal"), headers=headers)
        assert response.status_code == 204 and response.get_data() == b""
        remaining = db.session.scalars(sa.select(ExperienceReport)).all()
        assert [r.treatment.slug for r in remaining] == ["yoga"]
        assert count(ExperienceRevision) == 1 and count(ExperienceSideEffect) == 2 and symptom_rows() == 2
        assert client.delete(URL.format("baclofen"), headers=headers).status_code == 404

    def test_ballots_in_stats_can_be_turned_off_and_on(self, client, reporter, api_headers):
        headers = api_headers(reporter)
        response = client.put("/api/v1/me/stats-consent", headers=headers, json={"ballots_in_stats": False})
        assert response.status_code == 200 and response.get_json() == {"ballots_in_stats": False}
        assert client.get("/api/v1/me/experiences", headers=headers).get_json()["ballots_in_stats"] is False
        client.put("/api/v1/me/stats-consent", headers=headers, json={"ballots_in_stats": True})
        db.session.expire_all()
        assert reporter.stats_consent is True
        refused = client.put("/api/v1/me/stats-consent", headers=headers, json={"ballots_in_stats": "no"})
        assert refused.status_code == 422 and "ballots_in_stats" in refused.get_json()["errors"]


class TestWhoMay:
    @pytest.mark.parametrize("method, path", [
        ("put", "/api/v1/experiences/baclofen"), ("get", "/api/v1/experiences/baclofen"),
        ("delete", "/api/v1/experiences/baclofen"), ("get", "/api/v1/me/experiences"),
        ("put", "/api/v1/me/stats-consent")])
    def test_anonymous_callers_get_401(self, client, reporter, record, method, path):
        record(reporter)
        response = getattr(client, method)(path, json=full_report())
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert count(ExperienceReport) == 1

    def test_suspended_members_cannot_report_or_delete(self, client, reporter, api_headers, record):
        record(reporter, effect="major")
        headers = api_headers(reporter)
        reporter.status = MemberStatus.suspended
        db.session.commit()
        # A suspended member's token stops working altogether, so the API answers 401 ...
        assert put(client, headers, effect="worse").status_code == 401
        assert client.delete(URL.format("baclofen"), headers=headers).status_code == 401
        # ... and the service refuses them with 403 whatever calls it.
        for attempt in (lambda: services.save_report(reporter, "baclofen", full_report(effect="worse")),
                        lambda: services.delete_report(reporter, "baclofen"),
                        lambda: services.set_ballots_in_stats(reporter, False)):
            with pytest.raises(NotAllowed) as refused:
                attempt()
            assert refused.value.status == 403
        db.session.expire_all()
        assert db.session.scalar(sa.select(ExperienceReport.effect)).value == "major"
        assert count(ExperienceRevision) == 1 and reporter.stats_consent is True


def test_openapi_describes_the_report_body_and_answers(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    put_op = spec["paths"]["/api/v1/experiences/{treatment}"]["put"]
    assert put_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/Experience")
    assert {"200", "422"} <= set(put_op["responses"]) and put_op["security"] == [{"bearerAuth": []}]
    body = spec["components"]["schemas"]["Experience"]
    assert {"effect", "duration", "status", "share_in_stats"} <= set(body["required"])
    assert "ballots_in_stats" in spec["components"]["schemas"]["MyExperiences"]["properties"]
    assert "/api/v1/me/stats-consent" in spec["paths"]


class TestQueryCounts:
    def test_my_experiences_costs_the_same_for_1_or_12_reports(self, client, reporter, api_headers, record,
                                                               count_queries):
        headers = api_headers(reporter)
        treatments = ["baclofen", "tizanidine", "diazepam", "dantrolene", "clonazepam", "gabapentin", "pregabalin",
                      "dalfampridine", "botulinum-toxin", "cannabis", "yoga", "stretching"]
        every_side_effect = [{"name": n, "severity": "mild"} for n in ("nausea", "dizziness", "confusion", "fatigue")]
        record(reporter, treatments[0])
        client.get("/api/v1/me/experiences", headers=headers)  # warm up

        def queries():
            with count_queries() as q:
                response = client.get("/api/v1/me/experiences", headers=headers)
            return q.count, response.get_json()["items"]

        few, items = queries()
        assert len(items) == 1
        for treatment in treatments[1:]:
            record(reporter, treatment, symptoms=["spasticity", "cramps", "clonus", "pain"],
                   side_effects=every_side_effect)
        many, items = queries()
        assert len(items) == 12 and sum(len(i["side_effects"]) for i in items) == 2 + 11 * 4
        assert many == few, f"{few} queries for 1 report, {many} for 12"


@pytest.mark.concurrent
def test_simultaneous_first_saves_make_one_report(app, make_member, vocabulary, api_headers):
    member = make_member("double_clicker")
    headers = api_headers(member)
    effects = ["major", "moderate", "slight", "none", "worse", "cant_tell"]

    def send(effect):
        return app.test_client().put(URL.format("baclofen"), headers=headers,
                                     json=full_report(effect=effect)).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(send, effects))
    assert statuses == [200] * len(effects)
    db.session.expire_all()
    assert count(ExperienceReport) == 1 and count(ExperienceRevision) == len(effects)
