"""Handles that would pass for Thaw's staff are refused at registration (422 naming the handle): staff words,
and look-alikes of an existing moderator's or admin's handle. Operators may still create staff accounts."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.members.models import Member, Role
from app.members.schemas import handle_skeleton
from tests.conftest import PASSWORD


@pytest.fixture
def moderator(make_member):
    return make_member("mod_maria", role=Role.moderator)


def register(client, handle):
    return client.post("/api/v1/members", json={"handle": handle, "email": f"{handle.lower()}@example.org",
                                                "password": PASSWORD})


def members_named(handle) -> int:
    return db.session.scalar(sa.select(sa.func.count(Member.id)).where(Member.handle_key == handle.casefold()))


@pytest.mark.parametrize("handle", [
    "admin", "Admin", "ADMINISTRATOR", "moderator", "mod", "mods", "staff", "support", "thaw", "thaw-support",
    "Thaw_Support", "ThawSupport", "thawteam", "thaw_helper", "mod_bob", "bob-the-mod", "admin2", "adm1n",
    "rnoderator", "m0d", "the_admin", "helpsupport", "official_thaw", "moderator_jo", "supp0rt",
])
def test_staff_words_are_refused(client, handle):
    response = register(client, handle)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert "could be taken for Thaw's staff" in response.get_json()["errors"]["handle"][0]
    assert members_named(handle) == 0


@pytest.mark.parametrize("lookalike", ["mod_rnaria", "rnod_maria", "MOD-MARIA", "m0d_mar1a", "modmaria"])
def test_look_alikes_of_a_staff_handle_are_refused(client, moderator, lookalike):
    # "mod" alone refuses these; the look-alike check matters for staff handles without a staff word.
    assert register(client, lookalike).status_code == 422


@pytest.mark.parametrize("lookalike", ["rnaria_h", "marla_h", "MARIA-H", "mar1a_h", "maria__h", "rnarla-h"])
def test_look_alikes_of_a_moderators_plain_handle_are_refused(client, make_member, lookalike):
    make_member("maria_h", role=Role.moderator)
    response = register(client, lookalike)
    assert response.status_code == 422
    assert "looks too much like a Thaw moderator's" in response.get_json()["errors"]["handle"][0]
    assert members_named(lookalike) == 0


def test_look_alikes_of_an_ordinary_member_are_not_refused_by_this_rule(client, make_member):
    make_member("maria_h")
    assert register(client, "rnaria_h").status_code == 201


@pytest.mark.parametrize("handle", ["clonus_carla", "modest_mary", "badminton_bea", "staffordshire_sue",
                                    "supportive_sue", "maria_k", "tizzy_tom", "member7"])
def test_ordinary_handles_are_welcome(client, moderator, handle):
    assert register(client, handle).status_code == 201 and members_named(handle) == 1


def test_the_registration_page_says_why_and_keeps_what_was_typed(client, pages):
    response = pages.post("/register", {"handle": "thaw-support", "email": "x@example.org", "password": PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "could be taken for Thaw&#39;s staff" in html
    assert 'value="thaw-support"' in html and members_named("thaw-support") == 0


def test_operators_may_still_create_staff_handles(runner):
    result = runner.invoke(args=["members", "create", "--handle", "thaw-support", "--email", "help@example.org",
                                 "--role", "moderator", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Member.role).where(Member.handle == "thaw-support")) == Role.moderator


def test_skeletons():
    assert handle_skeleton("mod_rnaria") == handle_skeleton("Mod-Maria") == handle_skeleton("m0d_mar1a")
    assert handle_skeleton("vvendy") == handle_skeleton("wendy")
    assert handle_skeleton("maria_k") != handle_skeleton("maria_h")
