"""The neighbourhood x capability matrix of open demand against reachable weekly capacity.

Pure: pivots the coverage-gap cells the matching engine computes (plain dicts with
neighbourhood, capability, open_needs, effort_hours, weekly_volunteer_hours, weekly_tasks,
reachable_partners, shortfall_hours...) into rows a page can show, and grades each cell:
- "none": no partner reaches it at all;
- "short": demand in effort hours exceeds the reachable volunteer hours a week;
- "tight": demand is at least half of that capacity;
- "ok": capacity is more than twice the demand.

Must not import: Flask, SQLAlchemy, or any Common Ground package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

NO_NEIGHBOURHOOD = "(no neighbourhood)"


def grade(cell: Mapping[str, Any]) -> str:
    """How badly demand outruns reachable capacity in one cell (see module doc)."""
    if cell["reachable_partners"] == 0:
        return "none"
    demand = cell["effort_hours"]
    capacity = cell["weekly_volunteer_hours"]
    if demand > capacity:
        return "short"
    if demand * 2 >= capacity:
        return "tight"
    return "ok"


def gap_matrix(
    cells: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Rows by neighbourhood (most effort hours short first), one column per capability."""
    labels = labels or {}
    capabilities = sorted({c["capability"] for c in cells})
    by_hood: dict[str, dict[str, Mapping[str, Any]]] = {}
    for cell in cells:
        by_hood.setdefault(cell["neighbourhood"] or NO_NEIGHBOURHOOD, {})[cell["capability"]] = cell
    rows = []
    for hood, found in by_hood.items():
        row_cells = []
        for code in capabilities:
            cell = found.get(code)
            row_cells.append(
                None
                if cell is None
                else {
                    "open_needs": cell["open_needs"],
                    "effort_hours": round(cell["effort_hours"], 1),
                    "weekly_volunteer_hours": round(cell["weekly_volunteer_hours"], 1),
                    "weekly_tasks": cell["weekly_tasks"],
                    "reachable_partners": cell["reachable_partners"],
                    "shortfall_hours": round(cell["shortfall_hours"], 1),
                    "grade": grade(cell),
                }
            )
        rows.append(
            {
                "neighbourhood": hood,
                "cells": row_cells,
                "open_needs": sum(c["open_needs"] for c in found.values()),
                "effort_hours": round(sum(c["effort_hours"] for c in found.values()), 1),
                "shortfall_hours": round(sum(c["shortfall_hours"] for c in found.values()), 1),
            }
        )
    rows.sort(key=lambda r: (-r["shortfall_hours"], -r["effort_hours"], r["neighbourhood"]))
    return {
        "capabilities": [{"code": c, "label": labels.get(c, c)} for c in capabilities],
        "rows": rows,
        "totals": {
            "open_needs": sum(c["open_needs"] for c in cells),
            "effort_hours": round(sum(c["effort_hours"] for c in cells), 1),
            "shortfall_hours": round(sum(c["shortfall_hours"] for c in cells), 1),
        },
    }
