"""The KPI report by aggregation in the database: the figures `performance.kpis` defines,
counted, grouped and summed by SQL instead of reading every need event into Python (25-30 s
at 100k needs, issue 14).

What leaves the database is one row per month and action, one per need whose first claim (or
completion) falls in the period (medians are taken here: SQLite has no percentile), and a few
sums. Months are the city's: each event's month is found by comparing its time with the UTC
instants at which the city's months begin, so SQLite and PostgreSQL bucket alike without any
time-zone function of their own.

Must not import Flask. Callers pass the need conditions (filters) and the period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import ColumnElement, Float, Select, and_, case, exists, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from commonground.extensions import db
from needs.models import Claim, Need, NeedEvent
from performance.kpis import (
    CLOSED_WITHOUT_WORK,
    COUNTED_ACTIONS,
    MONTHLY_FIELDS,
    PARTNER_ACTIONS,
    median_days,
    months_between,
)


class days_between(FunctionElement):
    """Days from the second timestamp to the first, as a float, in SQL: the rows of the
    medians come out as numbers, not as timestamps to convert one by one (most of the time of
    the medians at 100k needs)."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between_postgresql(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def _with_needs(query: Select, on, conditions: Sequence[ColumnElement[bool]]) -> Select:
    """`query` joined with the need it is about when there are need conditions."""
    if not conditions:
        return query
    return query.join(Need, Need.id == on).where(*conditions)


def _month_bucket(months: Sequence[str], zone: ZoneInfo) -> ColumnElement[int]:
    """The position in `months` of each event's month (city time), as a SQL expression on
    `need_event.at`; events are already limited to the period."""
    edges = []
    for month in months[1:]:
        year, number = (int(part) for part in month.split("-"))
        edges.append(datetime(year, number, 1, tzinfo=zone).astimezone(UTC))
    if not edges:
        return literal(0)
    return case(
        *((NeedEvent.at < edge, position) for position, edge in enumerate(edges)),
        else_=len(edges),
    )


def _monthly(
    conditions: Sequence[ColumnElement[bool]],
    months: Sequence[str],
    zone: ZoneInfo,
    inside: ColumnElement[bool],
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    table = [{"month": m, **dict.fromkeys(MONTHLY_FIELDS, 0)} for m in months]
    bucket = _month_bucket(months, zone).label("bucket")
    counted = _with_needs(
        select(bucket, NeedEvent.action, func.count())
        .where(inside, NeedEvent.action.in_(COUNTED_ACTIONS))
        .group_by(bucket, NeedEvent.action),
        NeedEvent.need_id,
        conditions,
    )
    for position, action, count in db.session.execute(counted):
        table[position][COUNTED_ACTIONS[action]] += count
    by_partner = and_(
        inside, NeedEvent.action.in_(PARTNER_ACTIONS), NeedEvent.partner_id.is_not(None)
    )
    active = _with_needs(
        select(bucket, func.count(NeedEvent.partner_id.distinct()))
        .where(by_partner)
        .group_by(bucket),
        NeedEvent.need_id,
        conditions,
    )
    for position, count in db.session.execute(active):
        table[position]["partners_active"] = count
    totals = {name: sum(row[name] for row in table) for name in COUNTED_ACTIONS.values()}
    totals["partners_active"] = (
        db.session.scalar(
            _with_needs(
                select(func.count(NeedEvent.partner_id.distinct())).where(by_partner),
                NeedEvent.need_id,
                conditions,
            )
        )
        or 0
    )
    return table, totals


EVENT_COLUMNS = ("need_id", "month", "action", "partner_id")
"""The columns of `events_by_month`'s table."""


def events_by_month(
    conditions: Sequence[ColumnElement[bool]],
    months: Sequence[str],
    timezone: str,
    inside: ColumnElement[bool],
    actions: Sequence[str],
) -> np.ndarray:
    """The events meeting `inside` (limited to the months and to `actions`) of the needs meeting
    `conditions`, one row each, as an integer table (rows x `EVENT_COLUMNS`): need id,
    position of the city month in `months`, position of the action in `actions`, partner id
    or -1 for none.

    A briefing sums these over the exact set of needs in an area (worked out in Python) for
    its trend and the groups at work there, instead of reading each event and converting its
    time (issue 14); months are bucketed as the KPI report buckets them (`_month_bucket`).
    Not grouped in SQL: a need has about one event of an action a month, so a wide area's
    ~71k events made ~71k groups, and grouping them (spilling to disk) was about half of the
    query. Every column leaves SQL as an integer, so the rows are read into the table in one
    pass (6 ms instead of 17 ms as tuples, then arrays)."""
    bucket = _month_bucket(months, ZoneInfo(timezone))
    action = case(*((NeedEvent.action == a, k) for k, a in enumerate(actions)), else_=-1)
    query = _with_needs(
        select(NeedEvent.need_id, bucket, action, func.coalesce(NeedEvent.partner_id, -1)).where(
            inside
        ),
        NeedEvent.need_id,
        conditions,
    )
    values = chain.from_iterable(db.session.execute(query))
    return np.fromiter(values, np.int64).reshape(-1, len(EVENT_COLUMNS))


def _time_to(
    conditions: Sequence[ColumnElement[bool]], action: str, start: datetime, end: datetime
) -> dict[str, Any]:
    """Median days to claim (or complete), in SQL: the needs whose first `action` is in the
    period (an `action` in the period and none before it), each with its first time and its
    need's facts."""
    earlier = aliased(NeedEvent)
    first = (
        select(NeedEvent.need_id, func.min(NeedEvent.at).label("first_at"))
        .where(
            NeedEvent.action == action,
            NeedEvent.at >= start,
            NeedEvent.at < end,
            ~exists().where(
                earlier.need_id == NeedEvent.need_id,
                earlier.action == action,
                earlier.at < start,
            ),
        )
        .group_by(NeedEvent.need_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            days_between(first.c.first_at, Need.opened_at),
            Need.capability_code,
            Need.neighbourhood,
        )
        .select_from(first)
        .join(Need, Need.id == first.c.need_id)
        .where(*conditions)
    )
    days: list[float] = []
    by_cap: dict[str, list[float]] = defaultdict(list)
    by_hood: dict[str, list[float]] = defaultdict(list)
    for value, capability, neighbourhood in rows:
        days.append(value)
        by_cap[capability].append(value)
        by_hood[neighbourhood or "(none)"].append(value)
    return {
        "median_days": median_days(days),
        "needs": len(days),
        "by_capability": {
            k: {"median_days": median_days(v), "needs": len(v)} for k, v in sorted(by_cap.items())
        },
        "by_neighbourhood": {
            k: {"median_days": median_days(v), "needs": len(v)} for k, v in sorted(by_hood.items())
        },
    }


def _resolution(
    conditions: Sequence[ColumnElement[bool]], inside: ColumnElement[bool]
) -> dict[str, Any]:
    """The share resolved by partners, in SQL: each need's last resolving event in the period (by
    time, then by the order events were recorded)."""
    latest = _with_needs(
        select(
            NeedEvent.action,
            func.row_number()
            .over(
                partition_by=NeedEvent.need_id,
                order_by=(NeedEvent.at.desc(), NeedEvent.id.desc()),
            )
            .label("newest"),
        ).where(inside, NeedEvent.action.in_(("verify", *sorted(CLOSED_WITHOUT_WORK)))),
        NeedEvent.need_id,
        conditions,
    ).subquery()
    resolved, by_partners = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((latest.c.action == "verify", 1), else_=0)), 0),
        ).where(latest.c.newest == 1)
    ).one()
    return {
        "resolved": resolved,
        "by_partners": by_partners,
        "share_by_partners": round(by_partners / resolved, 3) if resolved else None,
    }


def work_figures(
    conditions: Sequence[ColumnElement[bool]], start: datetime, end: datetime
) -> dict[str, Any]:
    """Volunteers, hours and units (as `kpis.work_totals` sums them), in SQL: the accepted work
    reports completed in [start, end) on the needs meeting `conditions` (reports, volunteers,
    volunteer hours, units per kind, partners)."""
    accepted = (
        Claim.completed_at >= start,
        Claim.completed_at < end,
        Claim.status != "rejected",
    )
    reports, volunteers, hours, partners = db.session.execute(
        _with_needs(
            select(
                func.count(),
                func.sum(Claim.volunteers),
                func.sum(Claim.hours),
                func.count(Claim.partner_id.distinct()),
            ).where(*accepted),
            Claim.need_id,
            conditions,
        )
    ).one()
    kind = func.coalesce(func.nullif(Claim.unit_kind, ""), "units")
    units = db.session.execute(
        _with_needs(
            select(kind, func.sum(Claim.units))
            .where(*accepted, Claim.units.is_not(None), Claim.units != 0)
            .group_by(kind),
            Claim.need_id,
            conditions,
        )
    )
    return {
        "reports": reports,
        "volunteers": int(volunteers or 0),
        "volunteer_hours": round(float(hours or 0.0), 1),
        "units": {k: round(float(v), 1) for k, v in sorted(units.all())},
        "partners": partners,
    }


def kpi_figures(
    conditions: Sequence[ColumnElement[bool]],
    *,
    start: datetime,
    end: datetime,
    timezone: str,
) -> dict[str, Any]:
    """Every KPI for the half-open period [start, end) over the needs meeting `conditions`
    (SQL conditions on `need`), as `performance.kpis` defines them."""
    zone = ZoneInfo(timezone)
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    months = months_between(start.astimezone(zone).date(), last)
    inside = and_(NeedEvent.at >= start, NeedEvent.at < end)
    monthly, totals = _monthly(conditions, months, zone, inside)
    return {
        "months": monthly,
        "totals": totals,
        "time_to_claim": _time_to(conditions, "claim", start, end),
        "time_to_complete": _time_to(conditions, "complete", start, end),
        "resolution": _resolution(conditions, inside),
        "reopen_rate": round(totals["reopened"] / totals["completed"], 3)
        if totals["completed"]
        else None,
        "work": work_figures(conditions, start, end),
    }
