"""Week boundaries in the city's time zone, for weekly capacity.

Pure: must not import Flask, SQLAlchemy or any feature package.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def week_start(now: datetime, timezone: str) -> datetime:
    """Monday 00:00 of `now`'s week in the city's time zone, as an aware UTC datetime."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    # Re-attach the zone so a DST change during the week resolves correctly.
    monday = monday.replace(tzinfo=ZoneInfo(timezone))
    return monday.astimezone(UTC)
