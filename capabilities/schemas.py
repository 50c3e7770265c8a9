"""Input schemas of the capability taxonomy: a new capability and the fields an admin may
change. A code, once made, is referred to everywhere with `commonground.fields.CapabilityCode`.

Must not import Flask, SQLAlchemy, `api` or `web`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from commonground.fields import Flag, Text

NEW_CODE = validate.Regexp(
    r"^[a-z][a-z0-9_]{1,39}$", error="Lower-case letters, digits, underscores."
)


class CapabilityUpdateSchema(Schema):
    """Fields an admin may change."""

    label = Text(max_length=80, min_length=1)
    description = Text(max_length=2000, multiline=True)
    default_effort_hours = fields.Float(validate=validate.Range(0.1, 1000))
    stale_start_days = fields.Integer(validate=validate.Range(1, 365), allow_none=True)
    stale_complete_days = fields.Integer(validate=validate.Range(1, 730), allow_none=True)
    is_active = Flag()


class CapabilityCreateSchema(CapabilityUpdateSchema):
    """A new taxonomy entry."""

    code = fields.String(required=True, validate=NEW_CODE)
    label = Text(max_length=80, min_length=1, required=True)
