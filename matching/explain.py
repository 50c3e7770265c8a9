"""Short human reasons for a suggested (need, partner) pair, in the partner's words.

Examples: "1.8 km from your base", "does lot mowing", "3 of 5 weekly slots left", "open 41 days",
"overdue 3 days", "priority 4", "completed 12 of 14 past tasks". Capability codes are shown
through an optional `labels` mapping (code -> label) and fall back to the code itself.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from matching.model import NeedSpec, PartnerSpec
from matching.scoring import age_and_overdue_days


def label(capability: str, labels: Mapping[str, str] | None) -> str:
    """Display label of a capability code."""
    if labels and capability in labels:
        return labels[capability]
    return capability


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def area_phrase(via: int, need: NeedSpec) -> str | None:
    """Why the need is in the area when it is not (only) within the radius."""
    if via == 1:
        return f"in your neighbourhood list ({need.neighbourhood})"
    if via == 2:
        return "inside your service area"
    return None


def reasons(
    need: NeedSpec,
    partner: PartnerSpec,
    distance_km: float,
    now: datetime,
    *,
    labels: Mapping[str, str] | None = None,
    via: int = 0,
    kept: bool = False,
) -> tuple[str, ...]:
    """Reasons for the pair, most concrete first."""
    out = [f"{distance_km:.1f} km from your base"]
    area = area_phrase(via, need)
    if area:
        out.append(area)
    out.append(f"does {label(need.capability, labels)}")
    slot = partner.capabilities.get(need.capability)
    if slot is not None:
        out.append(f"{slot.tasks_left} of {slot.tasks_per_week} weekly slots left")
    age, overdue = age_and_overdue_days(need, now)
    out.append(f"open {_days(int(age))}")
    if overdue >= 1.0:
        out.append(f"overdue {_days(int(overdue))}")
    out.append(f"priority {need.priority}")
    record = partner.track_record
    total = record.completed + record.released
    if total:
        out.append(f"completed {record.completed} of {total} past tasks")
    else:
        out.append("no track record yet")
    if kept:
        out.append("kept from the previous plan")
    return tuple(out)
