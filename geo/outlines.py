"""Neighbourhood outlines drawn from the city's own data: each neighbourhood is the area nearer
its centre than any other's (a Voronoi cell), clipped to the city's bounds. The city keeps
centres, not surveyed boundaries, so these are honest approximations for a map without tiles:
labelled areas a resident recognises, not legal lines.

Pure: must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]  # latitude, longitude


def _clip(polygon: list[Point], a: float, b: float, c: float) -> list[Point]:
    """The part of `polygon` (x, y) where a*x + b*y <= c (Sutherland-Hodgman, one edge)."""
    out: list[Point] = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        inside_now = a * current[0] + b * current[1] <= c
        inside_before = a * previous[0] + b * previous[1] <= c
        if inside_now != inside_before:
            dx, dy = current[0] - previous[0], current[1] - previous[1]
            denominator = a * dx + b * dy
            if denominator:
                t = (c - a * previous[0] - b * previous[1]) / denominator
                out.append((previous[0] + t * dx, previous[1] + t * dy))
        if inside_now:
            out.append(current)
    return out


def neighbourhood_outlines(
    centres: Sequence[tuple[str, float, float]], bounds: tuple[float, float, float, float]
) -> list[tuple[str, list[Point]]]:
    """(name, outline as (lat, lon) points) for each centre, within (south, west, north, east).

    Distances are taken on the ground (longitude scaled by cos(latitude)), so the cells are
    the ones a person would draw.
    """
    south, west, north, east = bounds
    scale = max(math.cos(math.radians((south + north) / 2)), 0.01)
    xy = [(name, lon * scale, lat) for name, lat, lon in centres]
    box = [
        (west * scale, south),
        (east * scale, south),
        (east * scale, north),
        (west * scale, north),
    ]
    outlines = []
    for name, x, y in xy:
        cell = list(box)
        for other, ox, oy in xy:
            if other == name or (ox, oy) == (x, y):
                continue
            # Nearer to (x, y) than to (ox, oy): the half-plane on our side of the bisector.
            a, b = ox - x, oy - y
            c = (ox * ox + oy * oy - x * x - y * y) / 2
            cell = _clip(cell, a, b, c)
            if not cell:
                break
        if len(cell) >= 3:
            outlines.append((name, [(py, px / scale) for px, py in cell]))
    return outlines
