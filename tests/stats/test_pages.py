"""Statistics pages as a reader meets them: stored numbers in words, intervals drawn and written, releases explained."""
import html as html_lib
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.stats.models import TreatmentStats
from app.stats.views import share_percent, treatment_stats_summary
from app.vocabulary.models import Tag, TagKind
from tests.forum.test_pages import assert_accessible_outline

SVG = re.compile(r"<svg\b[^>]*>", re.S)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """What a reader sees: the words without tags, spaces folded; inline tags do not split words."""
    html = re.sub(r"</?(a|span|strong|em|time)\b[^>]*>", "", html)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows_text(html: str, list_class: str = "poll-result") -> dict[str, str]:
    """{label: the words beside its bar} for every bar list on the page."""
    out = {}
    for row in re.findall(rf'<li class="{list_class}">(.*?)</li>', html, re.S):
        label = re.search(r'<span class="poll-result__label">([^<]+)', row).group(1).strip()
        out[html_lib.unescape(label)] = text_of(re.sub(r'<span class="poll-result__label">[^<]+</span>', "", row))
    return out


def table_order(html: str) -> list[str]:
    """Treatment names in the order the table lists them."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [html_lib.unescape(name) for name in re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', body)]


def svgs(html: str) -> list[dict]:
    return [dict(ATTR.findall(tag)) for tag in SVG.findall(html)]


@pytest.fixture
def baclofen_release(make_release, add_stats):
    """A release with one published treatment, full breakdowns, and one suppressed treatment."""
    release = make_release(published=1, suppressed=1)
    add_stats(release, "baclofen", members=38, helped=(0.62, 0.48, 0.74), effects=(12, 8, 6, 7, None, 5),
              side_effects=[{"slug": "drowsiness", "name": "Drowsiness", "count": 12, "share": 0.31},
                            {"slug": "muscle-weakness", "name": "Muscle weakness", "count": 6, "share": 0.158}],
              symptoms=[{"slug": "spasticity", "name": "Spasticity", "count": 30, "share": 0.79}])
    add_stats(release, "dantrolene", suppressed=True)
    return release


# --- /stats --------------------------------------------------------------------------

class TestIndex:
    def test_published_treatment_shows_its_share_interval_and_members_in_words_and_drawing(self, client,
                                                                                           baclofen_release):
        html = page(client, "/stats")
        text = text_of(html)
        assert "Oral baclofen 38 62% helped (95% interval 48% to 74%) · 38 members" in text
        assert f"Release {baclofen_release.id}, published" in text
        assert 'href="/stats/about"' in html and 'href="/stats/baclofen"' in html
        assert "not medical advice" in text
        (bar,) = svgs(html)
        assert bar["role"] == "img" and "62% helped, 95% interval 48% to 74%" in bar["aria-label"]
        assert '<rect class="ci-bar__band" x="48.0" y="2" width="26.0"' in html

    def test_suppressed_treatment_says_fewer_than_the_releases_own_minimum(self, client, make_release,
                                                                          add_stats):
        release = make_release(min_members=12)
        add_stats(release, "baclofen", members=40, helped=(0.5, 0.35, 0.65))
        add_stats(release, "dantrolene", suppressed=True)
        html = page(client, "/stats")
        assert "Treatments without enough members yet" in text_of(html)
        assert "Dantrolene: not enough members yet" in text_of(html)
        assert "Dantrolene" not in text_of(html[:html.index("suppressed-heading")])

    @pytest.mark.parametrize("sort, expected", [
        (None, ["Stretching", "Tizanidine", "Oral baclofen"]),
        ("lower_bound", ["Stretching", "Tizanidine", "Oral baclofen"]),
        ("members", ["Tizanidine", "Stretching", "Oral baclofen"]),
        ("name", ["Oral baclofen", "Stretching", "Tizanidine"]),
        ("nonsense", ["Stretching", "Tizanidine", "Oral baclofen"]),
    ])
    def test_sorting(self, client, make_release, add_stats, sort, expected):
        release = make_release(min_members=3)
        # Three happy members must not outrank three hundred mostly happy ones.
        add_stats(release, "baclofen", members=3, helped=(0.8, 0.44, 0.97))
        add_stats(release, "tizanidine", members=300, helped=(0.75, 0.70, 0.80))
        add_stats(release, "stretching", members=100, helped=(0.85, 0.81, 0.90))
        html = page(client, f"/stats?sort={sort}" if sort else "/stats")
        assert table_order(html) == expected
        chosen = sort if sort in ("members", "name") else "lower_bound"
        assert re.search(rf'href="/stats\?sort={chosen}" aria-current="true"', html)
        assert html.count('aria-current="true"') == 1

    def test_the_latest_release_is_shown(self, client, make_release, add_stats):
        old = make_release(ago_days=7)
        add_stats(old, "baclofen", members=20, helped=(0.30, 0.15, 0.52))
        new = make_release()
        add_stats(new, "baclofen", members=38, helped=(0.62, 0.48, 0.74))
        text = text_of(page(client, "/stats"))
        assert f"Release {new.id}," in text and f"Release {old.id}," not in text
        assert "62% helped" in text and "30% helped" not in text

    def test_an_exact_release_says_so(self, client, make_release, add_stats):
        add_stats(make_release(epsilon=0), "baclofen", members=12, helped=(0.5, 0.25, 0.75))
        assert "exact counts without noise" in text_of(page(client, "/stats"))


# --- /stats/<treatment> --------------------------------------------------------------

class TestTreatmentPage:
    def test_shows_every_stored_number_with_words_beside_the_bars(self, client, baclofen_release):
        html = page(client, "/stats/baclofen")
        text = text_of(html)
        assert "62% helped (95% interval 48% to 74%) · 38 members" in text
        assert f"Release {baclofen_release.id}, published" in text and "38 members shared an experience" in text
        bars = rows_text(html)
        assert bars["Helped a lot"] == "12 members"
        assert bars["Helped somewhat"] == "8 members"
        assert bars["No difference"] == "7 members"
        # A cell under the minimum is "<5", read out as "fewer than 5".
        assert bars["Made things worse"] == "<5 fewer than 5 members"
        assert bars["Too early to tell"] == "5 members"
        assert bars["Drowsiness"] == "31% of members (12)"
        assert bars["Muscle weakness"] == "16% of members (6)"
        assert bars["Spasticity"] == "79% of members (30)"
        assert text.index("Drowsiness") < text.index("Muscle weakness")
        assert "These are members' experiences, not medical advice. Talk to your healthcare team" in text
        assert 'href="/stats/about"' in html and 'href="/tags/baclofen"' in html
        assert 'href="/stats"' in html

    def test_links_to_recording_your_own_experience(self, app, client, baclofen_release):
        from flask import url_for
        with app.test_request_context():
            own = url_for("experiences.edit", treatment="baclofen")
        assert f'href="{own}"' in page(client, "/stats/baclofen")

    def test_a_synonym_shows_the_same_treatment(self, client, baclofen_release):
        assert "62% helped" in text_of(page(client, "/stats/Lioresal"))

    @pytest.mark.parametrize("ref", ["no-such-treatment", "heat", "spasticity"])
    def test_unknown_treatment_or_another_kind_of_tag_is_404(self, client, baclofen_release, ref):
        assert "no treatment called" in page(client, f"/stats/{ref}", 404)

    def test_suppressed_treatment_explains_why_there_are_no_numbers(self, client, baclofen_release):
        html = page(client, "/stats/dantrolene")
        text = text_of(html)
        assert "Not enough members yet shared an experience of Dantrolene" in text
        assert "% helped" not in text and "members)" not in text and "<svg" not in html
        assert 'href="/stats/about"' in html

    def test_a_treatment_missing_from_the_release_reads_as_suppressed(self, client, baclofen_release):
        text = text_of(page(client, "/stats/yoga"))
        assert f"Not enough members yet shared an experience of Yoga for release {baclofen_release.id}" in text

    def test_no_share_when_every_answer_was_too_early(self, client, make_release, add_stats):
        add_stats(make_release(), "baclofen", members=11, effects=(None, None, None, None, None, 11))
        html = page(client, "/stats/baclofen")
        assert "No share yet" in text_of(html) and "<svg" not in html


# --- /stats/about --------------------------------------------------------------------

class TestTransparencyPage:
    def test_lists_every_release_with_budget_thresholds_and_counts(self, client, make_release):
        first = make_release(epsilon=1.0, ago_days=14, published=4, suppressed=9)
        second = make_release(epsilon=0.5, min_members=12, min_cell=6, ago_days=7, published=3, suppressed=10)
        html = page(client, "/stats/about")
        text = text_of(html)
        for release, budget in ((first, "1"), (second, "0.5")):
            row = text_of(re.search(rf'<tr id="release-{release.id}">(.*?)</tr>', html, re.S).group(1))
            assert row.startswith(f"Release {release.id}") and f"ε = {budget}" in row
            assert f"at least {release.min_members} members per treatment" in row
            assert f"under {release.min_cell} shown as “<{release.min_cell}”" in row
            assert (f"{release.treatments_published} published, {release.treatments_suppressed} "
                    "without enough members yet") in row
        assert html.index(f'id="release-{second.id}"') < html.index(f'id="release-{first.id}"')
        assert "2 releases so far, together spending a privacy budget of ε = 1.5" in text
        assert f"Technical details of release {second.id}: OpenDP discrete Laplace, epsilon 0.5" in text
        assert "its numbers are exact counts" not in text and "(exact counts, no noise)" not in text
        assert "random noise added or taken away" in text and "OpenDP" in text
        assert "noisy member count reaches at least 12" in text and "“<6”" in text

    def test_an_exact_latest_release_says_the_numbers_are_exact(self, client, make_release):
        make_release(epsilon=1.0, ago_days=7)
        exact = make_release(epsilon=0, mechanism="No noise (epsilon 0): exact counts.")
        html = page(client, "/stats/about")
        text = text_of(html)
        assert f"The latest release, number {exact.id}, has no noise: its numbers are exact counts." in text
        row = text_of(re.search(rf'<tr id="release-{exact.id}">(.*?)</tr>', html, re.S).group(1))
        assert "ε = 0 (exact counts, no noise)" in row


# --- the treatment's tag page ------------------------------------------------------------

class TestTagSummary:
    def section(self, html: str) -> str:
        start = html.index('<section class="stats-summary"')
        return html[start:html.index("</section>", start)]

    def test_shows_the_share_interval_and_a_link_to_the_full_numbers(self, client, baclofen_release):
        summary = self.section(page(client, "/tags/baclofen"))
        text = text_of(summary)
        assert "62% helped (95% interval 48% to 74%) · 38 members" in text
        assert f"Release {baclofen_release.id}, published" in text
        assert 'href="/stats/baclofen"' in summary and 'href="/stats/about"' in summary
        assert svgs(summary)[0]["role"] == "img"

    def test_suppressed_treatment_says_fewer_than_the_minimum(self, client, baclofen_release):
        text = text_of(self.section(page(client, "/tags/dantrolene")))
        assert "Not enough members yet have shared an experience of Dantrolene" in text and "%" not in text

    def test_only_treatments_have_a_summary(self, client, baclofen_release):
        assert "stats-summary" not in page(client, "/tags/heat")


# --- before the first release --------------------------------------------------------------

@pytest.mark.parametrize("path", ["/stats", "/stats/baclofen", "/tags/baclofen"])
def test_before_any_release_pages_say_so_and_link_the_explanation(client, vocabulary, path):
    html = page(client, path)
    assert "Statistics have not been published yet." in text_of(html)
    assert 'href="/stats/about"' in html


def test_before_any_release_the_transparency_page_explains_with_configured_thresholds(app, client):
    text = text_of(page(client, "/stats/about"))
    assert "No release has been published yet." in text
    assert f"noisy member count reaches at least {app.config['STATS_MIN_MEMBERS']}" in text


def test_before_any_release_an_unknown_treatment_is_still_404(client, vocabulary):
    page(client, "/stats/no-such-treatment", 404)


# --- accessibility ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/stats", "/stats?sort=name", "/stats/baclofen", "/stats/dantrolene",
                                  "/stats/about", "/tags/baclofen"])
def test_pages_are_accessible(client, baclofen_release, path):
    html = page(client, path)
    assert_accessible_outline(html)
    assert " style=" not in html
    for svg in svgs(html):
        # Every drawing has a text alternative, and its numbers are also written on the page.
        assert svg["role"] == "img" and svg["aria-label"]
        for number in re.findall(r"\d+%", svg["aria-label"]):
            assert number in text_of(html.replace(svg["aria-label"], ""))
    assert '<nav class="site-nav"' in html and 'href="/stats">Statistics</a>' in html


def test_the_table_has_a_caption_and_headers(client, baclofen_release):
    html = page(client, "/stats")
    assert "<caption>" in html and '<th scope="col"' in html and '<th scope="row">' in html
    assert re.search(r'<th scope="col" aria-sort="descending">Helped', html)


# --- query counts ------------------------------------------------------------------------------

def _extra_treatments(count: int) -> list[Tag]:
    tags = [Tag(slug=f"trial-{n}", name=f"Trial treatment {n}", kind=TagKind.treatment, description="A trial.")
            for n in range(count)]
    db.session.add_all(tags)
    db.session.commit()
    return tags


def _fill(release, add_stats, tags, side_effects=1):
    listed = [{"slug": f"effect-{n}", "name": f"Side effect {n}", "count": 10 + n, "share": 0.2}
              for n in range(side_effects)]
    for n, tag in enumerate(tags):
        if n % 3 == 2:
            add_stats(release, tag.slug, suppressed=True, tag=tag)
        else:
            add_stats(release, tag.slug, tag=tag, members=20 + n, helped=(0.5, 0.3, 0.7),
                      effects=(5, 5, 5, 5, None, None), side_effects=listed, symptoms=listed)


class TestQueryCounts:
    def queries(self, client, count_queries, path) -> tuple[int, str]:
        with count_queries() as q:
            html = page(client, path)
        return q.count, html

    def test_stats_page_is_the_same_number_of_queries_for_3_and_30_treatments(self, client, vocabulary,
                                                                               make_release, add_stats,
                                                                               count_queries):
        tags = _extra_treatments(30)
        _fill(make_release(), add_stats, tags[:3])
        few, small = self.queries(client, count_queries, "/stats")
        _fill(make_release(), add_stats, tags)
        many, large = self.queries(client, count_queries, "/stats?sort=members")
        assert len(table_order(small)) == 2 and len(table_order(large)) == 20
        assert many == few <= 4, (few, many)  # with the symptoms of the filter form

    def test_treatment_page_queries_do_not_grow_with_its_lists(self, client, vocabulary, make_release,
                                                              add_stats, count_queries):
        small, large = _extra_treatments(2)
        release = make_release()
        _fill(release, add_stats, [small], side_effects=1)
        _fill(release, add_stats, [large], side_effects=9)
        few, small_html = self.queries(client, count_queries, f"/stats/{small.slug}")
        many, large_html = self.queries(client, count_queries, f"/stats/{large.slug}")
        assert "Side effect 8" in large_html and "Side effect 8" not in small_html
        assert many == few <= 5, (few, many)

    def test_transparency_page_queries_do_not_grow_with_releases(self, client, make_release, count_queries):
        make_release()
        few, _ = self.queries(client, count_queries, "/stats/about")
        for n in range(12):
            make_release(ago_days=n + 1)
        many, html = self.queries(client, count_queries, "/stats/about")
        assert html.count('<tr id="release-') == 13
        assert many == few == 2  # the releases and the budget ledger

    def test_tag_page_summary_is_two_queries_whatever_the_release_size(self, app, client, vocabulary, tag_of,
                                                                       make_release, add_stats, count_queries):
        baclofen = tag_of("baclofen")
        release = make_release()
        add_stats(release, "baclofen", members=38, helped=(0.62, 0.48, 0.74))
        few, _ = self.queries(client, count_queries, "/tags/baclofen")
        bigger = make_release()
        add_stats(bigger, "baclofen", members=40, helped=(0.6, 0.45, 0.73))
        _fill(bigger, add_stats, _extra_treatments(30))
        many, html = self.queries(client, count_queries, "/tags/baclofen")
        assert "60% helped" in html
        assert many == few, (few, many)
        db.session.refresh(baclofen)
        with count_queries() as q:
            summary = treatment_stats_summary(baclofen)
        assert summary["stats"].members == 40 and q.count <= 2
        heat = tag_of("heat")
        with count_queries() as q:
            assert treatment_stats_summary(heat) is None
        assert q.count == 0


# --- through the real engine ----------------------------------------------------------------

def test_a_published_release_reads_the_same_on_every_page(client, stats_data):
    """Members' statements, a real release with epsilon 0, and the numbers it stored, written on the pages."""
    members = stats_data.crowd(15)
    for n, member in enumerate(members):
        stats_data.report(member, "baclofen", ["major", "moderate", "none"][n % 3], symptoms=["spasticity"],
                          side_effects=["drowsiness"] if n < 6 else [])
    for member in members[:4]:
        stats_data.report(member, "tizanidine", "slight")
    release = stats_data.publish(epsilon=0)
    stored = db.session.scalar(sa.select(TreatmentStats).where(TreatmentStats.release_id == release.id,
                                                               TreatmentStats.treatment_slug == "baclofen"))
    assert stored.members == 15 and stored.helped_share == pytest.approx(10 / 15, abs=1e-4)
    expected = (f"67% helped (95% interval {share_percent(stored.ci_low)} to {share_percent(stored.ci_high)})"
                " · 15 members")
    assert expected in text_of(page(client, "/stats"))
    assert "Tizanidine: not enough members yet" in text_of(page(client, "/stats"))
    detail = page(client, "/stats/baclofen")
    # "A little" is under five, so the three helped answers are shown as one group.
    assert rows_text(detail)["Helped (a lot, somewhat or a little)"] == "10 members"
    assert rows_text(detail)["Made things worse"].startswith("<5") and "Helped a lot" not in rows_text(detail)
    assert rows_text(detail)["Drowsiness"] == "40% of members (6)"
    assert rows_text(detail)["Spasticity"] == "100% of members (15)"
    assert expected in text_of(page(client, "/tags/baclofen"))
    assert "its numbers are exact counts" in text_of(page(client, "/stats/about"))


@pytest.mark.parametrize("share, shown", [(0.625, "63%"), (0.615, "62%"), (0.004, "0%"), (1.0, "100%"),
                                          (0.158, "16%")])
def test_percentages_round_halves_up(share, shown):
    assert share_percent(share) == shown
