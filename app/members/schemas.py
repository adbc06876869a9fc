import re

import marshmallow as ma
from marshmallow import validate

from app.core.schemas import StrictSchema, UTCDateTime
from app.members.models import MemberStatus, Role

HANDLE_RULE = validate.Regexp(
    r"^[A-Za-z0-9_-]+$", error="Use only letters, digits, _ and -."
)

# --- handles that would pass for staff ------------------------------------------------
# Members register handles; operators create staff accounts (`flask members create`), whose handles
# these rules do not bind. Handles are ASCII letters, digits, _ and -, so the look-alikes that matter
# are the ASCII ones of Unicode's confusables (UTS #39): "rn" for "m", "vv" for "w", digits for letters.

# Words that make a handle read as Thaw's staff, as a part of it ("mod_bob", "ThawSupport").
STAFF_WORDS = ("admin", "admins", "administrator", "moderator", "moderators", "mod", "mods", "staff",
               "support", "thaw", "official", "team", "helpdesk", "sysop", "root")
# Beginnings and endings that do as much on their own ("thawhelp", "adminbob", "bobmoderator").
STAFF_PREFIXES = ("thaw", "admin", "moderator")
STAFF_SUFFIXES = ("admin", "moderator", "support", "staff")

_SEPARATORS = re.compile(r"[_\-]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_LOOKALIKE_PAIRS = (("rn", "m"), ("vv", "w"))
_LOOKALIKE_CHARS = str.maketrans({"0": "o", "1": "i", "l": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                                  "8": "b", "9": "g", "6": "b", "2": "z"})
RESERVED_HANDLE = "That handle could be taken for Thaw's staff. Please choose another."
LOOKS_LIKE_STAFF = "That handle looks too much like a Thaw moderator's. Please choose another."


def handle_skeleton(handle: str) -> str:
    """What a handle looks like, for comparing: case, separators and look-alike letters ignored
    ("mod_rnaria", "Mod-Maria" and "m0d_mar1a" all read "modmaria")."""
    text = _SEPARATORS.sub("", handle.casefold())
    for pair, single in _LOOKALIKE_PAIRS:
        text = text.replace(pair, single)
    return text.translate(_LOOKALIKE_CHARS)


_STAFF_SKELETONS = frozenset(handle_skeleton(word) for word in STAFF_WORDS)


def RESERVED_HANDLE_RULE(handle: str) -> str:  # noqa: N802 (a rule, named like the others)
    """Refuses a handle that names or imitates a staff role: a staff word as one of its parts, or a
    staff beginning or ending, once look-alike characters are read as the letters they imitate."""
    parts = [p for p in _SEPARATORS.split(_CAMEL.sub("_", handle)) if p]
    whole = handle_skeleton(handle)
    if (any(handle_skeleton(p) in _STAFF_SKELETONS for p in parts)
            or whole.startswith(tuple(handle_skeleton(p) for p in STAFF_PREFIXES))
            or whole.endswith(tuple(handle_skeleton(s) for s in STAFF_SUFFIXES))):
        raise ma.ValidationError(RESERVED_HANDLE)
    return handle


PASSWORD_RULE = validate.Length(10, 1024, error="Use at least 10 characters.")
# The most used passwords of 10 characters or more (breach lists); a guesser tries these first.
COMMON_PASSWORDS = frozenset({
    "1234567890", "0123456789", "1234567891", "12345678910", "123456789a", "1q2w3e4r5t", "qwertyuiop",
    "password12", "password123", "password1234", "passw0rd123", "iloveyou12", "qwerty1234", "qwerty12345",
    "1qaz2wsx3edc", "zaq12wsxcde", "abcdefghij", "abc1234567", "a123456789", "asdfghjkl1", "letmein123",
    "welcome123", "football12", "princess12", "sunshine12", "trustno123", "0987654321", "1111111111",
    "thawthawthaw", "spasticity", "multiplesclerosis", "baclofen123"})


def weak_password_errors(password: str, handle: str = "", email: str | None = "") -> list[str]:
    """Why a password of the right length is still easy to guess: common, one character, or the account's own
    handle or address."""
    folded = (password or "").casefold()
    problems = []
    if folded in COMMON_PASSWORDS or len(set(folded)) <= 2:
        problems.append("That password is one of the first an attacker would try. Please choose another.")
    elif (handle and handle.casefold() in folded) or (email and email.casefold().split("@")[0] in folded
                                                    and len(email.split("@")[0]) >= 4):
        problems.append("A password containing your handle or email address is easy to guess.")
    return problems


class RegistrationSchema(StrictSchema):
    handle = ma.fields.String(required=True, validate=[validate.Length(3, 30), HANDLE_RULE],
                              metadata={"description": "Pseudonymous name shown to others, 3–30 characters"})
    email = ma.fields.Email(required=True, validate=validate.Length(max=254),
                            metadata={"description": "Private; never shown to anyone else"})
    password = ma.fields.String(required=True, load_only=True, validate=PASSWORD_RULE)


class SignInSchema(StrictSchema):
    login = ma.fields.String(required=True, validate=validate.Length(1, 254),
                             metadata={"description": "Handle or email"})
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))


class MemberSchema(ma.Schema):
    id = ma.fields.Integer()
    handle = ma.fields.String()
    role = ma.fields.Enum(Role, by_value=True)
    joined_at = UTCDateTime()


class MeSchema(MemberSchema):
    email = ma.fields.Method("_email", metadata={"description": "The verified address, or the one waiting for "
                                                                "verification when none is verified yet"})
    email_verified = ma.fields.Method("_verified", metadata={"description": "Whether `email` is verified"})
    pending_email = ma.fields.String(allow_none=True,
                                     metadata={"description": "An address waiting for its emailed link"})
    status = ma.fields.Enum(MemberStatus, by_value=True)

    def _email(self, member) -> str | None:
        return member.email or member.pending_email

    def _verified(self, member) -> bool:
        return member.email is not None


class VerificationSchema(StrictSchema):
    token = ma.fields.String(required=True, validate=validate.Length(1, 200),
                             metadata={"description": "The token of the emailed link"})


class ResetRequestSchema(StrictSchema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))


class ResetConfirmSchema(StrictSchema):
    token = ma.fields.String(required=True, validate=validate.Length(1, 200))
    password = ma.fields.String(required=True, load_only=True, validate=PASSWORD_RULE)


class PasswordChangeSchema(StrictSchema):
    untrimmed_fields = frozenset({"current_password", "new_password"})
    current_password = ma.fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))
    new_password = ma.fields.String(required=True, load_only=True, validate=PASSWORD_RULE)


class EmailChangeSchema(StrictSchema):
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))


class TokenInfoSchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = UTCDateTime()
    expires_at = UTCDateTime()
    current = ma.fields.Boolean(metadata={"description": "Whether this request carries it"})


class TokenListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TokenInfoSchema))


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    expires_at = UTCDateTime()
