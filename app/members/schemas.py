import marshmallow as ma
from marshmallow import validate

from app.core.schemas import StrictSchema, UTCDateTime
from app.members.models import MemberStatus, Role

HANDLE_RULE = validate.Regexp(
    r"^[A-Za-z0-9_-]+$", error="Use only letters, digits, _ and -."
)


class RegistrationSchema(StrictSchema):
    handle = ma.fields.String(required=True, validate=[validate.Length(3, 30), HANDLE_RULE],
                              metadata={"description": "Pseudonymous name shown to others, 3–30 characters"})
    email = ma.fields.Email(required=True, validate=validate.Length(max=254),
                            metadata={"description": "Private; never shown to anyone else"})
    password = ma.fields.String(required=True, load_only=True,
                                validate=validate.Length(10, 1024, error="Use at least 10 characters."))


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
    email = ma.fields.String()
    status = ma.fields.Enum(MemberStatus, by_value=True)


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    expires_at = UTCDateTime()
