"""The REST API's plumbing: flask-smorest with problem+json errors."""
import marshmallow as ma
from flask_smorest import Api


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every API error answers."""
    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # The app factory registers one error layer for pages and API alike.
        pass


BEARER = [{"bearerAuth": []}]


def register_security_scheme(api: Api) -> None:
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/tokens"}
    )
