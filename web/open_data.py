"""The public open-data report: the year's figures and the map of completed work. Readable
without signing in; it holds no personal data (see performance.services.open_data_report)."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for

from briefings import charts
from commonground.db_types import utcnow
from performance.services import open_data_report
from web.city_map import city_map

bp = Blueprint("open_data", __name__, url_prefix="/open-data")
YEAR = "<int(min=2000, max=2999):year>"


@bp.get("/")
def latest():
    """This year's report."""
    return redirect(url_for("open_data.report", year=utcnow().year))


@bp.get(f"/{YEAR}")
def report(year: int):
    """The annual report page."""
    data = open_data_report(year)
    months = data["months"]
    drawn = {
        "flow": charts.line_chart(
            [m["month"][5:] for m in months],
            [
                ("Posted", [m["posted"] for m in months]),
                ("Completed", [m["completed"] for m in months]),
            ],
            title=f"Needs posted and completed per month, {year}",
            width=720,
        ),
        "map": city_map(
            [
                charts.MapPoint(p["lat"], p["lon"], "done", p["capability"])
                for p in data["completed_work"]
            ],
            title=f"Completed work, {year}",
            height=480,
        ),
    }
    return render_template("open_data/report.html", report=data, charts=drawn)


@bp.get(f"/{YEAR}.json")
def report_json(year: int):
    """The annual report as JSON (open data)."""
    return jsonify(open_data_report(year))
