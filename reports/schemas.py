"""Input schema of a resident's report, shared by the web form and Open311 apps.

Must not import Flask, SQLAlchemy, `api` or `web`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from commonground.fields import CapabilityCode, Latitude, Longitude, Text, Url


class ReportCreateSchema(Schema):
    """What a resident says: what kind of problem, where, what it looks like, and (optionally)
    who they are and whether they want to hear back."""

    capability = CapabilityCode(required=True)
    description = Text(required=True, min_length=3, max_length=5000, multiline=True)
    address = Text(max_length=300, load_default=None, allow_none=True)
    latitude = Latitude(load_default=None, allow_none=True)
    longitude = Longitude(load_default=None, allow_none=True)
    reporter_name = Text(max_length=120, load_default=None, allow_none=True)
    reporter_email = fields.Email(
        validate=validate.Length(max=254), load_default=None, allow_none=True
    )
    # Stated consent to be emailed about this report; without it no address is kept.
    notify = fields.Boolean(load_default=False)
    media_url = Url(load_default=None, allow_none=True)
