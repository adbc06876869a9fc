"""Which treatments did members with a symptom use? Answered from published numbers only, no new budget."""
import pytest

from tests.forum.test_pages import assert_accessible_outline
from tests.stats.test_pages import page, table_order

CRAMPS = {"slug": "cramps", "name": "Cramps", "count": 14, "share": 0.4}
FATIGUE = {"slug": "fatigue", "name": "Fatigue", "count": 9, "share": 0.3}


@pytest.fixture
def release(make_release, add_stats):
    release = make_release()
    add_stats(release, "baclofen", members=40, helped=(0.6, 0.45, 0.75), effects=(8, 8, 8, 8, 8, None),
              symptoms=[CRAMPS, FATIGUE])
    add_stats(release, "tizanidine", members=30, helped=(0.5, 0.3, 0.7), effects=(5, 5, 5, 5, 5, 5),
              symptoms=[FATIGUE])
    add_stats(release, "gabapentin", suppressed=True)
    return release


def test_the_page_lists_the_treatments_whose_members_named_the_symptom(client, release):
    html = page(client, "/stats?symptom=Cramps")
    section = html[html.index('id="symptom-heading"'):html.index('id="published-heading"')]
    assert "Treatments used by members with cramps" in section
    assert table_order(section) == ["Oral baclofen"]
    assert '<td class="stats-table__number">14</td>' in section  # the published, noised count
    assert '<option value="cramps" selected>Cramps</option>' in html
    assert 'href="/tags/cramps">Conversations about cramps</a>' in section
    assert_accessible_outline(html)


def test_a_symptom_no_published_treatment_names_says_so(client, release):
    html = page(client, "/stats?symptom=clonus")
    assert "No published treatment has enough members who named clonus" in html


def test_what_is_not_a_symptom_is_explained_on_the_form(client, release):
    html = page(client, "/stats?symptom=baclofen", status=422)
    assert 'aria-invalid="true"' in html and "Oral baclofen is a treatment, not a symptom." in html
    html = page(client, "/stats?symptom=moon+juice", status=422)
    assert "moon juice" in html


def test_the_api_filters_by_symptom(client, release):
    body = client.get("/api/v1/stats/treatments?symptom=fatigue").get_json()
    assert body["symptom"] == {"slug": "fatigue", "name": "Fatigue"}
    assert [item["treatment"]["slug"] for item in body["items"]] == ["baclofen", "tizanidine"]
    assert "symptom" not in client.get("/api/v1/stats/treatments").get_json()
    refused = client.get("/api/v1/stats/treatments?symptom=heat")
    assert refused.status_code == 422 and "symptom" in refused.get_json()["errors"]


def test_symptom_tag_pages_link_to_the_filter(client, release):
    html = page(client, "/tags/cramps")
    assert 'href="/stats?symptom=cramps"' in html
