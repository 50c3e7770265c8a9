"""Times in the city's own zone, for pages and emails alike.

Stored times are aware UTC; a coordinator in Baton Rouge reads "2026-11-30 21:05 CST", not the
UTC clock, and a claim made at 02:00 UTC on the 1st was made on the 30th there. Pure formatting
(the zone is passed in): no database, no request, no feature package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def in_city_zone(moment: datetime, zone: str) -> datetime:
    """`moment` (aware, or naive meaning UTC) in the zone named `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone))


def city_time(moment: datetime | None, zone: str) -> str:
    """'2026-11-30 21:05 CST'; an empty string for no time."""
    if moment is None:
        return ""
    return in_city_zone(moment, zone).strftime("%Y-%m-%d %H:%M %Z")


def city_date(moment: datetime | None, zone: str) -> str:
    """'2026-11-30': the day it was in the city; an empty string for no time."""
    if moment is None:
        return ""
    return in_city_zone(moment, zone).strftime("%Y-%m-%d")


def city_day(moment: datetime, zone: str) -> date:
    """The calendar day `moment` falls on in the city."""
    return in_city_zone(moment, zone).date()
