import marshmallow as ma

from app.core.schemas import UTCDateTime


class FailedDeliverySchema(ma.Schema):
    post_id = ma.fields.Integer()
    attempts = ma.fields.Integer()
    last_error = ma.fields.String(allow_none=True)
    updated_at = UTCDateTime()


class FailedJobSchema(ma.Schema):
    id = ma.fields.String()
    function = ma.fields.String()
    args = ma.fields.List(ma.fields.String())
    error = ma.fields.String(allow_none=True)


class FailedJobsSchema(ma.Schema):
    deliveries = ma.fields.List(ma.fields.Nested(FailedDeliverySchema))
    jobs = ma.fields.List(ma.fields.Nested(FailedJobSchema))
