"""The audit log as the API shows it, and the filters it takes."""
import marshmallow as ma
from marshmallow import validate

from app.core.pagination import PageArgs
from app.core.schemas import ListSchema, UTCDateTime


def _moderator(entry):
    return {"handle": entry.moderator_handle, "role": entry.moderator_role}


def _member(entry):
    return {"handle": entry.member_handle} if entry.member_handle else None


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    at = UTCDateTime()
    moderator = ma.fields.Function(_moderator, metadata={"type": "object"})
    action = ma.fields.String()
    target_type = ma.fields.String()
    target_id = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String()
    member = ma.fields.Function(_member, metadata={"type": "object", "nullable": True,
                                                   "description": "The member the action concerned"})
    details = ma.fields.Dict(allow_none=True)


class AuditListSchema(ListSchema):
    items = ma.fields.List(ma.fields.Nested(AuditEntrySchema))


class AuditQuerySchema(PageArgs):
    moderator = ma.fields.String(load_default=None, validate=validate.Length(max=30),
                                 metadata={"description": "Handle of the moderator who acted"})
    action = ma.fields.String(load_default=None, validate=validate.Length(max=40),
                              metadata={"description": "lock, unlock, pin, unpin, retag, edit, remove, warn, suspend, unsuspend, …"})
    member = ma.fields.String(load_default=None, validate=validate.Length(max=30),
                              metadata={"description": "Handle of the member the action concerned"})
