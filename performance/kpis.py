"""KPI definitions, and the arithmetic the briefings and a partner's impact do over plain rows
of need events and work reports (the city-wide report is aggregated in the database by
`performance.aggregates` to these definitions). Pure: no I/O, no clock.

Definitions (all over the half-open period [start, end), months in the city's time zone):
- posted / claimed / completed / verified / reopened per month: events with action post,
  claim, complete, verify, reopen whose time falls in the month.
- partners active per month: distinct partners with a claim, start, complete or release event.
- median days to claim: for each need whose FIRST claim falls in the period, days from the need
  being opened to that claim; the median over those needs (overall, by capability, by
  neighbourhood). Median days to complete: the same with the first completion.
- share resolved by partners: among needs resolved in the period — a `verify` (partner work
  confirmed) or a closing without work (`cancel`, `mark_not_actionable`, `close_at_source`;
  duplicates are not needs and do not count) — the share resolved by verification. Each need
  counts once, by its last resolving event in the period.
- reopen rate ("closed, not fixed"): reopen events / complete events in the period.
- volunteers, volunteer hours and units: summed over work reports completed in the period and
  not rejected by a reopen; units are summed per unit kind.

Must not import: Flask, SQLAlchemy, or any Common Ground package.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

COUNTED_ACTIONS = {
    "post": "posted",
    "claim": "claimed",
    "complete": "completed",
    "verify": "verified",
    "reopen": "reopened",
}
PARTNER_ACTIONS = frozenset({"claim", "start", "complete", "release"})
CLOSED_WITHOUT_WORK = frozenset({"cancel", "mark_not_actionable", "close_at_source"})
MONTHLY_FIELDS = (*COUNTED_ACTIONS.values(), "partners_active")


@dataclass(frozen=True)
class EventRow:
    """One need event with what the KPIs need to know of its need."""

    need_id: int
    action: str
    at: datetime
    opened_at: datetime
    capability: str
    neighbourhood: str | None = None
    partner_id: int | None = None


@dataclass(frozen=True)
class ReportRow:
    """One partner's work report (a completed claim)."""

    need_id: int
    partner_id: int
    completed_at: datetime
    rejected: bool = False
    volunteers: int | None = None
    hours: float | None = None
    units: float | None = None
    unit_kind: str | None = None


def month_of(moment: datetime, timezone: str) -> str:
    """'YYYY-MM' of the moment in the city's time zone."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


def months_between(first: date, last: date) -> list[str]:
    """Every 'YYYY-MM' from the month of `first` to the month of `last`, inclusive."""
    year, month = first.year, first.month
    out = []
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def median_days(values: Iterable[float]) -> float | None:
    """The median rounded to 0.1 day, or None without values."""
    found = list(values)
    return round(statistics.median(found), 1) if found else None


def monthly_counts(
    events: Sequence[EventRow], months: Sequence[str], timezone: str
) -> dict[str, dict[str, int]]:
    """Per month: events of each counted action, and distinct partners active."""
    table = {m: dict.fromkeys(MONTHLY_FIELDS, 0) for m in months}
    partners: dict[str, set[int]] = defaultdict(set)
    for event in events:
        month = month_of(event.at, timezone)
        if month not in table:
            continue
        name = COUNTED_ACTIONS.get(event.action)
        if name:
            table[month][name] += 1
        if event.action in PARTNER_ACTIONS and event.partner_id is not None:
            partners[month].add(event.partner_id)
    for month, ids in partners.items():
        table[month]["partners_active"] = len(ids)
    return table


def work_totals(reports: Sequence[ReportRow], start: datetime, end: datetime) -> dict[str, Any]:
    """Volunteers, volunteer hours and units (per kind) of accepted reports in the period."""
    kept = [r for r in reports if start <= r.completed_at < end and not r.rejected]
    units: dict[str, float] = defaultdict(float)
    for report in kept:
        if report.units:
            units[report.unit_kind or "units"] += report.units
    return {
        "reports": len(kept),
        "volunteers": sum(r.volunteers or 0 for r in kept),
        "volunteer_hours": round(sum(r.hours or 0.0 for r in kept), 1),
        "units": {kind: round(value, 1) for kind, value in sorted(units.items())},
        "partners": len({r.partner_id for r in kept}),
    }
