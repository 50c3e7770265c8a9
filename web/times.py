"""Times on pages in the city's own zone: the `citytime` and `citydate` template filters.

Stored times are aware UTC; a coordinator in Baton Rouge reads "2026-11-30 21:05 CST", not the
UTC clock, and a claim made at 02:00 UTC on the 1st was made on the 30th there. The formatting
itself lives in `commonground.citytime` (emails use it too); this module only installs it.
"""

from __future__ import annotations

from flask import Flask, current_app

from commonground.citytime import city_date, city_time, in_city_zone

__all__ = ["city_date", "city_time", "in_city_zone", "install"]


def install(app: Flask) -> None:
    """Register the filters; the zone is read from CITY_TIMEZONE when a page is drawn."""
    app.jinja_env.filters["citytime"] = lambda m: city_time(m, current_app.config["CITY_TIMEZONE"])
    app.jinja_env.filters["citydate"] = lambda m: city_date(m, current_app.config["CITY_TIMEZONE"])
