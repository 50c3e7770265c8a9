"""Input schemas of the matching engine in the product: a plan run, how many suggestions, and
where to look for recruitment targets.

Must not import Flask, SQLAlchemy, `api` or `web`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from commonground.fields import CapabilityCode


class PlanCreateSchema(Schema):
    """Parameters of a plan run."""

    k = fields.Integer(
        validate=validate.Range(1, 500),
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Partners per need in the starting network (default 8); "
            "pricing adds what else the optimum needs, so the plan is optimal whatever k"
        },
    )


class LimitSchema(Schema):
    """How many results."""

    limit = fields.Integer(validate=validate.Range(1, 500), load_default=None)


class RecruitmentQuerySchema(Schema):
    """Which capability and how far a new partner would reach."""

    capability = CapabilityCode(load_default=None)
    radius_km = fields.Float(validate=validate.Range(0.1, 50), load_default=3.0)
    limit = fields.Integer(validate=validate.Range(1, 100), load_default=10)
