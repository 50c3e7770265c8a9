"""Programme performance over HTTP: the KPI report for a date range and optional slices."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor, token_blueprint
from api.common import ErrorResponseSchema
from performance import services

blp = token_blueprint(
    "performance",
    __name__,
    url_prefix="/api/v1/performance",
    description="KPIs from need events: throughput, speed, resolution, reopen rate, work done.",
)


class PerformanceQuerySchema(Schema):
    """A date range (city dates, inclusive; default the last twelve months) and slices."""

    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    capability = fields.String(validate=validate.Length(1, 40), load_default=None)
    neighbourhood = fields.String(validate=validate.Length(1, 80), load_default=None)


class MonthSchema(Schema):
    """One month's counts."""

    month = fields.String(metadata={"description": "YYYY-MM in the city's time zone"})
    posted = fields.Integer()
    claimed = fields.Integer()
    completed = fields.Integer()
    verified = fields.Integer()
    reopened = fields.Integer()
    partners_active = fields.Integer()


class TimeToSchema(Schema):
    """Median days from opening to the first claim (or completion), with how many needs."""

    median_days = fields.Float(allow_none=True)
    needs = fields.Integer()
    by_capability = fields.Dict()
    by_neighbourhood = fields.Dict()


class PerformanceSchema(Schema):
    """Every KPI for the period; definitions in performance/kpis.py."""

    filters = fields.Dict()
    months = fields.List(fields.Nested(MonthSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    time_to_claim = fields.Nested(TimeToSchema)
    time_to_complete = fields.Nested(TimeToSchema)
    resolution = fields.Dict(metadata={"description": "resolved, by_partners, share_by_partners"})
    reopen_rate = fields.Float(allow_none=True)
    work = fields.Dict(metadata={"description": "reports, volunteers, volunteer_hours, units"})


@blp.route("/")
class Performance(MethodView):
    @blp.arguments(PerformanceQuerySchema, location="query")
    @blp.response(200, PerformanceSchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(422, schema=ErrorResponseSchema)
    def get(self, query):
        """KPIs for a date range, optionally for one capability and/or neighbourhood."""
        default = services.default_filters()
        filters = services.Filters(
            start=query["start"] or default.start,
            end=query["end"] or default.end,
            capability=query["capability"],
            neighbourhood=query["neighbourhood"],
        )
        return services.dashboard_report(current_actor(), filters)
