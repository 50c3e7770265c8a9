"""Finding probable duplicates: an open need of the same capability within a few metres.

`ProximityIndex` is a grid hash over (capability, latitude, longitude): cells a little larger
than the search radius, so a look-up checks the 3 x 3 cells around a point. Unlike a KD-tree
it takes insertions as an import goes, so two rows of the same file can find each other.
Distances are equirectangular metres - exact enough at tens of metres.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

__all__ = ["DEFAULT_DUPLICATE_RADIUS_M", "ProximityIndex", "distance_m"]

DEFAULT_DUPLICATE_RADIUS_M = 30.0
_METRES_PER_DEGREE = 111_195.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres (good to well under 1 % below a few km)."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dy = (lat1 - lat2) * _METRES_PER_DEGREE
    dx = (lon1 - lon2) * _METRES_PER_DEGREE * math.cos(mean_lat)
    return math.hypot(dx, dy)


class ProximityIndex:
    """Keys placed at points, grouped by capability; `nearest` finds one within the radius."""

    def __init__(self, radius_m: float = DEFAULT_DUPLICATE_RADIUS_M) -> None:
        if radius_m <= 0:
            raise ValueError("the duplicate radius must be positive")
        self.radius_m = radius_m
        self._cell_deg = radius_m / _METRES_PER_DEGREE
        self._cells: dict[tuple[str, int, int], list[tuple[Hashable, float, float]]] = {}
        self._where: dict[Hashable, tuple[str, int, int]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        # Longitude cells widen toward the poles so one cell always spans >= radius metres.
        lon_deg = self._cell_deg / max(math.cos(math.radians(lat)), 0.01)
        return math.floor(lat / self._cell_deg), math.floor(lon / lon_deg)

    def add(self, key: Hashable, capability: str, lat: float, lon: float) -> None:
        self.discard(key)
        cy, cx = self._cell(lat, lon)
        self._cells.setdefault((capability, cy, cx), []).append((key, lat, lon))
        self._where[key] = (capability, cy, cx)

    def discard(self, key: Hashable) -> None:
        cell = self._where.pop(key, None)
        if cell is not None:
            self._cells[cell] = [entry for entry in self._cells[cell] if entry[0] != key]

    def nearest(
        self, capability: str, lat: float, lon: float, *, exclude: Hashable | None = None
    ) -> Hashable | None:
        """The closest key of this capability within the radius (ties: the first added)."""
        cy, cx = self._cell(lat, lon)
        best: tuple[float, Hashable] | None = None
        # Neighbouring rows of cells may use a slightly different longitude width: look 2 wide.
        for dy in (-1, 0, 1):
            for dx in (-2, -1, 0, 1, 2):
                for key, klat, klon in self._cells.get((capability, cy + dy, cx + dx), ()):
                    if key == exclude:
                        continue
                    metres = distance_m(lat, lon, klat, klon)
                    if metres <= self.radius_m and (best is None or metres < best[0]):
                        best = (metres, key)
        return None if best is None else best[1]
