"""Poll pages as a person with a browser meets them: voting with native controls, results in words, browsing."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.members.models import MemberStatus, Role
from app.polls import services
from app.polls.models import Ballot, BallotChoice, Poll
from tests.forum.test_pages import Outline, assert_accessible_outline

INPUT = re.compile(r"<input\b[^>]*>")


def html_of(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def section(html: str, poll) -> str:
    """The HTML of one poll's section."""
    start = html.index(f'<section id="poll-{poll.id}"')
    return html[start:html.index("</section>", start)]


def results_text(html: str) -> dict[str, str]:
    """{option label: the words written beside its bar}, as a screen reader reads the list."""
    rows = re.findall(r'<li class="poll-result[^"]*">(.*?)</li>', html, re.S)
    out = {}
    for row in rows:
        label = re.search(r'<span class="poll-result__label">([^<]+)', row).group(1).strip()
        out[label] = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    return out


def controls(html: str, kind: str) -> list[dict]:
    found = []
    for tag in INPUT.findall(html):
        if f'type="{kind}"' in tag:
            found.append(dict(re.findall(r'(\w+)="([^"]*)"', tag), checked=" checked" in tag))
    return found


@pytest.fixture
def voter(make_member):
    return make_member("voting_vera")


@pytest.fixture
def make_poll(thread, owner):
    def make(question="Which time of day is worst?", kind="single", options=("Morning", "Afternoon", "Night"),
             treatment=None, results="always", closes_at=None, on=None):
        if kind == "experience":
            options = None
        return services.create_poll(owner, (on or thread).id, question, kind, list(options or []), treatment,
                                    closes_at, results)
    return make


def option_id(poll, label) -> int:
    return next(o.id for o in poll.options if o.label == label)


def cast(member, poll, *labels):
    services.vote(member, poll.id, [option_id(poll, label) for label in labels])


# --- voting on the thread page ------------------------------------------------------

class TestVoting:
    def test_vote_with_radio_buttons_then_see_your_vote_and_the_numbers(self, client, pages, thread, make_poll,
                                                                          voter, make_member):
        poll = make_poll()
        cast(make_member(), poll, "Night")
        pages.sign_in(voter)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        radios = controls(page, "radio")
        assert [r["name"] for r in radios] == ["option"] * 3 and not any(r["checked"] for r in radios)
        assert "<legend>Which time of day is worst?</legend>" in page
        assert ">Vote<span" in page and "Withdraw my vote" not in page

        response = pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "Morning")},
                              form_page=f"/threads/{thread.id}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/threads/{thread.id}#poll-{poll.id}"
        html = html_of(client.get(response.headers["Location"]))
        assert "your vote is saved" in html
        page = section(html, poll)
        results = results_text(page)
        assert results["Morning"] == "Morning Your vote 1 vote, 50%"
        assert results["Night"] == "Night 1 vote, 50%"
        assert results["Afternoon"] == "Afternoon 0 votes, 0%"
        assert "2 members voted." in page
        assert page.count("Your vote<") == 1
        checked = [r for r in controls(page, "radio") if r["checked"]]
        assert [int(r["value"]) for r in checked] == [option_id(poll, "Morning")]
        assert ">Change my vote<span" in page and "poll-bar__fill--50" in page

    def test_change_then_withdraw_the_vote(self, client, pages, thread, make_poll, voter):
        poll = make_poll()
        pages.sign_in(voter)
        page_url = f"/threads/{thread.id}"
        pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "Morning")}, form_page=page_url)
        pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "Night")}, form_page=page_url)
        results = results_text(section(html_of(client.get(page_url)), poll))
        assert results["Night"] == "Night Your vote 1 vote, 100%" and results["Morning"] == "Morning 0 votes, 0%"
        assert count(Ballot) == 1 and count(BallotChoice) == 1

        response = pages.post(f"/polls/{poll.id}/withdraw", {}, form_page=page_url)
        assert response.status_code == 302 and response.headers["Location"] == f"{page_url}#poll-{poll.id}"
        html = html_of(client.get(page_url))
        assert "Your vote is withdrawn." in html
        page = section(html, poll)
        assert "Your vote" not in page and "Nobody has voted yet." in page and "Withdraw my vote" not in page
        assert count(Ballot) == 0

    def test_multiple_choice_uses_checkboxes(self, client, pages, thread, make_poll, voter):
        poll = make_poll(question="Which stretches do you do?", kind="multiple",
                         options=("Calf", "Hamstring", "Hip flexor"))
        pages.sign_in(voter)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert len(controls(page, "checkbox")) == 3 and controls(page, "radio") == []
        assert "Choose one or more answers." in page
        response = pages.post(f"/polls/{poll.id}/vote", {"option": [option_id(poll, "Calf"),
                                                                     option_id(poll, "Hip flexor")]},
                              form_page=f"/threads/{thread.id}")
        assert response.status_code == 302
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        results = results_text(page)
        assert results["Calf"] == "Calf Your vote 1 vote, 100%"
        assert results["Hip flexor"] == "Hip flexor Your vote 1 vote, 100%"
        assert "1 member voted." in page and "more than 100%" in page
        assert sum(c["checked"] for c in controls(page, "checkbox")) == 2

    def test_voting_with_nothing_chosen_asks_for_an_option(self, client, pages, thread, make_poll, voter):
        poll = make_poll()
        pages.sign_in(voter)
        response = pages.post(f"/polls/{poll.id}/vote", {}, form_page=f"/threads/{thread.id}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"#poll-{poll.id}")
        assert "Choose an option" in html_of(client.get(response.headers["Location"]))
        assert count(Ballot) == 0

    def test_two_answers_in_a_single_choice_poll_are_refused(self, client, pages, thread, make_poll, voter):
        poll = make_poll()
        pages.sign_in(voter)
        response = pages.post(f"/polls/{poll.id}/vote", {"option": [o.id for o in poll.options[:2]]},
                              form_page=f"/threads/{thread.id}")
        assert response.status_code == 302
        assert "This poll takes one answer." in html_of(client.get(response.headers["Location"]))
        assert count(Ballot) == 0

    def test_closed_poll_shows_no_form_and_a_vote_is_turned_back(self, client, pages, thread, make_poll, owner,
                                                                 voter):
        poll = make_poll()
        cast(voter, poll, "Morning")
        services.close_poll(owner, poll.id)
        pages.sign_in(voter)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "Closed</span>" in page and "<form" not in page and controls(page, "radio") == []
        assert results_text(page)["Morning"] == "Morning Your vote 1 vote, 100%"
        # Chosen behaviour for a closed poll: back to the poll with the reason, nothing changed.
        response = pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "Night")},
                              form_page=f"/threads/{thread.id}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/threads/{thread.id}#poll-{poll.id}"
        assert "This poll is closed" in html_of(client.get(response.headers["Location"]))
        response = pages.post(f"/polls/{poll.id}/withdraw", {}, form_page=f"/threads/{thread.id}")
        assert response.status_code == 302
        assert "This poll is closed" in html_of(client.get(response.headers["Location"]))
        assert services.get_poll(poll.id, voter).my_vote == [option_id(poll, "Morning")]

    def test_vote_without_csrf_token_is_refused(self, client, pages, thread, make_poll, voter):
        poll = make_poll()
        pages.sign_in(voter)
        response = client.post(f"/polls/{poll.id}/vote", data={"option": option_id(poll, "Morning")})
        assert response.status_code == 400 and "This form has expired" in html_of(response)
        assert count(Ballot) == 0 and count(BallotChoice) == 0

    def test_visitors_see_results_and_are_asked_to_sign_in(self, client, pages, thread, make_poll, voter):
        poll = make_poll()
        cast(voter, poll, "Night")
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "<form" not in page and "to vote." in page and "Your vote" not in page
        assert results_text(page)["Night"] == "Night 1 vote, 100%"
        response = pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "Night")}, form_page="/signin")
        assert response.status_code == 302 and "/signin" in response.headers["Location"] and count(Ballot) == 1

    def test_suspended_member_can_read_but_not_vote(self, client, pages, thread, make_poll, voter):
        poll = make_poll()
        pages.sign_in(voter)
        voter.status = MemberStatus.suspended
        db.session.commit()
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "<form" not in page and controls(page, "radio") == []  # a suspended session no longer counts
        response = pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "Night")}, form_page="/signin")
        assert response.status_code == 302 and "/signin" in response.headers["Location"]
        assert count(Ballot) == 0


class TestHiddenResults:
    def test_after_vote_poll_hides_results_until_the_viewer_votes(self, client, pages, thread, make_poll, voter,
                                                                  make_member):
        poll = make_poll(results="after_vote")
        cast(make_member(), poll, "Night")
        pages.sign_in(voter)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "Results appear after you vote." in page
        assert results_text(page) == {} and "vote," not in page and "voted." not in page
        pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "Morning")}, form_page=f"/threads/{thread.id}")
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "Results appear after you vote." not in page
        assert results_text(page)["Night"] == "Night 1 vote, 50%" and "2 members voted." in page

    def test_after_close_poll_says_when_results_appear_and_what_you_chose(self, client, pages, thread, make_poll,
                                                                          voter):
        closes = utcnow() + timedelta(days=3)
        poll = make_poll(results="after_close", closes_at=closes)
        cast(voter, poll, "Afternoon")
        pages.sign_in(voter)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "Results appear when the poll closes on <time" in page and closes.strftime("%-d %b %Y") in page
        assert "Your vote: Afternoon." in page and results_text(page) == {}

    def test_an_experience_poll_page_never_moves_when_someone_votes(self, client, pages, thread, make_poll,
                                                                    make_member, voter):
        """The attack by page: a visitor reads the poll, sock puppets and the victim vote, the visitor reads again."""
        poll = make_poll(question="Did oral baclofen help your spasms?", kind="experience", treatment="Lioresal")
        before = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "No community statistics have been published yet." in before and results_text(before) == {}
        assert 'href="/tags/baclofen">Oral baclofen</a>' in before and "more needed" not in before
        for _ in range(4):
            cast(make_member(), poll, "Helped a lot")
        pages.sign_in(voter)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert [r["name"] for r in controls(page, "radio")] == ["option"] * 6
        pages.post(f"/polls/{poll.id}/vote", {"option": option_id(poll, "No difference")},
                   form_page=f"/threads/{thread.id}")
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "Your vote: No difference. It counts from the next statistics release." in page
        assert results_text(page) == {} and "voted" not in page
        visitor = client.application.test_client()
        assert section(html_of(visitor.get(f"/threads/{thread.id}")), poll) == before

    def test_an_experience_poll_shows_its_treatments_statistics(self, client, thread, make_poll, released):
        poll = make_poll(question="Did oral baclofen help your spasms?", kind="experience", treatment="baclofen")
        released("baclofen", suppressed=True)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "Not enough members have shared their experience of Oral baclofen yet" in page
        assert 'href="/stats/baclofen">Statistics for Oral baclofen</a>' in page
        release = released("baclofen", members=212, helped_share=0.63, ci_low=0.55, ci_high=0.7)
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert f"(release {release.id}, <time" in page
        assert "<strong>63%</strong> of about 212 members said Oral baclofen helped them" in page
        assert "(95% interval 55% to 70%)" in page


# --- managing polls -----------------------------------------------------------------

class TestManaging:
    def test_author_sees_add_and_close_others_do_not(self, client, pages, thread, make_poll, owner, voter):
        poll = make_poll()
        pages.sign_in(voter)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "Add a poll" not in html and "Close this poll" not in html
        pages.post("/signout", {}, form_page="/")
        pages.sign_in(owner)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert f'href="/threads/{thread.id}/polls/new">Add a poll</a>' in html
        assert f'action="/polls/{poll.id}/close"' in html and "Close this poll" in html

    def test_author_closes_the_poll_through_the_page(self, client, pages, thread, make_poll, owner):
        poll = make_poll()
        pages.sign_in(owner)
        response = pages.post(f"/polls/{poll.id}/close", {}, form_page=f"/threads/{thread.id}")
        assert response.status_code == 302 and response.headers["Location"] == f"/threads/{thread.id}#poll-{poll.id}"
        page = section(html_of(client.get(f"/threads/{thread.id}")), poll)
        assert "Closed</span>" in page and "Close this poll" not in page

    def test_another_member_cannot_close(self, pages, thread, make_poll, voter):
        poll = make_poll()
        pages.sign_in(voter)
        assert pages.post(f"/polls/{poll.id}/close", {}, form_page=f"/threads/{thread.id}").status_code == 403
        assert services.get_poll(poll.id, voter).closed is False


class TestAddPoll:
    def test_form_labels_every_control(self, client, pages, thread, owner):
        pages.sign_in(owner)
        html = html_of(client.get(f"/threads/{thread.id}/polls/new"))
        assert_accessible_outline(html)
        assert all(f'<label for="option-{n}">Option {n}</label>' in html for n in range(1, 11))
        assert 'type="datetime-local"' in html and "UTC" in html
        assert '<datalist id="treatment-suggestions">' in html and '<option value="Lioresal">Oral baclofen</option>' in html
        assert {r["id"] for r in controls(html, "radio")} == {
            "kind-single", "kind-multiple", "kind-experience", "results-always", "results-after_vote",
            "results-after_close"}
        assert [r["id"] for r in controls(html, "radio") if r["checked"]] == ["kind-single", "results-always"]

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_other_members_get_403(self, client, pages, thread, voter, method):
        pages.sign_in(voter)
        url = f"/threads/{thread.id}/polls/new"
        if method == "get":
            response = client.get(url)
        else:
            response = pages.post(url, {"question": "Hijacked poll?", "kind": "single", "options": ["A", "B"],
                                        "results": "always"}, form_page="/")
        assert response.status_code == 403 and count(Poll) == 0

    def test_visitors_are_sent_to_sign_in(self, client, thread):
        response = client.get(f"/threads/{thread.id}/polls/new")
        assert response.status_code == 302 and "/signin" in response.headers["Location"]

    def test_rejected_form_keeps_everything_typed_and_names_every_problem(self, pages, thread, owner):
        pages.sign_in(owner)
        response = pages.post(f"/threads/{thread.id}/polls/new", {
            "question": "Hm?", "kind": "multiple", "options": ["Calf", "", "calf", "", "", "", "", "", "", ""],
            "treatment": "moon juice", "closes_at": "2020-01-01T10:00", "results": "after_vote"})
        html = html_of(response)
        assert response.status_code == 422
        for message in ("Use 5 to 300 characters.", "Each option must be different.",
                        "Only experience polls are tied to a treatment.", "Choose a closing time in the future."):
            assert message in html
        assert 'value="Hm?"' in html and 'id="option-1" name="options" type="text" value="Calf"' in html
        assert 'id="option-3" name="options" type="text" value="calf"' in html
        assert 'value="moon juice"' in html and 'value="2020-01-01T10:00"' in html
        radios = {r["id"]: r["checked"] for r in controls(html, "radio")}
        assert radios["kind-multiple"] and radios["results-after_vote"] and not radios["kind-single"]
        assert 'href="#options"' in html and '<fieldset id="options"' in html
        assert_accessible_outline(html)
        assert count(Poll) == 0

    def test_adding_a_single_choice_poll(self, client, pages, thread, owner):
        pages.sign_in(owner)
        response = pages.post(f"/threads/{thread.id}/polls/new", {
            "question": "When are your legs stiffest?", "kind": "single",
            "options": ["Morning", "", "Night", "", "", "", "", "", "", ""], "treatment": "",
            "closes_at": "2099-06-01T18:30", "results": "after_vote"})
        poll = db.session.scalar(sa.select(Poll))
        assert response.status_code == 302
        assert response.headers["Location"] == f"/threads/{thread.id}#poll-{poll.id}"
        assert [o.label for o in poll.options] == ["Morning", "Night"]
        assert poll.results_visibility.value == "after_vote"
        assert poll.closes_at.isoformat().startswith("2099-06-01T18:30:00")  # read as UTC
        assert poll.closes_at.utcoffset() == timedelta(0)
        html = html_of(client.get(response.headers["Location"]))
        assert "Your poll is added" in html and "Open until <time" in html and "1 Jun 2099, 18:30 UTC" in html

    def test_moderator_adds_an_experience_poll_by_brand_name(self, pages, thread, make_member):
        pages.sign_in(make_member("mod_maria", role=Role.moderator))
        response = pages.post(f"/threads/{thread.id}/polls/new", {
            "question": "Did baclofen help you?", "kind": "experience", "options": [""] * 10,
            "treatment": "Lioresal", "closes_at": "", "results": "always"})
        assert response.status_code == 302
        poll = db.session.scalar(sa.select(Poll))
        assert poll.treatment.slug == "baclofen" and [o.label for o in poll.options][0] == "Helped a lot"

    def test_experience_poll_without_a_treatment_is_explained(self, pages, thread, owner):
        pages.sign_in(owner)
        response = pages.post(f"/threads/{thread.id}/polls/new", {
            "question": "Did it help you?", "kind": "experience", "treatment": "", "results": "always"})
        assert response.status_code == 422 and "Name the treatment this poll asks about." in html_of(response)

    def test_forged_kind_is_an_error_not_a_crash(self, pages, thread, owner):
        pages.sign_in(owner)
        response = pages.post(f"/threads/{thread.id}/polls/new", {
            "question": "A ranked poll?", "kind": "ranked", "options": ["A", "B"], "results": "never"})
        assert response.status_code == 422
        assert "Choose what kind of poll this is." in html_of(response)
        assert "Choose when members see the results." in html_of(response)
        assert count(Poll) == 0


# --- accessibility and privacy ------------------------------------------------------

def test_every_radio_and_checkbox_on_the_thread_page_has_its_label(client, pages, thread, make_poll, owner):
    make_poll()
    make_poll(question="Which stretches help?", kind="multiple", options=("Calf", "Hamstring"))
    make_poll(question="Did baclofen help?", kind="experience", treatment="baclofen")
    pages.sign_in(owner)
    html = html_of(client.get(f"/threads/{thread.id}"))
    choices = controls(html, "radio") + controls(html, "checkbox")
    assert len(choices) == 3 + 2 + 6
    labels = Outline(html).labels
    assert all(c["id"] in labels for c in choices)
    assert len({c["id"] for c in choices}) == len(choices)  # ids are unique across polls
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert_accessible_outline(html)


def test_no_page_names_a_voter(client, pages, thread, make_poll, make_member):
    poll = make_poll()
    experience = make_poll(question="Did baclofen help?", kind="experience", treatment="baclofen")
    for i in range(6):
        member = make_member(f"secret_voter_{i}")
        cast(member, poll, "Night")
        cast(member, experience, "Helped a lot")
    pages.sign_in(make_member("the_mod", role=Role.moderator))
    for url in (f"/threads/{thread.id}", "/polls", "/polls?treatment=baclofen", "/tags/baclofen"):
        assert "secret_voter" not in html_of(client.get(url)), url


# --- browsing ----------------------------------------------------------------------

class TestBrowse:
    @pytest.fixture
    def polls(self, forum, owner, make_poll):
        other = forum.thread(owner, title="Tizanidine and sleep", tags=["tizanidine"])
        general = make_poll(question="Which time of day is worst?")
        baclofen = make_poll(question="Did baclofen help your spasms?", kind="experience", treatment="baclofen")
        tizanidine = make_poll(question="Did tizanidine help you sleep?", kind="experience", treatment="Zanaflex",
                               on=other)
        services.close_poll(owner, tizanidine.id)
        return general, baclofen, tizanidine

    @staticmethod
    def ids(html):
        return [int(i) for i in re.findall(r'<section id="poll-(\d+)"', html)]

    def test_newest_first_with_thread_links_and_results(self, client, polls, voter, thread):
        general, baclofen, tizanidine = polls
        cast(voter, general, "Night")
        html = html_of(client.get("/polls"))
        assert self.ids(html) == [tizanidine.id, baclofen.id, general.id]
        page = section(html, general)
        assert f'in <a href="/threads/{thread.id}#poll-{general.id}">Did baclofen help you?</a>' in page
        assert results_text(page)["Night"] == "Night 1 vote, 100%" and "1 member voted." in page
        assert "<form" not in page and "Vote in the thread" in page
        assert "No community statistics have been published yet." in section(html, baclofen)
        assert results_text(section(html, baclofen)) == {}
        assert_accessible_outline(html)

    def test_filters_by_treatment_and_state(self, client, polls):
        general, baclofen, tizanidine = polls
        assert self.ids(html_of(client.get("/polls?treatment=baclofen"))) == [baclofen.id]
        assert self.ids(html_of(client.get("/polls?treatment=Lioresal"))) == [baclofen.id]
        assert self.ids(html_of(client.get("/polls?state=closed"))) == [tizanidine.id]
        assert self.ids(html_of(client.get("/polls?state=open"))) == [baclofen.id, general.id]
        assert self.ids(html_of(client.get("/polls?state=open&treatment=tizanidine"))) == []
        html = html_of(client.get("/polls?treatment=tizanidine&state=closed"))
        assert self.ids(html) == [tizanidine.id] and "<h1>Polls about Tizanidine</h1>" in html
        assert '<option value="tizanidine" selected>' in html
        assert 'id="state-closed" name="state" value="closed" checked' in html

    def test_unknown_treatment_is_explained(self, client, polls):
        response = client.get("/polls?treatment=moon+juice")
        assert response.status_code == 422 and "Unknown tag: moon juice" in html_of(response)

    def test_older_polls_link_keeps_the_filters(self, client, make_poll, monkeypatch):
        monkeypatch.setattr("app.polls.views.POLLS_PER_PAGE", 2)
        made = [make_poll(question=f"Experience number {n}?", kind="experience", treatment="baclofen")
                for n in range(3)]
        make_poll(question="Not about a treatment?")
        first = html_of(client.get("/polls?treatment=baclofen&state=open"))
        assert self.ids(first) == [made[2].id, made[1].id]
        link = re.search(r'<a class="button" href="([^"]+)">Older polls</a>', first).group(1).replace("&amp;", "&")
        assert "treatment=baclofen" in link and "state=open" in link
        second = html_of(client.get(link))
        assert self.ids(second) == [made[0].id] and "Older polls" not in second
        assert "Back to the newest polls" in second

    def test_treatment_tag_page_shows_its_experience_polls(self, client, polls, make_member):
        general, baclofen, tizanidine = polls
        for _ in range(5):
            cast(make_member(), baclofen, "Helped somewhat")
        html = html_of(client.get("/tags/baclofen"))
        assert '<h2 id="experience-polls-heading">Experience polls</h2>' in html
        assert self.ids(html) == [baclofen.id]
        assert results_text(section(html, baclofen)) == {}  # five votes, and still no live count
        assert 'href="/stats/baclofen">Statistics for Oral baclofen</a>' in section(html, baclofen)
        assert 'href="/polls?treatment=baclofen">All polls about Oral baclofen</a>' in html
        assert_accessible_outline(html)
        assert "Experience polls" not in html_of(client.get("/tags/heat"))  # not a treatment

    def test_nav_links_to_polls(self, client, vocabulary):
        assert '<a href="/polls">Polls</a>' in html_of(client.get("/"))


# --- fixed numbers of queries ---------------------------------------------------------

class TestQueryCounts:
    def test_thread_page_queries_do_not_grow_with_polls_options_or_votes(self, client, pages, forum, owner,
                                                                         make_poll, make_member, count_queries):
        small = forum.thread(owner, title="Two small polls")
        big = forum.thread(owner, title="Five big polls")
        voters = [make_member() for _ in range(6)]
        one = make_poll(question="Just one poll?", options=("Yes", "No"), on=small)
        cast(voters[0], one, "Yes")
        # An experience poll costs one fixed query for its treatment's statistics, so both threads hold one.
        make_poll(question="Did tizanidine help?", kind="experience", treatment="tizanidine", on=small)
        labels = [f"Choice {n}" for n in range(10)]
        for n in range(3):
            poll = make_poll(question=f"Big poll number {n}?", kind="multiple", options=labels, on=big)
            for i, member in enumerate(voters):
                cast(member, poll, *labels[i:i + 4])
        experience = make_poll(question="Did baclofen help?", kind="experience", treatment="baclofen", on=big)
        for i, member in enumerate(voters):
            cast(member, experience, experience.options[i % 6].label)
        make_poll(question="Did tizanidine help?", kind="experience", treatment="tizanidine", on=big)
        pages.sign_in(voters[0])
        client.get(f"/threads/{small.id}")  # warm up

        ids = {thread: thread.id for thread in (small, big)}  # read before counting: the rows have expired

        def queries(thread):
            with count_queries() as q:
                response = client.get(f"/threads/{ids[thread]}")
            assert response.status_code == 200
            return q.count, html_of(response)

        few, small_html = queries(small)
        many, big_html = queries(big)
        assert big_html.count('<section id="poll-') == 5 and small_html.count('<section id="poll-') == 2
        assert "Your vote" in big_html
        assert many == few, f"{few} queries for 2 polls, {many} for 5"

    def test_polls_page_queries_do_not_grow_with_polls(self, client, pages, forum, owner, make_poll, make_member,
                                                       count_queries):
        voters = [make_member() for _ in range(5)]
        threads = [forum.thread(owner, title=f"Thread number {n}") for n in range(12)]

        def add(n):
            poll = make_poll(question=f"Poll number {n}?", options=[f"Answer {i}" for i in range(8)],
                             on=threads[n])
            for i, member in enumerate(voters):
                cast(member, poll, f"Answer {(n + i) % 8}")

        for n in range(2):
            add(n)
        pages.sign_in(voters[0])
        client.get("/polls")  # warm up
        with count_queries() as q:
            two = client.get("/polls")
        few = q.count
        for n in range(2, 12):
            add(n)
        with count_queries() as q:
            twelve = client.get("/polls")
        assert html_of(two).count('<section id="poll-') == 2 and html_of(twelve).count('<section id="poll-') == 12
        assert q.count == few, f"{few} queries for 2 polls, {q.count} for 12"

    def test_tag_page_queries_do_not_grow_with_experience_polls(self, client, make_poll, make_member,
                                                                 count_queries):
        voters = [make_member() for _ in range(6)]

        def add():
            poll = make_poll(question="Did baclofen help your spasms?", kind="experience", treatment="baclofen")
            for i, member in enumerate(voters):
                cast(member, poll, poll.options[i % 6].label)

        add()
        client.get("/tags/baclofen")  # warm up
        with count_queries() as q:
            one = client.get("/tags/baclofen")
        few = q.count
        for _ in range(4):
            add()
        with count_queries() as q:
            five = client.get("/tags/baclofen")
        assert html_of(one).count('<section id="poll-') == 1 and html_of(five).count('<section id="poll-') == 5
        assert q.count == few, f"{few} queries for 1 poll, {q.count} for 5"
