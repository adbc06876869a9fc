"""The bad-input corpus: every write endpoint, and every anonymous one, against what attackers send.

The endpoints come from the live OpenAPI description and the URL map, so a new one without an
example here fails `test_every_endpoint_has_an_example`. Each example is a request that succeeds;
the corpus then corrupts one field (or the whole body, a path parameter, a query parameter) at a
time, and each corrupted request must be a 4xx (problem+json in the API, the form again or an
error page on pages), never a 5xx, and must leave every table exactly as it was.
"""
import json

import pytest
import sqlalchemy as sa

from app import create_app
from app.core.input import INT_MAX
from app.core.pagination import encode_cursor
from app.extensions import db, limiter
from app.members.models import ApiToken, Role
from app.notifications.models import NotificationKind
from app.notifications.preferences.services import unsubscribe_token
from tests.conftest import PASSWORD

PROBLEM = "application/problem+json"
NUL, SURROGATE = "a\x00b", "\ud800"

# What any field may be sent instead of its value: each must be refused whatever the field is.
FIELD_CORPUS = {
    "nul": NUL,
    "lone surrogate": SURROGATE,
    "nul in a list": ["baclofen", NUL],
    "surrogate in a list": [SURROGATE],
    "nul in an object": {"name": NUL, "severity": "mild"},
    "nul as a key": {NUL: 1},
    "integer past 64 bits": 2 ** 64,
    "negative integer past 64 bits": -(2 ** 63) - 1,
    "integer past the id columns (32 bits on PostgreSQL)": 2 ** 31,
    "largest 64-bit integer": 2 ** 63 - 1,
    "huge integer": 10 ** 30,
    "huge integer in a list": [10 ** 30],
}
DATE_CORPUS = {
    "date that overflows in UTC": "9999-12-31T23:59:59-12:00",
    "date before year 1 in UTC": "0001-01-01T00:00:00+01:00",
    "date without a time zone": "2030-06-01T12:00:00",
    "date far in the future": "9000-01-01T00:00:00Z",
}
# Whole bodies sent with Content-Type: application/json.
BODY_CORPUS = {
    "nested 10,000 levels": "[" * 10_000 + "]" * 10_000,
    "object nested 10,000 levels": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "unterminated": '{"body": "x"',
    "NaN": '{"x": NaN}',
    "Infinity": '{"x": Infinity}',
    "not UTF-8": b'{"body": "\xff\xfe"}',
    "a NUL string": json.dumps(NUL),
    "a huge number": "1" + "0" * 5000,
}
# Well-formed JSON of the wrong shape: refused where a body is read.
SHAPE_CORPUS = {"a list": "[]", "null": "null", "a string": '"title"', "a number": "7"}
BAD_IDS = ["99999999999999999999999999999", str(2 ** 63), str(2 ** 63 - 1), str(2 ** 31), "-1", "%00", "1%00"]
BAD_NAMES = ["%00", "a%00b"]


def cursor_of(*values) -> str:
    return encode_cursor(*values)


CURSOR_CORPUS = {
    "not base64": "!!!",
    "oversized": "A" * 5000,
    "naive date": cursor_of("2030-01-01T00:00:00", 5),
    "overflowing date": cursor_of("9999-12-31T23:59:59-12:00", 5),
    "id past 64 bits": cursor_of("2030-01-01T00:00:00+00:00", 2 ** 64),
    "id past 32 bits": cursor_of("2030-01-01T00:00:00+00:00", 2 ** 31),
    "huge post id": cursor_of(10 ** 30),
    "nul text": cursor_of(NUL),
    "wrong shape": cursor_of({"a": 1}),
    "nested": "W" * 150,
    "a post path": cursor_of("0000000001" * 400),
}
# Text in any query parameter; numbers where the parameter is a number.
QUERY_CORPUS = {"nul": NUL, "nul alone": "\x00"}
NUMBER_QUERY_CORPUS = {"huge integer": str(10 ** 30), "integer past 64 bits": str(2 ** 64),
                       "integer past 32 bits": str(2 ** 31), "long digits": "9" * 5000}


# --- the endpoints ------------------------------------------------------------------------

def _spec_operations() -> list[tuple[str, str, dict]]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path, operation) for path, operations in spec["paths"].items()
            for method, operation in operations.items() if method != "parameters"], spec


OPERATIONS, SPEC = _spec_operations()
WRITES = [(m, p, o) for m, p, o in OPERATIONS if m in {"POST", "PUT", "PATCH", "DELETE"}]
READS = [(m, p, o) for m, p, o in OPERATIONS if m == "GET"]


def _page_post_rules() -> list[str]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "POST" in rule.methods and not rule.rule.startswith("/api/"))


PAGE_POSTS = _page_post_rules()

REASON = {"reason": "Keeping the forum kind and on topic."}

# A request that succeeds, for each write operation of the API. `w` is the world below.
API_EXAMPLES = {
    ("POST", "/api/v1/members"): lambda w: {"handle": "newcomer", "email": "newcomer@example.org",
                                            "password": "a long enough password"},
    ("POST", "/api/v1/tokens"): lambda w: {"login": "sam", "password": PASSWORD},
    ("DELETE", "/api/v1/tokens/current"): None,
    ("POST", "/api/v1/threads"): lambda w: {"title": "Cramps at night again", "body": "What helps you?",
                                            "tags": ["baclofen"]},
    ("PATCH", "/api/v1/threads/{thread_id}"): lambda w: {"title": "Cramps at night, a year on",
                                                         "tags": ["baclofen"]},
    ("POST", "/api/v1/threads/{thread_id}/posts"): lambda w: {"body": "Me too.", "parent_id": w["reply"]},
    ("PATCH", "/api/v1/posts/{post_id}"): lambda w: {"body": "Edited for clarity.", **REASON},
    ("DELETE", "/api/v1/posts/{post_id}"): None,
    ("POST", "/api/v1/threads/{thread_id}/polls"): lambda w: {
        "question": "Did stretching help?", "kind": "single", "options": ["Yes", "No"],
        "closes_at": "2030-06-01T12:00:00Z"},
    ("PUT", "/api/v1/polls/{poll_id}/vote"): lambda w: {"option_ids": [w["option"]]},
    ("DELETE", "/api/v1/polls/{poll_id}/vote"): None,
    ("POST", "/api/v1/polls/{poll_id}/close"): None,
    ("PUT", "/api/v1/experiences/{treatment}"): lambda w: {
        "effect": "moderate", "symptoms": ["stiffness"], "side_effects": [{"name": "drowsiness", "severity": "mild"}],
        "duration": "1_6m", "status": "current", "dose": "10 mg", "share_in_stats": True},
    ("DELETE", "/api/v1/experiences/{treatment}"): None,
    ("PUT", "/api/v1/me/stats-consent"): lambda w: {"ballots_in_stats": True},
    ("POST", "/api/v1/stats/releases"): lambda w: {"epsilon": 1.0},
    ("POST", "/api/v1/flags"): lambda w: {"post_id": w["reply"], "reason": "spam", "note": "Looks like an ad."},
    ("POST", "/api/v1/moderation/queue/{item_id}/resolve"): lambda w: {"action": "dismiss", **REASON},
    ("POST", "/api/v1/moderation/queue/bulk-approve"): lambda w: {"item_ids": [w["pending_item"]], **REASON},
    ("POST", "/api/v1/moderation/threads/{thread_id}/lock"): lambda w: dict(REASON),
    ("POST", "/api/v1/moderation/threads/{thread_id}/unlock"): lambda w: dict(REASON),
    ("POST", "/api/v1/moderation/threads/{thread_id}/pin"): lambda w: dict(REASON),
    ("POST", "/api/v1/moderation/threads/{thread_id}/unpin"): lambda w: dict(REASON),
    ("POST", "/api/v1/moderation/threads/{thread_id}/retag"): lambda w: {"tags": ["tizanidine"], **REASON},
    ("PATCH", "/api/v1/moderation/posts/{post_id}"): lambda w: {"body": "Edited by a moderator.", **REASON},
    ("POST", "/api/v1/moderation/posts/{post_id}/remove"): lambda w: dict(REASON),
    ("POST", "/api/v1/moderation/members/{handle}/warn"): lambda w: dict(REASON),
    ("POST", "/api/v1/moderation/members/{handle}/suspend"): lambda w: {"until": "2030-06-01T12:00:00Z", **REASON},
    ("POST", "/api/v1/moderation/members/{handle}/unsuspend"): lambda w: dict(REASON),
    ("POST", "/api/v1/moderation/watched-words"): lambda w: {"pattern": "cheap pills", "action": "block", **REASON},
    ("DELETE", "/api/v1/moderation/watched-words/{word_id}"): lambda w: dict(REASON),
    ("POST", "/api/v1/me/notifications/read"): lambda w: {"up_to": w["notification"]},
    ("POST", "/api/v1/email-verifications"): lambda w: {"token": emailed_token(w, "verify_email")},
    ("POST", "/api/v1/password-resets"): lambda w: {"email": "admin_ada@example.org"},
    ("POST", "/api/v1/password-resets/confirm"): lambda w: {"token": emailed_token(w, "reset_password"),
                                                            "password": "a brand new password"},
    ("PUT", "/api/v1/me/password"): lambda w: {"current_password": PASSWORD, "new_password": "a brand new password"},
    ("PUT", "/api/v1/me/email"): lambda w: {"password": PASSWORD, "email": "ada.new@example.org"},
    ("DELETE", "/api/v1/me/tokens/{token_id}"): None,
    ("DELETE", "/api/v1/me/sessions"): None,
    ("DELETE", "/api/v1/me"): lambda w: {"password": PASSWORD, "erase_posts": True},
    ("PUT", "/api/v1/threads/{thread_id}/follow"): None,
    ("DELETE", "/api/v1/threads/{thread_id}/follow"): None,
    ("PUT", "/api/v1/threads/{thread_id}/mute"): None,
    ("DELETE", "/api/v1/threads/{thread_id}/mute"): None,
    ("PUT", "/api/v1/tags/{ref}/follow"): None,
    ("DELETE", "/api/v1/tags/{ref}/follow"): None,
    ("PUT", "/api/v1/posts/{post_id}/reactions/{kind}"): None,
    ("DELETE", "/api/v1/posts/{post_id}/reactions/{kind}"): None,
    ("PUT", "/api/v1/me/preferences"): lambda w: {"notifications": {"reply": "email"}, "auto_follow": False},
    ("POST", "/api/v1/moderation/conversations"): lambda w: {"member": "sam", "body": "How are you today?"},
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): lambda w: {"body": "Glad to hear it."},
}
# What must be true of the world before the example can succeed (the thread locked to unlock it …).
API_BEFORE = {
    ("POST", "/api/v1/moderation/threads/{thread_id}/unlock"): "lock",
    ("POST", "/api/v1/moderation/threads/{thread_id}/unpin"): "pin",
    ("POST", "/api/v1/moderation/members/{handle}/unsuspend"): "suspend",
    ("DELETE", "/api/v1/polls/{poll_id}/vote"): "vote",
    ("DELETE", "/api/v1/experiences/{treatment}"): "report",
}

# A form post that succeeds, for each page that takes one (path parameters filled from the world).
PAGE_EXAMPLES = {
    "/register": lambda w: {"handle": "newcomer", "email": "newcomer@example.org",
                            "password": "a long enough password"},
    "/signin": lambda w: {"login": "admin_ada", "password": PASSWORD},
    "/signout": lambda w: {},
    "/threads/new": lambda w: {"title": "Cramps at night again", "body": "What helps you?", "tags": "baclofen"},
    "/threads/<int:thread_id>/edit": lambda w: {"title": "Cramps at night, a year on", "tags": "baclofen"},
    "/threads/<int:thread_id>/reply/<int:post_id>": lambda w: {"body": "Me too."},
    "/threads/<int:thread_id>/reply": lambda w: {"body": "Me too."},
    "/posts/<int:post_id>/edit": lambda w: {"body": "Edited for clarity.", **REASON},
    "/posts/<int:post_id>/delete": lambda w: {},
    "/polls/<int:poll_id>/vote": lambda w: {"option": str(w["option"])},
    "/polls/<int:poll_id>/withdraw": lambda w: {},
    "/polls/<int:poll_id>/close": lambda w: {},
    "/threads/<int:thread_id>/polls/new": lambda w: {"question": "Did stretching help?", "kind": "single",
                                                    "options": ["Yes", "No"], "results": "always",
                                                    "closes_at": "2030-06-01T12:00"},
    "/experiences/<treatment>": lambda w: {"effect": "moderate", "symptoms": "stiffness", "duration": "1_6m",
                                           "status": "current", "dose": "10 mg", "share_in_stats": "y"},
    "/experiences/<treatment>/delete": lambda w: {},
    "/experiences/poll-votes": lambda w: {"ballots_in_stats": "yes"},
    "/mod/items/<int:item_id>/resolve": lambda w: {"action": "dismiss", **REASON},
    "/mod/bulk-approve": lambda w: {"item_ids": str(w["pending_item"]), **REASON},
    "/posts/<int:post_id>/flag": lambda w: {"reason": "spam", "note": "Looks like an ad."},
    "/mod/threads/<int:thread_id>/<any(lock, unlock, pin, unpin):action>": lambda w: dict(REASON),
    "/mod/threads/<int:thread_id>/retag": lambda w: {"tags": "tizanidine", **REASON},
    "/mod/posts/<int:post_id>/edit": lambda w: {"body": "Edited by a moderator.", **REASON},
    "/mod/posts/<int:post_id>/remove": lambda w: dict(REASON),
    "/mod/members/<handle>/<any(warn, suspend, unsuspend):action>": lambda w: {"until": "2030-06-01", **REASON},
    "/mod/words": lambda w: {"pattern": "cheap pills", "action": "block", **REASON},
    "/mod/words/<int:word_id>/remove": lambda w: dict(REASON),
    "/notifications/read": lambda w: {"up_to": str(w["notification"])},
    "/verify-email": lambda w: {"token": emailed_token(w, "verify_email")},
    "/reset-password": lambda w: {"email": "admin_ada@example.org"},
    "/reset-password/confirm": lambda w: {"token": emailed_token(w, "reset_password"),
                                          "password": "a brand new password"},
    "/account/password": lambda w: {"current_password": PASSWORD, "new_password": "a brand new password"},
    "/account/email": lambda w: {"email": "ada.new@example.org", "password": PASSWORD},
    "/account/tokens/<int:token_id>/revoke": lambda w: {},
    "/account/sessions": lambda w: {},
    "/account/consent": lambda w: {"ballots_in_stats": "on"},
    "/account/delete": lambda w: {"password": PASSWORD, "erase_posts": "on"},
    "/notifications/preferences": lambda w: {"reply": "email", "mention": "daily", "auto_follow": "on"},
    "/posts/<int:post_id>/reactions/<kind>": lambda w: {},
    "/unsubscribe/<token>": lambda w: {},
    "/tags/<slug>/<any(follow, unfollow):action>": lambda w: {},
    "/threads/<int:thread_id>/<any(follow, unfollow, mute, unmute):action>": lambda w: {},
    "/conversations/<int:conversation_id>": lambda w: {"body": "Glad to hear it."},
    "/mod/members/<handle>/check-in": lambda w: {"body": "How are you today?"},
}


def emailed_token(world: dict, purpose: str) -> str:
    """The token of a link as if emailed to the admin (only its digest is stored)."""
    from app.members import services as member_services
    from app.members.models import LinkPurpose
    from app.core.unit_of_work import unit_of_work
    from datetime import timedelta
    with unit_of_work():
        admin = db.session.merge(world["admin"])
        return member_services._new_link(admin, LinkPurpose(purpose), "ada.new@example.org"
                                         if purpose == "verify_email" else admin.email, timedelta(hours=1))
PAGE_PATHS = {
    "<int:thread_id>": "thread", "<int:post_id>": "reply", "<int:poll_id>": "poll", "<int:item_id>": "flag_item",
    "<int:word_id>": "word", "<treatment>": "treatment", "<handle>": "handle",
    "<int:token_id>": "token", "<any(lock, unlock, pin, unpin):action>": "lock", "<any(warn, suspend, unsuspend):action>": "suspend",
    "<kind>": "reaction_kind", "<token>": "unsubscribe_token", "<slug>": "tag_ref", "<int:conversation_id>": "conversation",
    "<any(follow, unfollow):action>": "follow", "<any(follow, unfollow, mute, unmute):action>": "follow",
}
API_PATHS = {"{thread_id}": "thread", "{post_id}": "reply", "{poll_id}": "poll", "{item_id}": "flag_item",
             "{word_id}": "word", "{treatment}": "treatment", "{handle}": "handle", "{token_id}": "token",
             "{ref}": "tag_ref", "{kind}": "reaction_kind", "{conversation_id}": "conversation"}


# --- the world every request acts in ------------------------------------------------------

@pytest.fixture
def world(app, client, vocabulary, make_member, api_headers):
    """An admin (who may call everything), a member's thread with a reply, a poll, a flag, a post
    waiting for review, a watched word and a notification: every id a path or body can name."""
    limiter.enabled = False
    admin = make_member("admin_ada", role=Role.admin)
    sam, flo, newbie = make_member("sam"), make_member("flo"), make_member("newbie")
    as_admin, as_sam = api_headers(admin), api_headers(sam)
    api_headers(admin)  # a second token, for the examples that revoke one
    spare_token = db.session.scalar(sa.select(sa.func.max(ApiToken.id)))

    def ok(response, status=201):
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    thread = ok(client.post("/api/v1/threads", headers=as_sam, json={
        "title": "Baclofen and night cramps", "body": "What helps you at night?", "tags": ["baclofen"]}))
    reply = ok(client.post(f"/api/v1/threads/{thread['id']}/posts", headers=as_sam, json={"body": "Stretching."}))
    poll = ok(client.post(f"/api/v1/threads/{thread['id']}/polls", headers=as_sam, json={
        "question": "Do cramps wake you?", "kind": "single", "options": ["Often", "Rarely"]}))
    ok(client.post("/api/v1/flags", headers=api_headers(flo), json={"post_id": reply["id"], "reason": "spam"}))
    ok(client.post("/api/v1/moderation/members/sam/warn", headers=as_admin, json=REASON), 200)
    app.config["HOLD_FIRST_POSTS"] = 1
    ok(client.post("/api/v1/threads", headers=api_headers(newbie), json={
        "title": "Hello from a new member", "body": "First post here.", "tags": ["baclofen"]}))
    app.config["HOLD_FIRST_POSTS"] = 0
    items = ok(client.get("/api/v1/moderation/queue", headers=as_admin), 200)["items"]
    word = ok(client.post("/api/v1/moderation/watched-words", headers=as_admin,
                          json={"pattern": "miracle cure", "action": "review", **REASON}))
    notifications = ok(client.get("/api/v1/me/notifications", headers=as_sam), 200)["items"]
    conversation = ok(client.post("/api/v1/moderation/conversations", headers=as_admin,
                                  json={"member": "sam", "body": "Checking in."}))
    try:
        yield {
            "admin": admin, "headers": as_admin, "sam_headers": as_sam,
            "thread": thread["id"], "reply": reply["id"], "poll": poll["id"], "option": poll["options"][0]["id"],
            "flag_item": next(i["id"] for i in items if i["kind"] == "flagged_post"),
            "pending_item": next(i["id"] for i in items if i["kind"] == "pending_post"),
            "word": word["id"], "treatment": "baclofen", "handle": "sam", "notification": notifications[0]["id"],
            "lock": "unlock", "suspend": "suspend", "sam": sam, "token": spare_token,
            "tag_ref": "baclofen", "reaction_kind": "me_too", "follow": "follow", "conversation": conversation["id"],
            "unsubscribe_token": unsubscribe_token(admin.id, NotificationKind.reply),
        }
    finally:
        limiter.enabled = True


def prepare(client, world, step: str) -> None:
    headers, thread = world["headers"], world["thread"]
    calls = {
        "lock": ("POST", f"/api/v1/moderation/threads/{thread}/lock", REASON),
        "pin": ("POST", f"/api/v1/moderation/threads/{thread}/pin", REASON),
        "suspend": ("POST", "/api/v1/moderation/members/sam/suspend", REASON),
        "vote": ("PUT", f"/api/v1/polls/{world['poll']}/vote", {"option_ids": [world["option"]]}),
        "report": ("PUT", "/api/v1/experiences/baclofen", API_EXAMPLES[("PUT", "/api/v1/experiences/{treatment}")](world)),
    }
    method, path, body = calls[step]
    assert client.open(path, method=method, headers=headers, json=body).status_code < 300


def stored() -> dict:
    """Every row of every table: what a refused request must leave as it was."""
    db.session.rollback()
    return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
            for table in db.metadata.sorted_tables}


def api_path(template: str, world: dict, **override) -> str:
    for placeholder, key in API_PATHS.items():
        template = template.replace(placeholder, str(override.get(placeholder, world[key])))
    return template


def body_fields(operation: dict) -> dict:
    """The fields of an operation's JSON body, with their OpenAPI schemas."""
    ref = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
           .get("schema", {}).get("$ref"))
    if not ref:
        return {}
    return SPEC["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("properties", {})


def assert_refused(response, what: str, api: bool = True) -> None:
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    if api:
        assert response.mimetype == PROBLEM, f"{what}: {response.mimetype}"
        assert response.get_json()["status"] == response.status_code


# --- the API ------------------------------------------------------------------------------

def test_every_endpoint_has_an_example():
    """A new write endpoint or form must join the corpus: this fails until it has an example."""
    endpoints = {(m, p) for m, p, _ in WRITES}
    assert not endpoints - set(API_EXAMPLES), f"add a succeeding example to API_EXAMPLES for {endpoints - set(API_EXAMPLES)}"
    assert not set(API_EXAMPLES) - endpoints, f"no such endpoint any more: {set(API_EXAMPLES) - endpoints}"
    assert not set(PAGE_POSTS) - set(PAGE_EXAMPLES), f"add an example to PAGE_EXAMPLES for {set(PAGE_POSTS) - set(PAGE_EXAMPLES)}"
    assert not set(PAGE_EXAMPLES) - set(PAGE_POSTS), f"no such form any more: {set(PAGE_EXAMPLES) - set(PAGE_POSTS)}"
    assert len(WRITES) >= 30 and len(PAGE_POSTS) >= 25


@pytest.mark.parametrize("method,path,operation", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_api_write_refuses_bad_input_and_stores_nothing(client, world, method, path, operation):
    if (method, path) not in API_EXAMPLES:
        pytest.fail(f"{method} {path} is new: add a succeeding example to API_EXAMPLES")
    example = API_EXAMPLES[(method, path)]
    if (method, path) in API_BEFORE:
        prepare(client, world, API_BEFORE[(method, path)])
    valid = example(world) if example else None
    headers = {} if "security" not in operation else world["headers"]
    url = api_path(path, world)
    before = stored()

    def send(body, url=url, headers=headers, raw=None):
        data = raw if raw is not None else json.dumps(body)
        return client.open(url, method=method, headers=headers, data=data, content_type="application/json")

    tries = 0
    for field, schema in body_fields(operation).items():
        corpus = dict(FIELD_CORPUS, **(DATE_CORPUS if schema.get("format") == "date-time" else {}))
        for name, bad in corpus.items():
            assert_refused(send({**(valid or {}), field: bad}), f"{field} = {name}")
            tries += 1
    shapes = SHAPE_CORPUS if body_fields(operation) else {}
    for name, raw in {**BODY_CORPUS, **shapes}.items():
        assert_refused(send(None, raw=raw), f"body {name}")
        assert_refused(send(None, raw=raw, headers={}), f"anonymous body {name}")
        tries += 2
    for placeholder in API_PATHS:
        if placeholder in path:
            for bad in BAD_IDS if placeholder != "{treatment}" and placeholder != "{handle}" else BAD_NAMES:
                response = send(valid, url=api_path(path, world, **{placeholder: bad}))
                assert_refused(response, f"path {placeholder} = {bad}")
                assert response.status_code == 404, f"path {placeholder} = {bad}: {response.status_code}"
                tries += 1
    for name, bad in QUERY_CORPUS.items():
        assert_refused(send(valid, url=f"{url}?reason={bad}"), f"query reason = {name}")
        tries += 1
    assert tries >= len(BODY_CORPUS) * 2
    assert stored() == before, "a refused request changed what is stored"

    # The example itself is taken: what was refused above was the bad input, nothing else.
    response = send(valid) if valid is not None else client.open(url, method=method, headers=headers)
    assert response.status_code < 300, response.get_data(as_text=True)


def test_a_nul_in_a_field_is_named(client, world):
    for body, field in [({"login": NUL, "password": "x"}, "login"), ({"login": "sam", "password": SURROGATE}, "password")]:
        response = client.post("/api/v1/tokens", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422 and response.mimetype == PROBLEM
        assert list(response.get_json()["errors"]) == [field]
    nested = API_EXAMPLES[("PUT", "/api/v1/experiences/{treatment}")](world)
    nested["side_effects"] = [{"name": NUL, "severity": "mild"}]
    response = client.put("/api/v1/experiences/baclofen", headers=world["headers"], json=nested)
    assert response.status_code == 422 and "side_effects.0.name" in response.get_json()["errors"]


def test_deep_json_is_a_400_problem(client):
    response = client.post("/api/v1/tokens", data="[" * 10_000 + "]" * 10_000, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert "nested too deeply" in response.get_json()["detail"]


@pytest.mark.parametrize("date", list(DATE_CORPUS.values()))
def test_dates_out_of_range_or_naive_are_422(client, world, date):
    suspend = client.post("/api/v1/moderation/members/sam/suspend", headers=world["headers"],
                          json={"until": date, **REASON})
    poll = client.post(f"/api/v1/threads/{world['thread']}/polls", headers=world["headers"],
                       json={"question": "Still cramping?", "kind": "single", "options": ["Yes", "No"], "closes_at": date})
    for response in (suspend, poll):
        assert response.status_code == 422 and response.mimetype == PROBLEM
        assert set(response.get_json()["errors"]) == {"until"} or set(response.get_json()["errors"]) == {"closes_at"}


# --- reads, anonymous and signed in -------------------------------------------------------

@pytest.mark.parametrize("method,path,operation", READS, ids=[f"{m} {p}" for m, p, _ in READS])
def test_api_read_refuses_bad_paths_queries_and_cursors(client, world, method, path, operation):
    url = api_path(path, world)
    for headers in ({}, world["headers"]):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            name = parameter["name"]
            corpus = dict(QUERY_CORPUS, **(CURSOR_CORPUS if name == "cursor" else {}),
                          **(NUMBER_QUERY_CORPUS if parameter["schema"].get("type") == "integer" else {}))
            for label, bad in corpus.items():
                response = client.get(url, query_string={name: bad}, headers=headers)
                assert_refused(response, f"{name} = {label}")
        for placeholder in API_PATHS:
            if placeholder in path:
                for bad in BAD_IDS if placeholder not in ("{treatment}", "{handle}") else BAD_NAMES:
                    response = client.get(api_path(path, world, **{placeholder: bad}), headers=headers)
                    assert_refused(response, f"{placeholder} = {bad}")
                    assert response.status_code == 404


# --- pages --------------------------------------------------------------------------------

def page_path(rule: str, world: dict) -> str:
    for placeholder, key in PAGE_PATHS.items():
        rule = rule.replace(placeholder, str(world[key]))
    return rule


PAGE_BEFORE = {
    "/polls/<int:poll_id>/withdraw": "vote",
    "/experiences/<treatment>/delete": "report",
    "/mod/threads/<int:thread_id>/<any(lock, unlock, pin, unpin):action>": "lock",
}
# Pages only their author uses (a moderator acts through /mod/...).
AUTHOR_PAGES = {"/posts/<int:post_id>/delete", "/posts/<int:post_id>/edit"}
PAGE_FIELD_CORPUS = {"nul": NUL, "huge integer": str(10 ** 30), "integer past 64 bits": str(2 ** 64),
                     "integer past 32 bits": str(2 ** 31),
                     "long digits": "9" * 5000}
PAGE_DATE_CORPUS = {"day past the range": "9999-12-31", "day before it": "0001-01-01",
                    "time that overflows in UTC": "9999-12-31T23:59:59-12:00",
                    "time before year 1 in UTC": "0001-01-01T00:00:00+01:00"}
DATE_FIELDS = {"until", "closes_at"}


def page_refused(response, what: str) -> None:
    """A page refuses by showing the form again (422), an error page, or a redirect back with a
    message; whichever, never a 5xx, and the caller checks that nothing was stored."""
    assert response.status_code < 500, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    assert response.status_code in (302, 303) or response.status_code >= 400, f"{what}: {response.status_code}"
    assert "text/html" in response.content_type


@pytest.mark.parametrize("rule", PAGE_POSTS)
def test_page_form_refuses_bad_input_and_stores_nothing(client, pages, world, rule):
    form_page = "/signin"
    if rule != "/signin" and rule != "/register":
        pages.sign_in(world["sam"] if rule in AUTHOR_PAGES else world["admin"])
        form_page = "/threads/new"
    if rule in PAGE_BEFORE:
        prepare(client, world, PAGE_BEFORE[rule])
    if rule not in PAGE_EXAMPLES:
        pytest.fail(f"{rule} is new: add a succeeding example to PAGE_EXAMPLES")
    valid = PAGE_EXAMPLES[rule](world)
    path = page_path(rule, world)
    before = stored()
    for field in valid:
        for name, bad in {**PAGE_FIELD_CORPUS, **(PAGE_DATE_CORPUS if field in DATE_FIELDS else {})}.items():
            if name != "nul" and not (str(valid[field]).isdigit() or field in DATE_FIELDS):
                continue  # numbers and dates where they are read, text everywhere
            response = pages.post(path, {**valid, field: [bad] if isinstance(valid[field], list) else bad},
                                  form_page=form_page)
            page_refused(response, f"{field} = {name}")
    for name, bad in QUERY_CORPUS.items():
        page_refused(pages.post(f"{path}?next={bad}", valid, form_page=form_page), f"query next = {name}")
    assert stored() == before, "a refused form changed what is stored"
    response = pages.post(path, valid, form_page=form_page)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]


def test_a_form_with_a_nul_is_shown_again_with_the_message(pages, world):
    pages.sign_in(world["admin"])
    response = pages.post("/threads/new", {"title": "Cramps\x00 at night", "body": "What helps?", "tags": "baclofen"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the NUL character" in page and "What helps?" in page


# --- cursors ------------------------------------------------------------------------------

def test_deep_threads_page_with_short_cursors(client, forum, make_member):
    """Post cursors hold the last post's id, not its path: 400 levels page like 4."""
    author = make_member("deep")
    thread = forum.thread(author)
    parent = None
    for _ in range(400):
        parent = forum.reply(thread, author, "Deeper.", parent)
    seen, cursor, longest = [], None, 0
    while True:
        query = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/api/v1/threads/{thread.id}/posts", query_string=query).get_json()
        seen += [post["id"] for post in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
        longest = max(longest, len(cursor))
    assert len(seen) == 401 and len(set(seen)) == 401
    assert 0 < longest < 40


def test_a_cursor_of_another_thread_is_422(client, forum, make_member):
    author = make_member("curt")
    first, second = forum.thread(author), forum.thread(author, title="Another thread here")
    other_post = forum.reply(second, author)
    response = client.get(f"/api/v1/threads/{first.id}/posts", query_string={"cursor": cursor_of(other_post.id)})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert "cursor" in response.get_json()["errors"]


# --- the description ----------------------------------------------------------------------

def test_every_error_response_is_described_as_problem_json(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    components = spec["components"]["responses"]
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status != "default" and int(status) < 400:
                    continue
                if "$ref" in response:
                    response = components[response["$ref"].rsplit("/", 1)[-1]]
                if path == "/healthz" and status == "503":
                    continue  # the health document itself, which monitors read
                assert list(response.get("content", {})) == [PROBLEM], f"{method.upper()} {path} {status}"
                checked += 1
    assert checked >= 50


def test_path_ids_are_documented_within_the_id_columns(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    ids = [p["schema"] for ops in spec["paths"].values() for p in ops.get("parameters", [])
           if isinstance(p, dict) and p.get("in") == "path" and p["schema"]["type"] == "integer"]
    assert ids and all(schema["maximum"] == INT_MAX == 2 ** 31 - 1 for schema in ids)




def test_nested_field_errors_are_named_with_dots(client, world):
    """The API promises {field: [message]}: a list item's error is `option_ids.0`, not a nested object."""
    response = client.put(f"/api/v1/polls/{world['poll']}/vote", headers=world["headers"], json={"option_ids": [{}]})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert set(errors) == {"option_ids.0"} and all(isinstance(m, str) for m in errors["option_ids.0"])
