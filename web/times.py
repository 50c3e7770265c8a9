"""Times on pages in the city's own zone: the `citytime` and `citydate` template filters.

Stored times are aware UTC; a coordinator in Baton Rouge reads "2026-11-30 21:05 CST", not the
UTC clock, and a claim made at 02:00 UTC on the 1st was made on the 30th there. Pure formatting:
no database, no request globals beyond the configured zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app


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


def install(app: Flask) -> None:
    """Register the filters; the zone is read from CITY_TIMEZONE when a page is drawn."""
    app.jinja_env.filters["citytime"] = lambda m: city_time(m, current_app.config["CITY_TIMEZONE"])
    app.jinja_env.filters["citydate"] = lambda m: city_date(m, current_app.config["CITY_TIMEZONE"])
