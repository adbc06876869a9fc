"""HTML forms validated by the same marshmallow schemas as the API.

A rejected form is shown again with every message and with what the person
typed, except secrets such as passwords.
"""
import marshmallow as ma
from flask import request

from app.core.errors import DomainError
from app.core.input import refused_form_fields

SECRET_FIELDS = frozenset({"password", "current_password", "new_password"})


class Form:
    def __init__(self, schema: ma.Schema, initial: dict | None = None):
        self.schema = schema
        self.values: dict = dict(initial or {})
        self.errors: dict[str, list[str]] = {}
        self.data: dict = {}
        self.status = 200
        self.submitted = request.method == "POST"
        if self.submitted:
            raw = self._raw_values()
            # What the input layer refuses never reaches a service: the form is shown again with the
            # message, as a form that was not sent (views act only on a submitted one), keeping the
            # text typed into plain boxes; the views shape the other values only for a submitted form.
            refused = refused_form_fields()
            if refused:
                self._merge(refused)
                self.submitted = False
                raw = {key: value for key, value in raw.items() if isinstance(value, str) and key not in refused}
                raw = {**self.values, **raw}
            self.values = raw

    def _raw_values(self) -> dict:
        values = {}
        for name, field in self.schema.fields.items():
            if field.dump_only:
                continue
            key = field.data_key or name
            if isinstance(field, ma.fields.List):
                values[key] = [v for v in request.form.getlist(key) if v.strip()]
            elif isinstance(field, ma.fields.Boolean):
                values[key] = key in request.form
            elif key in request.form:
                values[key] = request.form[key]
        return values

    def validate(self) -> bool:
        """True when the form was posted and every field is valid."""
        if not self.submitted:
            return False
        try:
            self.data = self.schema.load(self._without_blank_optionals())
        except ma.ValidationError as error:
            self._merge(error.messages if isinstance(error.messages, dict) else {"_form": error.messages})
            return False
        return True

    def _without_blank_optionals(self) -> dict:
        # An empty box means "not given" for optional fields, as in the API.
        return {k: v for k, v in self.values.items()
                if not (v == "" and k in self.schema.fields and not self.schema.fields[k].required)}

    def fail(self, error: DomainError) -> None:
        """Show a service's refusal on the form."""
        self.status = error.status
        if error.errors:
            self._merge(error.errors)
        else:
            self.errors.setdefault("_form", []).append(error.detail)

    def _merge(self, messages: dict) -> None:
        self.status = 422 if self.status == 200 else self.status
        for field, field_messages in messages.items():
            if isinstance(field_messages, dict):  # a list field: {index: [messages]}
                field_messages = [m for ms in field_messages.values() for m in (ms if isinstance(ms, list) else [ms])]
            self.errors.setdefault(field, []).extend(field_messages)

    def value(self, name: str, default=""):
        if name in SECRET_FIELDS:
            return ""
        return self.values.get(name, default)

    def errors_for(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(field, message) pairs for the error summary at the top of the form."""
        return [(field, message) for field, messages in self.errors.items() for message in messages]
