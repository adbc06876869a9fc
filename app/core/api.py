"""The REST API's plumbing: flask-smorest with problem+json errors."""
import http

import marshmallow as ma
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from app.core.errors import PROBLEM_MIMETYPE


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

    def _register_responses(self):
        """The responses operations refer to (422, default), described as the problem+json they are."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as RFC 9457 problem details", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


BEARER = [{"bearerAuth": []}]


def register_security_scheme(api: Api) -> None:
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/tokens"}
    )
