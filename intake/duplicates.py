"""Finding probable duplicates: an open need of the same capability within a few metres.

`ProximityIndex` is a grid hash over (capability, latitude, longitude): cells a little larger
than the search radius, so a look-up checks the 3 x 3 cells around a point. Unlike a KD-tree
it takes insertions as an import goes, so two rows of the same file can find each other.
Distances are equirectangular metres - exact enough at tens of metres.

Parcels: adjacent parcels lie well under 30 m apart, so two rows that both name a parcel are the
same place exactly when the parcel ids match (at any distance), and rows on different parcels
are never probable duplicates; a row without a parcel id falls back to the radius. A radius of
0 turns the check off.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

__all__ = ["DEFAULT_DUPLICATE_RADIUS_M", "ProximityIndex", "distance_m"]

DEFAULT_DUPLICATE_RADIUS_M = 30.0
_METRES_PER_DEGREE = 111_195.0
_Entry = tuple[Hashable, float, float, str]  # key, latitude, longitude, parcel key ("" if none)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres (good to well under 1 % below a few km)."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dy = (lat1 - lat2) * _METRES_PER_DEGREE
    dx = (lon1 - lon2) * _METRES_PER_DEGREE * math.cos(mean_lat)
    return math.hypot(dx, dy)


class ProximityIndex:
    """Keys placed at points, grouped by capability; `nearest` finds one within the radius."""

    def __init__(self, radius_m: float = DEFAULT_DUPLICATE_RADIUS_M) -> None:
        if radius_m < 0 or not math.isfinite(radius_m):
            raise ValueError("the duplicate radius must be 0 (no check) or positive")
        self.radius_m = radius_m
        self.enabled = radius_m > 0
        self._cell_deg = (radius_m or 1.0) / _METRES_PER_DEGREE
        self._cells: dict[tuple[str, int, int], list[_Entry]] = {}
        self._where: dict[Hashable, tuple[str, int, int]] = {}
        self._parcels: dict[tuple[str, str], list[Hashable]] = {}  # in the order added
        self._parcel_of: dict[Hashable, tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        # Longitude cells widen toward the poles so one cell always spans >= radius metres.
        lon_deg = self._cell_deg / max(math.cos(math.radians(lat)), 0.01)
        return math.floor(lat / self._cell_deg), math.floor(lon / lon_deg)

    def add(
        self, key: Hashable, capability: str, lat: float, lon: float, parcel: str | None = None
    ) -> None:
        self.discard(key)
        if not self.enabled:
            return
        cy, cx = self._cell(lat, lon)
        parcel_key = _parcel_key(parcel)
        self._cells.setdefault((capability, cy, cx), []).append((key, lat, lon, parcel_key))
        self._where[key] = (capability, cy, cx)
        if parcel_key:
            self._parcels.setdefault((capability, parcel_key), []).append(key)
            self._parcel_of[key] = (capability, parcel_key)

    def discard(self, key: Hashable) -> None:
        cell = self._where.pop(key, None)
        if cell is not None:
            self._cells[cell] = [entry for entry in self._cells[cell] if entry[0] != key]
        parcel = self._parcel_of.pop(key, None)
        if parcel is not None:
            keys = self._parcels[parcel]
            keys.remove(key)  # a parcel holds a handful of needs at most
            if not keys:
                del self._parcels[parcel]

    def nearest(
        self,
        capability: str,
        lat: float,
        lon: float,
        *,
        parcel: str | None = None,
        exclude: Hashable | None = None,
    ) -> Hashable | None:
        """The same parcel's key, else the closest key of this capability within the radius
        that is not on another parcel (ties: the first added); None when the check is off."""
        if not self.enabled:
            return None
        parcel_key = _parcel_key(parcel)
        if parcel_key:
            for same in self._parcels.get((capability, parcel_key), ()):
                if same != exclude:
                    return same  # the first added on this parcel
        cy, cx = self._cell(lat, lon)
        best: tuple[float, Hashable] | None = None
        # Neighbouring rows of cells may use a slightly different longitude width: look 2 wide.
        for dy in (-1, 0, 1):
            for dx in (-2, -1, 0, 1, 2):
                for key, klat, klon, kparcel in self._cells.get((capability, cy + dy, cx + dx), ()):
                    if key == exclude or (parcel_key and kparcel):
                        continue  # two parcels: the same place only when the ids match (above)
                    metres = distance_m(lat, lon, klat, klon)
                    if metres <= self.radius_m and (best is None or metres < best[0]):
                        best = (metres, key)
        return None if best is None else best[1]


def _parcel_key(parcel: str | None) -> str:
    """A parcel id compared without case, spaces or punctuation ("0001-001" == "0001 001")."""
    return "".join(ch for ch in (parcel or "").casefold() if ch.isalnum())
