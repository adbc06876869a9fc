import marshmallow as ma

from app.core.schemas import StrictSchema
from app.notifications.models import Delivery
from app.notifications.preferences.services import CONFIGURABLE

_CHOICES = [d.value for d in Delivery]
_DOC = {"type": "object", "properties": {k.value: {"type": "string", "enum": _CHOICES} for k in CONFIGURABLE}}


class PreferencesSchema(ma.Schema):
    notifications = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(),
                                   metadata={"description": "Per kind: off, app, email, daily or weekly", **_DOC})
    auto_follow = ma.fields.Boolean(metadata={"description": "Follow the threads I start or reply to"})


class PreferencesUpdateSchema(StrictSchema):
    notifications = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=30)),
                                   values=ma.fields.String(validate=ma.validate.OneOf(_CHOICES)),
                                   load_default=dict, metadata=_DOC)
    auto_follow = ma.fields.Boolean(load_default=None, allow_none=True)
