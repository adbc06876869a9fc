"""Experience pages as a person with a browser meets them: the form, My experiences, deleting, the tag panel."""
import re

import pytest
import sqlalchemy as sa

from app.experiences.models import ExperienceReport, ExperienceRevision, StopReason
from app.extensions import db
from app.members.models import MemberStatus
from app.polls import services as polls
from app.polls.models import EFFECT_LABELS
from app.vocabulary.models import SideEffect, Tag, TagKind
from tests.conftest import csrf_token
from tests.experiences.conftest import SECRET_DOSE, count
from tests.forum.test_pages import assert_accessible_outline
from tests.polls.test_pages import controls, html_of

EDIT = "/experiences/baclofen"


def form_data(**changes) -> dict:
    """The edit form as a person fills it in: radios, checkboxes, a text box."""
    data = {"effect": "moderate", "symptoms": ["spasticity", "cramps"], "side_effect-drowsiness": "mild",
            "side_effect-dry-mouth": "severe", "side_effect-nausea": "none", "duration": "1_6m", "status": "current",
            "dose": "10 mg three times a day", "share_in_stats": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def checked(html: str, kind: str, name: str) -> list[str]:
    return [c["value"] for c in controls(html, kind) if c["name"] == name and c["checked"]]


def fieldset(html: str, field_id: str) -> str:
    start = html.index(f'<fieldset id="{field_id}"')
    return html[start:html.index("</fieldset>", start)]


def reports_section(html: str) -> str:
    start = html.index('<section aria-labelledby="reports-heading">')
    return html[start:html.index("</section>", start)]


def facts(html: str, slug: str) -> dict[str, str]:
    """{term: description} of one report on My experiences, as a screen reader reads the list."""
    start = html.index(f'id="report-{slug}"')
    block = html[start:html.index("</dl>", start)]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block, re.S)
    return {term: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for term, value in pairs}


@pytest.fixture
def signed_in(pages, reporter):
    pages.sign_in(reporter)
    return reporter


class TestRecording:
    def test_the_form_uses_native_controls_and_says_plainly_what_sharing_means(self, client, signed_in, app):
        response = client.get(EDIT)
        assert response.status_code == 200
        html = html_of(response)
        assert_accessible_outline(html)
        assert "<h1>Your experience with Oral baclofen</h1>" in html and "not medical advice" in html
        effect = fieldset(html, "effect")
        assert [c["value"] for c in controls(effect, "radio")] == [e.value for e in EFFECT_LABELS]
        assert all(f">{label}</label>" in effect for label in EFFECT_LABELS.values())
        symptoms = db.session.scalar(sa.select(sa.func.count()).select_from(Tag).where(Tag.kind == TagKind.symptom))
        assert len(controls(fieldset(html, "symptoms"), "checkbox")) == symptoms
        side_effect_radios = [c for c in controls(html, "radio") if c["name"].startswith("side_effect-")]
        assert len(side_effect_radios) == 4 * count(SideEffect)
        assert {c["value"] for c in side_effect_radios if c["checked"]} == {"none"}
        assert html.count(">Not experienced</label>") == count(SideEffect)
        for name in ("duration", "status", "stop_reason"):
            assert controls(fieldset(html, name), "radio") and not checked(html, "radio", name)
        assert checked(html, "checkbox", "share_in_stats") == ["1"]
        explanation = html[html.index('id="share_in_stats-hint"'):]
        explanation = " ".join(explanation[:explanation.index("</div>")].split())
        assert "not other members, not moderators, not admins" in explanation
        assert f"at least {app.config['STATS_MIN_MEMBERS']} members" in explanation
        assert "random noise" in explanation and "leaves the next release" in explanation
        if "stats.about" in app.view_functions:
            assert 'href="/stats/about"' in explanation

    def test_saving_records_the_report_and_my_experiences_shows_it(self, client, pages, signed_in):
        response = pages.post(EDIT, form_data())
        assert response.status_code == 302 and response.headers["Location"] == "/experiences#report-baclofen"
        html = html_of(client.get("/experiences"))
        assert "Your experience with Oral baclofen is recorded. Only you can see it." in html
        assert facts(html, "baclofen") == {
            "Effect": "Helped somewhat", "Used for": "Cramps, Spasticity",
            "Side effects": "Drowsiness (mild), Dry mouth (severe)", "How long": "1 to 6 months",
            "Still using it": "Yes", "Dose": "10 mg three times a day", "Counts in statistics": "Yes",
            "Last updated": facts(html, "baclofen")["Last updated"]}
        report = db.session.scalar(sa.select(ExperienceReport))
        assert report.share_in_stats is True and report.stop_reason is None and count(ExperienceRevision) == 1

    def test_a_rejected_form_comes_back_with_every_message_and_everything_typed(self, client, pages, signed_in):
        typed_dose = "<script>alert('dose')</script>" + "x" * 200
        response = pages.post(EDIT, form_data(effect=..., symptoms=["cramps", "moon-juice"], status="stopped",
                                              dose=typed_dose, share_in_stats=..., **{"side_effect-nausea": "moderate"}))
        assert response.status_code == 422
        html = html_of(response)
        summary = html[html.index('class="error-summary"'):html.index("</div>", html.index('class="error-summary"'))]
        for field in ("effect", "symptoms", "stop_reason", "dose"):
            assert f'href="#{field}"' in summary, field
        assert "Unknown tag: moon-juice" in summary and "Say why you stopped." in summary
        assert checked(html, "radio", "effect") == [] and checked(html, "radio", "status") == ["stopped"]
        assert checked(html, "checkbox", "symptoms") == ["cramps"]
        assert checked(html, "radio", "side_effect-nausea") == ["moderate"]
        assert checked(html, "radio", "side_effect-drowsiness") == ["mild"]
        assert checked(html, "radio", "duration") == ["1_6m"] and checked(html, "checkbox", "share_in_stats") == []
        assert "&lt;script&gt;alert(&#39;dose&#39;)&lt;/script&gt;" + "x" * 200 in html
        assert "<script>alert" not in html
        assert 'aria-invalid="true"' in html and count(ExperienceReport) == 0

    def test_the_form_for_a_saved_report_is_prefilled_and_saving_updates_it(self, client, pages, signed_in, record):
        record(signed_in, status="stopped", stop_reason="cost", share_in_stats=False)
        html = html_of(client.get(EDIT))
        assert checked(html, "radio", "effect") == ["moderate"] and checked(html, "radio", "status") == ["stopped"]
        assert checked(html, "radio", "stop_reason") == ["cost"] and checked(html, "radio", "duration") == ["1_6m"]
        assert sorted(checked(html, "checkbox", "symptoms")) == ["cramps", "spasticity"]
        assert checked(html, "radio", "side_effect-dry-mouth") == ["severe"]
        assert checked(html, "checkbox", "share_in_stats") == []
        assert 'value="10 mg three times a day"' in html and "Delete this report" in html

        response = pages.post(EDIT, form_data(effect="major", symptoms=[], **{"side_effect-drowsiness": "none"}))
        assert response.status_code == 302
        assert "Your experience with Oral baclofen is updated." in html_of(client.get("/experiences"))
        db.session.expire_all()
        report = db.session.scalar(sa.select(ExperienceReport))
        assert report.effect.value == "major" and report.symptoms == [] and report.share_in_stats is True
        assert [s.side_effect.slug for s in report.side_effects] == ["dry-mouth"]
        assert count(ExperienceRevision) == 2

    def test_a_reason_left_ticked_counts_only_for_someone_who_stopped(self, pages, signed_in):
        # A radio button cannot be cleared: switching back to "still using" must not trap the person.
        response = pages.post(EDIT, form_data(status="current", stop_reason="side_effects"))
        assert response.status_code == 302
        assert db.session.scalar(sa.select(ExperienceReport)).stop_reason is None
        pages.post(EDIT, form_data(status="stopped", stop_reason="not_effective"))
        db.session.expire_all()
        assert db.session.scalar(sa.select(ExperienceReport)).stop_reason == StopReason.not_effective

    def test_a_synonym_leads_to_the_treatment_and_anything_else_is_404(self, client, signed_in):
        response = client.get("/experiences/Lioresal")
        assert response.status_code == 302 and response.headers["Location"] == EDIT
        for ref in ("heat", "spasticity", "moon-juice"):
            assert client.get(f"/experiences/{ref}").status_code == 404, ref


class TestMyExperiences:
    def test_lists_the_members_own_reports_only_with_edit_and_delete(self, client, pages, signed_in, record,
                                                                       make_member):
        record(signed_in, "yoga", effect="slight", status="stopped", stop_reason="other", dose=None)
        record(signed_in, "baclofen", share_in_stats=False)
        record(make_member("someone_else"), "tizanidine", dose=SECRET_DOSE)
        response = client.get("/experiences")
        html = html_of(response)
        assert response.status_code == 200
        assert_accessible_outline(html)
        reports = reports_section(html)
        assert re.findall(r'id="report-([\w-]+)"', reports) == ["baclofen", "yoga"]
        assert "Tizanidine" not in reports and SECRET_DOSE not in html
        yoga = facts(html, "yoga")
        assert yoga["Still using it"] == "No, stopped: another reason" and yoga["Dose"] == "Not given"
        assert facts(html, "baclofen")["Counts in statistics"] == "No, kept out"
        assert 'href="/experiences/yoga">Edit<span class="visually-hidden"> your experience with Yoga</span>' in reports
        assert 'href="/experiences/yoga/delete"' in reports
        others = html[html.index('id="record-heading"'):]
        assert 'href="/experiences/tizanidine"' in others and 'href="/experiences/yoga"' not in others
        assert "not medical advice" in html

    def test_no_reports_yet(self, client, signed_in):
        html = html_of(client.get("/experiences"))
        assert "You have not recorded any experiences yet." in html and "Record a treatment" in html

    def test_poll_votes_can_be_left_out_of_statistics_and_counted_again(self, client, pages, signed_in):
        response = pages.post("/experiences/poll-votes", {"ballots_in_stats": "no"}, form_page="/experiences")
        assert response.status_code == 302
        html = html_of(client.get("/experiences"))
        assert "will be left out of the next statistics release" in html
        assert "Right now your votes <strong>are left out</strong>" in html
        assert checked(html, "radio", "ballots_in_stats") == ["no"]
        db.session.expire_all()
        assert signed_in.stats_consent is False
        pages.post("/experiences/poll-votes", {"ballots_in_stats": "yes"}, form_page="/experiences")
        db.session.expire_all()
        assert signed_in.stats_consent is True
        pages.post("/experiences/poll-votes", {"ballots_in_stats": "maybe"}, form_page="/experiences")
        assert "Choose whether your experience-poll votes may count" in html_of(client.get("/experiences"))
        db.session.expire_all()
        assert signed_in.stats_consent is True


class TestDeleting:
    def test_confirm_then_delete(self, client, pages, signed_in, record):
        record(signed_in)
        record(signed_in, effect="worse")
        page = client.get(f"{EDIT}/delete")
        assert page.status_code == 200 and "Delete your experience with Oral baclofen?" in html_of(page)
        assert_accessible_outline(html_of(page))
        response = pages.post(f"{EDIT}/delete", {}, form_page=f"{EDIT}/delete")
        assert response.status_code == 302 and response.headers["Location"] == "/experiences"
        assert "is deleted, with every earlier version of it" in html_of(client.get("/experiences"))
        assert count(ExperienceReport) == 0 and count(ExperienceRevision) == 0
        assert client.get(f"{EDIT}/delete").status_code == 404


class TestWhoMay:
    @pytest.mark.parametrize("path", ["/experiences", EDIT, f"{EDIT}/delete"])
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, path):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/signin?next=")

    @pytest.mark.parametrize("path", [EDIT, f"{EDIT}/delete", "/experiences/poll-votes"])
    def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(self, pages, vocabulary, path):
        response = pages.post(path, form_data(ballots_in_stats="no"), form_page="/signin")
        assert response.status_code == 302 and "/signin" in response.headers["Location"]
        assert count(ExperienceReport) == 0

    def test_a_form_without_its_csrf_token_is_refused(self, client, signed_in):
        response = client.post(EDIT, data=form_data())
        assert response.status_code == 400 and count(ExperienceReport) == 0

    def test_a_member_suspended_while_signed_in_cannot_report_or_delete(self, client, signed_in, record):
        record(signed_in, effect="major")
        token = csrf_token(client, EDIT)
        signed_in.status = MemberStatus.suspended
        db.session.commit()
        for path in (EDIT, f"{EDIT}/delete"):
            response = client.post(path, data=form_data(effect="worse", csrf_token=token))
            refused = response.status_code == 403 or (
                response.status_code == 302 and response.headers["Location"].startswith("/signin"))
            assert refused, (path, response.status_code)
        db.session.expire_all()
        assert db.session.scalar(sa.select(ExperienceReport.effect)).value == "major"


class TestElsewhere:
    def test_the_tag_page_invites_a_visitor_to_sign_in(self, client, vocabulary):
        html = html_of(client.get("/tags/baclofen"))
        panel = html[html.index('class="experience-panel"'):]
        panel = panel[:panel.index("</section>")]
        assert "Your experience with Oral baclofen" in panel
        assert 'href="/signin?next=/experiences/baclofen"' in panel

    def test_the_tag_page_offers_to_record_then_to_update(self, client, signed_in, record):
        html = html_of(client.get("/tags/baclofen"))
        assert "Record your experience<span" in html and 'href="/experiences/baclofen"' in html
        record(signed_in, effect="major")
        html = html_of(client.get("/tags/baclofen"))
        assert "You recorded “Helped a lot”" in html and "Update your experience<span" in html
        assert_accessible_outline(html)
        assert "experience-panel" not in html_of(client.get("/tags/spasticity"))

    def test_my_experiences_is_in_the_header_when_signed_in(self, client, pages, reporter):
        assert 'href="/experiences"' not in html_of(client.get("/"))
        pages.sign_in(reporter)
        assert '<a class="button button--quiet" href="/experiences">My experiences</a>' in html_of(client.get("/"))

    def test_experience_polls_say_how_the_vote_counts(self, client, pages, forum, signed_in):
        thread = forum.thread()
        poll = polls.create_poll(thread.author, thread.id, "Did baclofen help you?", "experience",
                                 treatment="baclofen")
        html = html_of(client.get(f"/threads/{thread.id}"))
        section = html[html.index(f'<section id="poll-{poll.id}"'):]
        assert "Your vote also counts, without your handle, in the anonymized community statistics" in section
        assert 'href="/experiences#poll-votes"' in section
        pages.post("/experiences/poll-votes", {"ballots_in_stats": "no"}, form_page="/experiences")
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "You chose to leave your experience-poll votes out of the community statistics" in html


class TestQueryCounts:
    TREATMENTS = ["baclofen", "tizanidine", "diazepam", "dantrolene", "clonazepam", "gabapentin", "pregabalin",
                  "dalfampridine", "botulinum-toxin", "cannabis", "yoga", "stretching"]
    MANY = {"symptoms": ["spasticity", "cramps", "clonus", "pain", "fatigue"],
            "side_effects": [{"name": n, "severity": "moderate"} for n in ("nausea", "dizziness", "confusion")]}

    def queries(self, client, count_queries, path):
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == 200
        return q.count, html_of(response)

    def test_my_experiences_costs_the_same_for_1_or_12_reports(self, client, signed_in, record, count_queries):
        record(signed_in, self.TREATMENTS[0])
        client.get("/experiences")  # warm up
        few, html = self.queries(client, count_queries, "/experiences")
        assert html.count('class="experience"') == 1
        for treatment in self.TREATMENTS[1:]:
            record(signed_in, treatment, **self.MANY)
        many, html = self.queries(client, count_queries, "/experiences")
        assert html.count('class="experience"') == 12 and html.count("(moderate)") == 33
        assert many == few, f"{few} queries for 1 report, {many} for 12"

    def test_the_form_costs_the_same_for_a_bare_or_a_full_report(self, client, signed_in, record, count_queries):
        record(signed_in, "yoga", symptoms=[], side_effects=[])
        record(signed_in, "baclofen", **self.MANY)
        client.get("/experiences/yoga")  # warm up
        bare, _ = self.queries(client, count_queries, "/experiences/yoga")
        full, html = self.queries(client, count_queries, EDIT)
        assert len(checked(html, "checkbox", "symptoms")) == 5
        assert full == bare, f"{bare} queries for a bare report, {full} for a full one"

    def test_the_tag_panel_costs_the_same_with_or_without_a_report(self, client, signed_in, record, count_queries):
        client.get("/tags/baclofen")  # warm up
        without, html = self.queries(client, count_queries, "/tags/baclofen")
        assert "Record your experience<span" in html
        record(signed_in, **self.MANY)
        with_report, html = self.queries(client, count_queries, "/tags/baclofen")
        assert "Update your experience<span" in html
        assert with_report == without
