"""What Thaw ships for crisis moderation: the crisis word list and the support text.

Crisis words are whole phrases, matched as whole words ignoring case, spaces
and hyphens ("self harm" also catches "self-harm"). They favour phrases that
rarely mean anything else over single words that would flood the queue:
a false alarm costs a moderator a minute, a missed one can cost more.
"""

CRISIS_WORDS = [
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "want to die",
    "wish I was dead",
    "wish I were dead",
    "better off dead",
    "no reason to live",
    "not worth living",
    "self harm",
    "harm myself",
    "hurt myself",
    "cut myself",
    "overdose on",
]

# Shown to the author of a post with crisis words, on the page they land on and in the API's `support`.
# Paragraphs are separated by a blank line. Several countries' numbers, because members live everywhere.
CRISIS_SUPPORT_TEXT = """\
You are not alone, and we are glad you wrote.

If you are in immediate danger, please call your local emergency number now \
(such as 112 in Europe, 911 in North America, 999 in the UK or 000 in Australia), \
or a suicide and crisis line in your country.

You can also contact your MS nurse or neurologist, or your national MS society's helpline: \
they know what living with MS can be like, and talking to them helps.

A moderator has been told about your post and will check in with you."""
