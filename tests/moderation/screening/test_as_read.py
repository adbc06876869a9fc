"""Screening reads what readers see: the rendered text, normalized. Block words cannot be smuggled past in
Markdown, entities, invisible or fullwidth characters, and crisis words raise an urgent item and show
support however they are written. Crisis routing is safety-critical, hence the long list of phrasings."""
import pytest
import sqlalchemy as sa

from app.core.screening import normalized, text_as_read
from app.core.markdown import render_markdown
from app.extensions import db
from app.forum.models import Post
from app.moderation.models import QueueItem, QueueKind, WatchedAction
from tests.moderation.screening.test_screening import count, post_reply, text_of, watch

pytestmark = pytest.mark.usefixtures("premoderation", "vocabulary")


# --- block words -----------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "zzblockword",
    "ZZBLOCKWORD!",
    "zz&#98;lockword",              # a character reference
    "zz&#x62;lockword",
    "zz*block*word",                # emphasis inside the word
    "zz**block**word",
    "zz`block`word",
    "zz\u200bblockword",            # zero-width space
    "zz\u200dblock\u2060word",      # zero-width joiner, word joiner
    "zz\u00adblockword",            # soft hyphen
    "zz&shy;blockword",
    "ｚｚｂｌｏｃｋｗｏｒｄ",          # fullwidth letters
    "[zzblockword](https://example.org)",
    "> zzblockword",
])
def test_a_block_word_is_refused_however_it_is_written(client, established, api_headers, thread, body):
    watch("zzblockword", WatchedAction.block)
    response = post_reply(client, api_headers(established()), thread, f"Try {body} today")
    assert response.status_code == 422, response.get_json()
    assert "zzblockword" in response.get_json()["errors"]["body"][0]
    assert count(Post, Post.body_source.contains("lock")) == 0


@pytest.mark.parametrize("body", [
    "zz blockword",                 # two words, as readers see them
    "zzblockwords",                 # a longer word
    "`zz&#98;lockword`",            # in code, readers see the reference itself
])
def test_near_misses_of_a_block_word_publish(client, established, api_headers, thread, body):
    watch("zzblockword", WatchedAction.block)
    response = post_reply(client, api_headers(established()), thread, body)
    assert response.status_code == 201 and response.get_json()["status"] == "published"


def test_a_block_word_written_with_capitals_or_fullwidth_letters_by_an_admin_still_matches(
        client, established, api_headers, thread):
    watch("Ｓｔｒａße", WatchedAction.block)
    response = post_reply(client, api_headers(established()), thread, "at the STRASSE corner")
    assert response.status_code == 422


# --- crisis words: 30+ phrasings -------------------------------------------------------------

CRISIS_PHRASINGS = [
    "I want to end my **life**",
    "I want to *end my life*",
    "some nights I want to die",
    "I WANT TO DIE",
    "I want to d&#105;e",
    "I want to\ndie",
    "I want to  \ndie",
    "I want to\\\ndie",
    "I keep thinking about self-harm",
    "self harm again",
    "self\u2011harm",
    "self\u2014harm",
    "self_harm",
    "ｓｕｉｃｉｄｅ",
    "sui\u200bcide",
    "sui\u00adcidal",
    "sui&shy;cidal",
    "I feel **suicidal** tonight",
    "I could kill myself",
    "thinking of killing my*self*",
    "> better off dead",
    "- no reason to live",
    "# not worth living",
    "`take my own life`",
    "~~fine~~ I wish I were dead",
    "I wish I was dead",
    "I might hurt myself",
    "harm\u200d myself",
    "cut\u3000myself",
    "I will overdose on my pills",
    "[end my life](https://example.org)",
    "Ending my life seems easier",
    "take my\nown life",
    "Kill My&#115;elf",
    "## SUICIDE",
    "<em>suicidal</em>",
    "1. want\n2. to die",
]

NEAR_MISSES = [
    "I want to dye my hair",
    "My phone battery is about to die",
    "I'd kill for a cooling vest",
    "this will kill my self-esteem",
    "Is a baclofen overdose dangerous?",
    "self-harmony through yoga",
    "near the end of my life insurance policy",
    "suicidally hot weather",
]


@pytest.mark.usefixtures("crisis_words")
@pytest.mark.parametrize("body", CRISIS_PHRASINGS)
def test_each_crisis_phrasing_raises_an_urgent_item_and_shows_support(client, established, api_headers, thread,
                                                                      body):
    response = post_reply(client, api_headers(established()), thread, body)
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert reply["status"] == "published"
    assert reply["support"] and "112 in Europe" in reply["support"]
    [item] = db.session.scalars(sa.select(QueueItem).where(QueueItem.post_id == reply["id"]))
    assert item.urgent and item.kind == QueueKind.crisis


@pytest.mark.usefixtures("crisis_words")
@pytest.mark.parametrize("body", NEAR_MISSES)
def test_near_misses_raise_nothing(client, established, api_headers, thread, body):
    response = post_reply(client, api_headers(established()), thread, body)
    assert response.status_code == 201 and response.get_json()["support"] is None
    assert count(QueueItem, QueueItem.post_id == response.get_json()["id"]) == 0


def test_there_are_at_least_thirty_phrasings():
    assert len(CRISIS_PHRASINGS) >= 30 and len(set(CRISIS_PHRASINGS)) == len(CRISIS_PHRASINGS)


@pytest.mark.usefixtures("crisis_words")
def test_the_reply_form_shows_support_for_emphasised_crisis_words(client, pages, established, thread):
    pages.sign_in(established("night_nia"))
    response = pages.post(f"/threads/{thread.id}/reply", {"body": "I want to end my **life**"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#crisis-support")
    assert "Support, if you need it" in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize("source, expected", [
    ("zz*block*word", "zzblockword"),
    ("end my\n\nlife", "end my life"),
    ("Ｆｕｌｌ\u200bwidth", "fullwidth"),
    ("a &amp; b", "a & b"),
    ("`&#98;`", "&#98;"),
])
def test_the_text_as_read(source, expected):
    assert " ".join(normalized(text_as_read(render_markdown(source))).split()) == expected
