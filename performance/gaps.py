"""The neighbourhood x capability matrix of what the city plan leaves unmet.

Pure: pivots the coverage-gap cells the matching engine computes from the city plan (plain dicts
with neighbourhood, capability, open_needs, planned, unmet, unmet_hours, allocated_tasks,
allocated_hours, reachable_partners...) into rows a page can show, and grades each cell:
- "none": no active partner that does the work reaches it at all;
- "short": the plan leaves some of its open needs unassigned (unmet > 0);
- "ok": the plan assigns every open need.
Counts are tasks (needs); a partner's slots are counted once, in the cell the plan spends them.

Must not import: Flask, SQLAlchemy, or any Common Ground package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

NO_NEIGHBOURHOOD = "(no neighbourhood)"
SUMMED = ("open_needs", "planned", "unmet", "unmet_hours")


def grade(cell: Mapping[str, Any]) -> str:
    """Whether the plan meets the demand of one cell (see module doc)."""
    if cell["reachable_partners"] == 0:
        return "none"
    return "short" if cell["unmet"] > 0 else "ok"


def _sums(cells: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {key: sum(c[key] for c in cells) for key in SUMMED}
    out["unmet_hours"] = round(out["unmet_hours"], 1)
    return out


def gap_matrix(
    cells: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Rows by neighbourhood (most unmet first), one column per capability."""
    labels = labels or {}
    capabilities = sorted({c["capability"] for c in cells})
    by_hood: dict[str, dict[str, Mapping[str, Any]]] = {}
    for cell in cells:
        by_hood.setdefault(cell["neighbourhood"] or NO_NEIGHBOURHOOD, {})[cell["capability"]] = cell
    rows = []
    for hood, found in by_hood.items():
        row_cells = [
            None
            if (cell := found.get(code)) is None
            else {
                "open_needs": cell["open_needs"],
                "planned": cell["planned"],
                "unmet": cell["unmet"],
                "unmet_hours": round(cell["unmet_hours"], 1),
                "allocated_hours": round(cell["allocated_hours"], 1),
                "reachable_partners": cell["reachable_partners"],
                "grade": grade(cell),
            }
            for code in capabilities
        ]
        rows.append({"neighbourhood": hood, "cells": row_cells, **_sums(list(found.values()))})
    rows.sort(key=lambda r: (-r["unmet"], -r["unmet_hours"], -r["open_needs"], r["neighbourhood"]))
    return {
        "capabilities": [{"code": c, "label": labels.get(c, c)} for c in capabilities],
        "rows": rows,
        "totals": _sums(cells),
    }
