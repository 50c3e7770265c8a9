"""A stored plan's assignments as rows: one COPY on PostgreSQL, one multi-row INSERT elsewhere.

At 100k needs a plan stores about 41k assignments with 8 reasons each, about 23 MB of JSON.
Written through SQLAlchemy's multi-row insert on PostgreSQL, building the row dicts, dumping
every reason and psycopg's per-row parameters took longer than reading the city for the plan
(bench/README.md, "The city plan through the product"). Here each distinct reason is turned
into JSON once (`reason_json`: most reasons repeat across assignments, "does mowing", the
track record, the slots), each row's reasons are joined from those pieces, and PostgreSQL
receives them by COPY inside the caller's transaction, so a failure still stores nothing.

Reasons are stored as data (`stored_reason`) and rendered for each reader when shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import insert

import matching
from commonground.extensions import db
from planning.models import PlanAssignment

COPY_ASSIGNMENTS = (
    "COPY plan_assignment (plan_id, need_id, partner_id, score, distance_km, reasons, status) "
    "FROM STDIN"
)
PROPOSED = "proposed"


def stored_reason(reason: matching.Reason) -> dict[str, Any]:
    """A reason as stored with a plan assignment: data, rendered for each reader when shown."""
    return {"kind": reason.kind, "tone": reason.tone, "values": reason.as_dict()}


@lru_cache(maxsize=1 << 16)
def reason_json(reason: matching.Reason) -> str:
    """One stored reason as JSON text, made once per distinct reason (reasons are hashable)."""
    return json.dumps(stored_reason(reason), separators=(",", ":"), allow_nan=False)


def reasons_json(reasons: Sequence[matching.Reason]) -> str:
    """An assignment's stored reasons as one JSON array."""
    return "[" + ",".join(reason_json(r) for r in reasons) + "]"


def store_assignments(plan_id: int, assignments: Sequence[matching.Suggestion]) -> None:
    """Write a plan's assignments, all "proposed", in the session's current transaction."""
    if not assignments:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(COPY_ASSIGNMENTS) as copy:
            for s in assignments:
                copy.write_row(
                    (
                        plan_id,
                        s.need_id,
                        s.partner_id,
                        s.score,
                        round(s.distance_km, 3),
                        reasons_json(s.reason_items),
                        PROPOSED,
                    )
                )
        return
    rows = [
        {
            "plan_id": plan_id,
            "need_id": s.need_id,
            "partner_id": s.partner_id,
            "score": s.score,
            "distance_km": round(s.distance_km, 3),
            "reasons": [stored_reason(r) for r in s.reason_items],
            "status": PROPOSED,
        }
        for s in assignments
    ]
    db.session.execute(insert(PlanAssignment), rows)
