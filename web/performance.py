"""The performance dashboard: KPIs from need events with SVG charts, filterable by date range,
capability and neighbourhood (city staff and viewers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from briefings import charts
from capabilities.services import capability_labels
from commonground.errors import ValidationError
from geo.services import list_neighbourhoods
from performance import services
from web.access import current_actor, login_required

bp = Blueprint("performance_pages", __name__, url_prefix="/performance")


def _date(name: str, default: date) -> date:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise ValidationError("Dates look like 2026-01-31.", {name: ["Not a date."]}) from exc


def dashboard_charts(report: dict[str, Any]) -> dict[str, str]:
    """The dashboard's SVG charts, drawn from the KPI report."""
    months = report["months"]
    short = [m["month"][2:] for m in months]
    return {
        "flow": charts.line_chart(
            short,
            [
                (name.title(), [m[name] for m in months])
                for name in ("posted", "claimed", "completed", "verified")
            ],
            title="Needs posted, claimed, completed and verified per month",
            width=720,
        ),
        "partners": charts.bar_chart(
            [(m["month"], m["partners_active"]) for m in months],
            title="Partners active per month",
            label_width=90,
        ),
        "complete_by_capability": charts.bar_chart(
            [
                (v["label"], v["median_days"] or 0)
                for v in report["time_to_complete"]["by_capability"].values()
            ],
            title="Median days from posting to completion, by kind of work",
        ),
    }


@bp.get("/")
@login_required
def index():
    """KPIs for the chosen filters (default: the last twelve months)."""
    default = services.default_filters()
    filters = services.Filters(
        start=_date("start", default.start),
        end=_date("end", default.end),
        capability=(request.args.get("capability") or "").strip()[:40] or None,
        neighbourhood=(request.args.get("neighbourhood") or "").strip()[:80] or None,
    )
    report = services.dashboard_report(current_actor(), filters)
    return render_template(
        "performance/index.html",
        report=report,
        charts=dashboard_charts(report),
        labels=capability_labels(),
        neighbourhoods=[n.name for n in list_neighbourhoods()],
    )
