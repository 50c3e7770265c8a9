"""Input schema of the performance report: a date range and optional slices.

Must not import Flask, SQLAlchemy, `api` or `web`.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from commonground.fields import CapabilityCode, NeighbourhoodName


class PerformanceQuerySchema(Schema):
    """A date range (city dates, inclusive; default the last twelve months) and slices."""

    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    capability = CapabilityCode(load_default=None)
    neighbourhood = NeighbourhoodName(load_default=None)
