"""Programme performance over HTTP: the KPI report for a date range and optional slices."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.blueprint import token_blueprint
from performance import services
from performance.schemas import PerformanceQuerySchema

blp = token_blueprint(
    "performance",
    __name__,
    "KPIs from need events: throughput, speed, resolution, reopen rate, work done.",
)


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
    @blp.errors(403, 422)
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
