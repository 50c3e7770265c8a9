"""The neighbourhood x capability matrix: pivot, grades, ordering and totals."""

from __future__ import annotations

from performance.gaps import gap_matrix, grade


def cell(hood, cap, *, needs=1, effort=2.0, hours=0.0, partners=0, tasks=0):
    return {
        "neighbourhood": hood,
        "capability": cap,
        "open_needs": needs,
        "effort_hours": effort,
        "weekly_volunteer_hours": hours,
        "weekly_tasks": tasks,
        "reachable_partners": partners,
        "shortfall_hours": max(0.0, effort - hours),
    }


def test_grades_compare_demand_with_reachable_hours():
    assert grade(cell("A", "x", effort=4, hours=0, partners=0)) == "none"
    assert grade(cell("A", "x", effort=12, hours=10, partners=1)) == "short"
    assert grade(cell("A", "x", effort=5, hours=10, partners=1)) == "tight"
    assert grade(cell("A", "x", effort=4.9, hours=10, partners=1)) == "ok"


def test_rows_by_neighbourhood_most_short_first_with_a_column_per_capability():
    matrix = gap_matrix(
        [
            cell("Downtown", "litter", needs=3, effort=9, hours=10, partners=2),
            cell("Downtown", "board_up", effort=4, partners=0),
            cell("Scotlandville", "mowing", effort=2.5, hours=3, partners=1),
            cell(None, "litter", effort=1, hours=0, partners=0),
        ],
        {"litter": "Litter cleanup"},
    )
    assert [c["code"] for c in matrix["capabilities"]] == ["board_up", "litter", "mowing"]
    assert matrix["capabilities"][1]["label"] == "Litter cleanup"
    assert [r["neighbourhood"] for r in matrix["rows"]] == [
        "Downtown",
        "(no neighbourhood)",
        "Scotlandville",
    ]
    downtown = matrix["rows"][0]
    assert downtown["open_needs"] == 4 and downtown["effort_hours"] == 13.0
    assert downtown["shortfall_hours"] == 4.0
    board_up, litter, mowing = downtown["cells"]
    assert board_up["grade"] == "none" and litter["grade"] == "tight" and mowing is None
    assert matrix["totals"] == {"open_needs": 6, "effort_hours": 16.5, "shortfall_hours": 5.0}
