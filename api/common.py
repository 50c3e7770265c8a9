"""Schemas every resource shares: the error body and lifecycle/report inputs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.fields import Text


class ErrorResponseSchema(Schema):
    """The one error shape of the API."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status phrase"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "Per-field messages or details"})


class ReasonSchema(Schema):
    """A required reason (release, reopen, cancel...)."""

    reason = Text(required=True, min_length=1, max_length=1000, multiline=True)


class NoteSchema(Schema):
    """An optional note (verify)."""

    note = Text(load_default="", max_length=1000, multiline=True)


class CloseSchema(ReasonSchema):
    """Close a need without work."""

    duplicate_of = fields.Integer(
        strict=True, validate=validate.Range(1, 2**31 - 1), load_default=None, allow_none=True
    )
