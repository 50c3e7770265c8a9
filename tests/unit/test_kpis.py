"""KPI arithmetic on hand-built events and reports (see performance/kpis.py for definitions)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from performance.kpis import (
    EventRow,
    ReportRow,
    monthly_counts,
    months_between,
    work_totals,
)

TZ = "America/Chicago"


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def ev(need, action, when, *, opened=None, cap="litter_cleanup", hood="Downtown", partner=None):
    return EventRow(need, action, when, opened or when, cap, hood, partner)


# Need 1 (litter): posted 2 Mar, claimed 4 Mar (P1), completed 8 Mar, verified 10 Mar.
# Need 2 (mowing): posted 3 Mar, claimed 7 Mar (P2), completed 2 Apr, reopened 3 Apr.
# Need 3 (litter): posted 1 Apr, cancelled 2 Apr.  Need 4: posted 5 Apr, still open.
O1, O2, O3, O4 = at(3, 2), at(3, 3), at(4, 1), at(4, 5)
EVENTS = [
    ev(1, "post", O1),
    ev(1, "claim", at(3, 4), opened=O1, partner=1),
    ev(1, "start", at(3, 5), opened=O1, partner=1),
    ev(1, "complete", at(3, 8), opened=O1, partner=1),
    ev(1, "verify", at(3, 10), opened=O1, partner=1),
    ev(2, "post", O2, cap="lot_mowing", hood="Scotlandville"),
    ev(2, "claim", at(3, 7), opened=O2, cap="lot_mowing", hood="Scotlandville", partner=2),
    ev(2, "start", at(3, 8), opened=O2, cap="lot_mowing", hood="Scotlandville", partner=2),
    ev(2, "complete", at(4, 2), opened=O2, cap="lot_mowing", hood="Scotlandville", partner=2),
    ev(2, "reopen", at(4, 3), opened=O2, cap="lot_mowing", hood="Scotlandville", partner=2),
    ev(3, "post", O3),
    ev(3, "cancel", at(4, 2), opened=O3),
    ev(4, "post", O4),
]
REPORTS = [
    ReportRow(1, 1, at(3, 8), volunteers=4, hours=10.0, units=5, unit_kind="bags"),
    ReportRow(2, 2, at(4, 2), rejected=True, volunteers=9, hours=20.0, units=3, unit_kind="bags"),
]
START, END = at(3, 1, 6), at(5, 1, 5)  # 1 March 00:00 to 1 May 00:00, city time


def test_months_between_spans_years_inclusively():
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_monthly_counts_and_partners_active():
    table = monthly_counts(EVENTS, ["2026-03", "2026-04"], TZ)
    assert table["2026-03"] == {
        "posted": 2,
        "claimed": 2,
        "completed": 1,
        "verified": 1,
        "reopened": 0,
        "partners_active": 2,
    }
    assert table["2026-04"] == {
        "posted": 2,
        "claimed": 0,
        "completed": 1,
        "verified": 0,
        "reopened": 1,
        "partners_active": 1,
    }


def test_months_are_counted_in_the_city_time_zone():
    # 1 April 03:00 UTC is still 31 March in Chicago.
    table = monthly_counts([ev(9, "post", at(4, 1, 3))], ["2026-03", "2026-04"], TZ)
    assert table["2026-03"]["posted"] == 1 and table["2026-04"]["posted"] == 0


def test_rejected_reports_do_not_count_as_work_done():
    totals = work_totals(REPORTS, START, END)
    assert totals == {
        "reports": 1,
        "volunteers": 4,
        "volunteer_hours": 10.0,
        "units": {"bags": 5.0},
        "partners": 1,
    }


@pytest.mark.parametrize("action", ["start", "release"])
def test_a_partner_starting_or_releasing_is_active_that_month(action):
    table = monthly_counts([ev(1, action, at(3, 9), partner=7)], ["2026-03"], TZ)
    assert table["2026-03"]["partners_active"] == 1
