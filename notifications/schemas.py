"""Input schema for a person's notification choices. Must not import Flask or SQLAlchemy."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from notifications.kinds import KINDS


class NotificationPreferencesSchema(Schema):
    """The kinds a person wants (every kind left out is switched off)."""

    enabled = fields.List(fields.String(validate=validate.OneOf(sorted(KINDS))), load_default=list)
