"""Use cases for the performance dashboard, the public open-data report and the coverage-gap
page. The KPIs are aggregated in the database (`performance.aggregates`, by the definitions of
`performance.kpis`); `report_row` hands plain rows to the pure arithmetic.
Reads use SQLAlchemy Core rows, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from accounts.actor import Actor
from capabilities.services import capability_labels
from commonground.db_types import utcnow
from commonground.errors import NotFoundError, ValidationError
from commonground.extensions import db
from needs.models import Claim, Need, NeedEvent
from performance.aggregates import kpi_figures
from performance.gaps import gap_matrix
from performance.kpis import ReportRow, median_days, work_totals
from planning.basis_cache import KeptByKey, frozen
from planning.queries import HISTORY_PARTS, city_version
from planning.services import coverage_gap_report, plan_basis, recruitment_report

MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: a date range (inclusive, city dates) and optional slices."""

    start: date
    end: date
    capability: str | None = None
    neighbourhood: str | None = None


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CITY_TIMEZONE"])


def _bounds(filters: Filters) -> tuple[datetime, datetime]:
    """The filter's dates as a half-open UTC interval [start 00:00, day after end 00:00)."""
    if filters.end < filters.start:
        raise ValidationError("The end date is before the start date.", {"end": ["Too early."]})
    if (filters.end - filters.start).days > MAX_DAYS:
        raise ValidationError("Choose at most three years.", {"start": ["Range too long."]})
    zone = _zone()
    start = datetime.combine(filters.start, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(date.fromordinal(filters.end.toordinal() + 1), time(0), tzinfo=zone)
    return start, end.astimezone(UTC)


def _need_conditions(filters: Filters) -> list:
    """The filter's slices as SQL conditions on `need`."""
    conditions = []
    if filters.capability:
        conditions.append(Need.capability_code == filters.capability)
    if filters.neighbourhood:
        conditions.append(Need.neighbourhood == filters.neighbourhood)
    return conditions


def report_row(r) -> ReportRow:
    """A claim's completion report (a row with the Claim columns) as KPI input."""
    return ReportRow(
        need_id=r.need_id,
        partner_id=r.partner_id,
        completed_at=r.completed_at,
        rejected=r.status == "rejected",
        volunteers=r.volunteers,
        hours=r.hours,
        units=r.units,
        unit_kind=r.unit_kind,
    )


def partner_impact(
    actor: Actor, partner_id: int, *, until: datetime | None = None
) -> dict[str, Any]:
    """A partner's work so far, the one reading the partner's page, its own impact page and
    its briefings share: tasks completed (reports not rejected by a reopen) and how many the
    city verified, volunteers, volunteer hours and units (per kind) summed as the dashboard
    sums them (`kpis.work_totals`: a measure left out counts as nothing), and the median days
    from claim to completion. Reports completed after `until` (default: now) are not counted.

    Seen by staff who read every partner and by the partner's own members (as its profile).
    """
    if not (actor.can("partner.read_all") or actor.is_member_of(partner_id)):
        raise NotFoundError(f"No partner with id {partner_id}.")
    until = until or utcnow()
    rows = db.session.execute(
        select(
            Claim.need_id,
            Claim.partner_id,
            Claim.status,
            Claim.claimed_at,
            Claim.completed_at,
            Claim.verified_at,
            Claim.volunteers,
            Claim.hours,
            Claim.units,
            Claim.unit_kind,
        ).where(
            Claim.partner_id == partner_id,
            Claim.completed_at.is_not(None),
            Claim.completed_at < until,
        )
    ).all()
    accepted = [r for r in rows if r.status != "rejected"]
    totals = work_totals([report_row(r) for r in rows], datetime.min.replace(tzinfo=UTC), until)
    return {
        "tasks_completed": totals["reports"],
        "tasks_verified": sum(1 for r in accepted if r.verified_at is not None),
        "volunteers": totals["volunteers"],
        "volunteer_hours": totals["volunteer_hours"],
        "units": totals["units"],
        "median_days_to_complete": median_days(
            (r.completed_at - r.claimed_at).total_seconds() / 86400 for r in accepted
        ),
        "as_of": until.isoformat(),
    }


KEPT_REPORTS: KeptByKey[Mapping[str, Any]] = KeptByKey(32)
"""KPI reports (and open-data reports) kept per process by what they count: computing one
reads a year of events (0.34 s at 100k needs on a quiet machine, issue 14), viewing one again
reads a fingerprint (one query)."""


def _report(filters: Filters) -> Mapping[str, Any]:
    """The KPIs for `filters`, kept (read-only, `frozen`) while the history, the capabilities'
    labels and the city's time zone are unchanged."""
    version = city_version(HISTORY_PARTS)  # the labels come with it
    key = ("kpis", version, filters, current_app.config["CITY_TIMEZONE"])
    labels = dict(version.labels or ())
    return KEPT_REPORTS.get_or_make(key, lambda: frozen(_compute_report(filters, labels)))


def _compute_report(filters: Filters, labels: Mapping[str, str]) -> dict[str, Any]:
    start, end = _bounds(filters)
    report = kpi_figures(
        _need_conditions(filters),
        start=start,
        end=end,
        timezone=current_app.config["CITY_TIMEZONE"],
    )
    report["filters"] = {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "capability": filters.capability,
        "neighbourhood": filters.neighbourhood,
    }
    for key in ("time_to_claim", "time_to_complete"):
        report[key]["by_capability"] = {
            code: {**value, "label": labels.get(code, code)}
            for code, value in report[key]["by_capability"].items()
        }
    return report


def default_filters(now: datetime | None = None) -> Filters:
    """The last twelve months to today (city dates)."""
    today = (now or utcnow()).astimezone(_zone()).date()
    first = date(today.year - 1, today.month, 1)
    return Filters(start=first, end=today)


def dashboard_report(actor: Actor, filters: Filters) -> Mapping[str, Any]:
    """Every KPI for the filters (see performance.kpis for the definitions)."""
    actor.require("dashboard.read")
    return _report(filters)


def open_data_report(year: int, *, now: datetime | None = None) -> Mapping[str, Any]:
    """The public annual report: the year's figures and the map of completed work.

    Public by design, so it takes no actor: it holds only counts, medians, sums and the places
    of completed work (need coordinates and kind of work), never names, contacts or notes.
    """
    today = (now or utcnow()).astimezone(_zone()).date()
    if not 2000 <= year <= today.year:
        raise ValidationError(f"No report for {year}.", {"year": ["Choose a past year."]})
    end = date(year, 12, 31) if year < today.year else today
    version = city_version(HISTORY_PARTS)
    key = ("open data", version, year, end, current_app.config["CITY_TIMEZONE"])
    labels = dict(version.labels or ())
    return KEPT_REPORTS.get_or_make(key, lambda: frozen(_open_data(year, end, labels)))


def _open_data(year: int, end: date, labels: Mapping[str, str]) -> dict[str, Any]:
    period = Filters(start=date(year, 1, 1), end=end)
    report = {**_report(period)}
    start_at, end_at = _bounds(period)
    rows = db.session.execute(
        select(Need.id, Need.latitude, Need.longitude, Need.capability_code)
        .join(NeedEvent, NeedEvent.need_id == Need.id)
        .where(
            NeedEvent.action == "complete",
            NeedEvent.at >= start_at,
            NeedEvent.at < end_at,
            Need.status.in_(("completed", "verified")),
            Need.latitude.is_not(None),
        )
        .distinct()
        .order_by(Need.id)
    )
    report["year"] = year
    report["partial_year"] = end != date(year, 12, 31)
    report["completed_work"] = [
        {
            "lat": round(r.latitude, 4),
            "lon": round(r.longitude, 4),
            "capability": labels.get(r.capability_code, r.capability_code),
        }
        for r in rows
    ]
    for key in ("time_to_claim", "time_to_complete"):
        report[key] = {k: v for k, v in report[key].items() if k != "by_neighbourhood"}
    return report


DETAIL_CELLS = 30
"""Cells listed one per line on the coverage page (most unmet first)."""


def coverage_page_report(
    actor: Actor, *, capability: str | None = None, radius_km: float = 3.0
) -> dict[str, Any]:
    """The coverage-gap page, from one city plan (`planning.services.plan_basis`): the
    neighbourhood x capability matrix of what the plan leaves unmet, the cells with the
    capacity it allocates, the needs no partner can reach, and recruitment targets."""
    actor.require("plan.read")
    basis = plan_basis(utcnow())
    gaps = coverage_gap_report(actor, basis=basis)
    labels = capability_labels()
    return {
        "plan": gaps["plan"],
        "matrix": gap_matrix(gaps["cells"], labels),
        "cells": gaps["cells"][:DETAIL_CELLS],
        "cells_truncated": len(gaps["cells"]) > DETAIL_CELLS,
        "unreachable": gaps["unreachable"],
        "zero_capacity_only": gaps["zero_capacity_only"],
        "new_since_plan": gaps["new_since_plan"],
        "recruitment": recruitment_report(
            actor, capability=capability, radius_km=radius_km, limit=10, basis=basis
        ),
        "capability": capability,
        "radius_km": radius_km,
        "labels": labels,
    }
