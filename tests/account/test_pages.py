"""The account page: reachable from the header, accessible, forms that keep what was typed (never passwords)."""
import sqlalchemy as sa

from app.extensions import db
from app.members.models import Member
from tests.conftest import PASSWORD


def test_the_header_links_to_the_account_page_which_needs_signing_in(client, pages, make_member):
    assert client.get("/account").status_code == 302
    pages.sign_in(make_member("carla"))
    home = client.get("/").get_data(as_text=True)
    assert 'href="/account"' in home
    page = client.get("/account").get_data(as_text=True)
    for label in ('for="email"', 'for="password"', 'for="current_password"', 'for="new_password"',
                  'for="ballots_in_stats"'):
        assert label in page
    for action in ("Sign out everywhere", "Download my data", "Delete my account", "Change my password"):
        assert action in page


def test_a_wrong_current_password_is_403_with_a_summary_and_keeps_no_password(client, pages, make_member):
    pages.sign_in(make_member("carla"))
    response = pages.post("/account/password", {"current_password": "wrong wrong wrong",
                                                "new_password": "my lovely new password"}, form_page="/account")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'class="error-summary"' in html and 'href="#current_password"' in html
    assert "wrong wrong wrong" not in html and "my lovely new password" not in html
    assert 'aria-invalid="true"' in html


def test_an_email_change_form_keeps_the_address_typed(client, pages, make_member):
    pages.sign_in(make_member("carla"))
    response = pages.post("/account/email", {"email": "carla.new@example.org", "password": "wrong wrong wrong"},
                          form_page="/account")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and 'value="carla.new@example.org"' in html
    assert "wrong wrong wrong" not in html
    bad = pages.post("/account/email", {"email": "not an address", "password": PASSWORD}, form_page="/account")
    assert bad.status_code == 422 and 'value="not an address"' in bad.get_data(as_text=True)
    ok = pages.post("/account/email", {"email": "carla.new@example.org", "password": PASSWORD},
                    form_page="/account")
    assert ok.status_code == 302
    assert db.session.scalar(sa.select(Member.pending_email).where(Member.handle == "carla")) == \
        "carla.new@example.org"


def test_statistics_consent_is_saved(client, pages, make_member):
    carla = make_member("carla")
    pages.sign_in(carla)
    assert pages.post("/account/consent", {}, form_page="/account").status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, carla.id).stats_consent is False
    assert 'id="ballots_in_stats" name="ballots_in_stats" type="checkbox" value="1">' in \
        client.get("/account").get_data(as_text=True)


def test_api_tokens_are_listed_and_revoked_from_the_page(client, pages, make_member, api_headers):
    carla = make_member("carla")
    headers = api_headers(carla)
    pages.sign_in(carla)
    page = client.get("/account").get_data(as_text=True)
    assert "Revoke" in page
    token_id = page.split("/account/tokens/")[1].split("/")[0]
    assert pages.post(f"/account/tokens/{token_id}/revoke", {}, form_page="/account").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_purge_removes_what_is_no_longer_needed(app, runner, make_member, forum, api_headers):
    from datetime import timedelta
    from app.core.db import utcnow
    from app.members.models import ApiToken, EmailLink
    from app.forum import services as forum_services
    from app.forum.models import PostRevision
    carla = make_member("carla")
    api_headers(carla)
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(days=1)))
    db.session.execute(sa.update(EmailLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    thread = forum.thread(carla, body="first words")
    opening = forum_services.opening_post(thread)
    forum_services.edit_post(carla, opening.id, "second words")
    db.session.execute(sa.update(PostRevision).values(created_at=utcnow() - timedelta(days=400)))
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 expired API tokens" in result.output and "1 old post revisions" in result.output
    assert "1 used or expired email links" in result.output  # make_member's verification link, expired
    assert result.output.strip().splitlines()[-1].startswith("Purged ")
    assert [r.body_source for r in db.session.scalars(sa.select(PostRevision))] == ["second words"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailLink)) == 0
