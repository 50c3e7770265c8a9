"""The neighbourhood x capability matrix of what the plan leaves unmet: pivot, grades, order."""

from __future__ import annotations

from performance.gaps import gap_matrix, grade


def cell(hood, cap, *, needs=1, planned=0, effort=2.0, hours=0.0, partners=0):
    unmet = needs - planned
    return {
        "neighbourhood": hood,
        "capability": cap,
        "open_needs": needs,
        "planned": planned,
        "unmet": unmet,
        "effort_hours": effort,
        "unmet_hours": effort * unmet / needs,
        "allocated_tasks": planned,
        "allocated_hours": hours,
        "reachable_partners": partners,
    }


def test_grades_say_whether_the_plan_meets_the_cell():
    assert grade(cell("A", "x", needs=2, partners=0)) == "none"
    assert grade(cell("A", "x", needs=2, planned=1, partners=3)) == "short"
    assert grade(cell("A", "x", needs=2, planned=0, partners=1)) == "short"  # reached, no slot
    assert grade(cell("A", "x", needs=2, planned=2, partners=1)) == "ok"


def test_rows_by_neighbourhood_most_unmet_first_with_a_column_per_capability():
    matrix = gap_matrix(
        [
            cell("Downtown", "litter", needs=3, planned=3, effort=9, hours=10, partners=2),
            cell("Downtown", "board_up", effort=4, partners=0),
            cell("Scotlandville", "mowing", needs=4, planned=2, effort=8, hours=3, partners=1),
            cell(None, "litter", effort=1, partners=0),
        ],
        {"litter": "Litter cleanup"},
    )
    assert [c["code"] for c in matrix["capabilities"]] == ["board_up", "litter", "mowing"]
    assert matrix["capabilities"][1]["label"] == "Litter cleanup"
    assert [r["neighbourhood"] for r in matrix["rows"]] == [
        "Scotlandville",
        "Downtown",
        "(no neighbourhood)",
    ]
    downtown = matrix["rows"][1]
    assert (downtown["open_needs"], downtown["planned"], downtown["unmet"]) == (4, 3, 1)
    assert downtown["unmet_hours"] == 4.0
    board_up, litter, mowing = downtown["cells"]
    assert board_up["grade"] == "none" and litter["grade"] == "ok" and mowing is None
    assert (litter["planned"], litter["unmet"], litter["allocated_hours"]) == (3, 0, 10.0)
    assert matrix["rows"][0]["cells"][2]["grade"] == "short"
    assert matrix["totals"] == {"open_needs": 9, "planned": 5, "unmet": 4, "unmet_hours": 9.0}
