"""The city's own map without tiles, for public pages: neighbourhood outlines and names drawn
from the city's data (geo.outlines), the city's extent, and points on top (briefings.charts).
The public reports map and the open-data report's map are both this map. Must not import `api`.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app

from briefings import charts
from geo.outlines import neighbourhood_outlines
from geo.services import city_bounds, neighbourhood_centres


def outlines_for_pages() -> list[tuple[str, list[tuple[float, float]]]]:
    """The neighbourhood outlines for a page's Leaflet map (data-outlines), rounded."""
    centres = neighbourhood_centres()
    bounds = city_bounds(current_app.config.get("CITY_BOUNDS"))
    if not bounds or not centres:
        return []
    return [
        (name, [(round(lat, 5), round(lon, 5)) for lat, lon in outline])
        for name, outline in neighbourhood_outlines(centres, bounds)
    ]


def city_map(
    points: Sequence[charts.MapPoint], *, title: str, width: int = 720, height: int = 520
) -> str:
    """An SVG map of the whole city with `points` on it (safe to insert as is)."""
    centres = neighbourhood_centres()
    bounds = city_bounds(current_app.config.get("CITY_BOUNDS"))
    outlines = neighbourhood_outlines(centres, bounds) if bounds and centres else []
    extent = [(bounds[0], bounds[1]), (bounds[2], bounds[3])] if bounds else []
    return charts.area_map(
        points,
        title=title,
        places=centres,
        outlines=outlines,
        extent=extent,
        width=width,
        height=height,
    )
