"""Input schemas of jobs: starting one that needs no upload, and filtering the job list.

Must not import Flask, SQLAlchemy or any feature package but the shared field types.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from commonground.fields import Flag

STARTABLE = ("city_plan", "briefing_batch", "geocode_pending")
"""Kinds `POST /api/v1/jobs` starts (an import is started by uploading its file)."""


class JobQuerySchema(Schema):
    """Filters of the job list."""

    kind = fields.String(load_default=None, validate=validate.Length(max=40))
    active = fields.Boolean(load_default=False, metadata={"description": "Only queued/running"})


class JobCreateSchema(Schema):
    """Start a job: its kind and, for some kinds, what to do."""

    kind = fields.String(required=True, validate=validate.OneOf(STARTABLE))
    k = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "city_plan: partners per need in the starting network"},
    )
    partner_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        load_default=None,
        validate=validate.Length(max=10_000),
        metadata={"description": "briefing_batch: these partners (default: every active one)"},
    )
    retry_not_found = Flag(
        load_default=False,
        metadata={"description": "geocode_pending: try again addresses not found before"},
    )
