"""An offline, deterministic geocoder built from a CSV of address points.

`GazetteerGeocoder` is a real `geopy.geocoders.base.Geocoder`: it answers `geocode(query,
exactly_one=True, timeout=...)` and `reverse(query, exactly_one=True, timeout=...)` with
`geopy.location.Location` objects (or None, or a list), so it can stand in for Nominatim or
ArcGIS anywhere the project takes a geocoder. It never touches the network.

Forward look-ups compare *normalised* addresses (see `normalize_address`): case, punctuation,
extra spaces, street suffixes (Street/St, Road/Rd ...), directions (North/N ...), ordinal
words (Sixth/6th), unit designators (Apt 4, #4, Suite 200) and a trailing city, state and ZIP
are all folded away, so "1234 plank road, Baton Rouge LA 70805" finds "1234 Plank Rd".
Reverse look-ups return the nearest address point (scipy cKDTree on unit-sphere vectors).

Must not import Flask, SQLAlchemy or any Common Ground package: it is a pure geo component.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point
from scipy.spatial import cKDTree

__all__ = ["AddressPoint", "GazetteerGeocoder", "normalize_address", "street_key"]

EARTH_RADIUS_M = 6_371_008.8

# USPS Publication 28 style abbreviations (the common ones), applied to every token.
# fmt: off
_ABBREVIATIONS: dict[str, str] = {
    "STREET": "ST", "STR": "ST",
    "ROAD": "RD",
    "AVENUE": "AVE", "AV": "AVE", "AVEN": "AVE",
    "BOULEVARD": "BLVD", "BOUL": "BLVD",
    "DRIVE": "DR", "DRV": "DR",
    "HIGHWAY": "HWY", "HIWAY": "HWY",
    "LANE": "LN",
    "PLACE": "PL",
    "COURT": "CT",
    "CIRCLE": "CIR",
    "PARKWAY": "PKWY", "PKY": "PKWY",
    "TERRACE": "TER",
    "EXPRESSWAY": "EXPY",
    "FREEWAY": "FWY",
    "SQUARE": "SQ",
    "TRAIL": "TRL",
    "THRUWAY": "THWY", "TRWY": "THWY",
    "ALLEY": "ALY",
    "CROSSING": "XING",
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
    "NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
    "SAINT": "ST", "MOUNT": "MT", "FORT": "FT",
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH",
    "SIXTH": "6TH", "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH",
}

_UNIT_WORDS = frozenset(
    {"APT", "APARTMENT", "UNIT", "STE", "SUITE", "RM", "ROOM", "FLOOR", "BLDG", "BUILDING",
     "LOT", "SPC", "SPACE", "TRLR", "DEPT", "#"}  # not FL: it is also a state
)

_STATES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
        "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
        "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
        "VT", "VA", "WA", "WV", "WI", "WY", "PR",
    }
)
_STATE_NAMES = {
    "LOUISIANA": "LA", "MASSACHUSETTS": "MA", "TEXAS": "TX", "MISSISSIPPI": "MS",
}
_ZIP = re.compile(r"^\d{5}(?:-?\d{4})?$")
_PUNCTUATION = re.compile(r"[^\w#\s-]+")
_HASH_NUMBER = re.compile(r"#\s*(\w+)")
_RANGE = re.compile(r"^(\d+)[A-Z]?-(\d+)[A-Z]?$")


def _tokens(address: str) -> list[str]:
    text = address.upper().replace("&", " AND ")
    text = _HASH_NUMBER.sub(r" # \1 ", text)
    text = _PUNCTUATION.sub(" ", text)
    return [_ABBREVIATIONS.get(token, token) for token in text.split()]


def _drop_units(tokens: list[str]) -> list[str]:
    kept: list[str] = []
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token in _UNIT_WORDS and kept:
            skip_next = True
            continue
        kept.append(token)
    return kept


def _drop_trailing_state_and_zip(tokens: list[str]) -> tuple[list[str], str | None]:
    zip_code = None
    if tokens and _ZIP.match(tokens[-1]):
        zip_code = tokens.pop()[:5]
    if tokens and len(tokens) > 2 and (tokens[-1] in _STATES or tokens[-1] in _STATE_NAMES):
        tokens.pop()
    if tokens and tokens[-1] in {"USA", "US"}:
        tokens.pop()
    return tokens, zip_code


def normalize_address(address: str) -> str:
    """Fold an address to a canonical upper-case form (units, state and ZIP removed).

    The city is *not* removed here (it cannot be told from a street name without a list of
    cities); `GazetteerGeocoder` handles it by trying the longest known prefix.
    """
    tokens, _zip = _drop_trailing_state_and_zip(_drop_units(_tokens(address)))
    return " ".join(tokens)


def street_key(address: str) -> str:
    """The key an address *point* is indexed under: its normalised form."""
    return normalize_address(address)


@dataclass(frozen=True, slots=True)
class AddressPoint:
    """One row of the gazetteer: a street address and where it is."""

    address: str
    latitude: float
    longitude: float
    neighbourhood: str | None = None
    zip_code: str | None = None

    def raw(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "neighbourhood": self.neighbourhood,
            "zip": self.zip_code,
        }


def _unit_vectors(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    lat = np.radians(latitudes)
    lon = np.radians(longitudes)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _read_points(path: Path) -> Iterator[AddressPoint]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"address", "latitude", "longitude"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: address point file lacks columns {sorted(missing)}")
        for number, row in enumerate(reader, start=2):
            try:
                latitude, longitude = float(row["latitude"]), float(row["longitude"])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{number}: bad coordinates") from exc
            yield AddressPoint(
                address=row["address"].strip(),
                latitude=latitude,
                longitude=longitude,
                neighbourhood=(row.get("neighbourhood") or "").strip() or None,
                zip_code=(row.get("zip") or "").strip() or None,
            )


class _OfflineAdapter(BaseSyncAdapter):
    """An adapter that refuses to fetch anything: the gazetteer has no network to use."""

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        raise RuntimeError("GazetteerGeocoder is offline and never fetches URLs")

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise RuntimeError("GazetteerGeocoder is offline and never fetches URLs")


class GazetteerGeocoder(Geocoder):
    """Geocode against a fixed list of address points; deterministic and offline.

    `reverse_max_distance_m` bounds reverse look-ups: a point farther than that from every
    address point has no address (None), rather than the nearest one in another town.
    """

    def __init__(
        self,
        points: Iterable[AddressPoint],
        *,
        reverse_max_distance_m: float | None = 250.0,
        timeout: Any = DEFAULT_SENTINEL,
        user_agent: str | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout,
            user_agent=user_agent,
            adapter_factory=_OfflineAdapter,
        )
        self.points: tuple[AddressPoint, ...] = tuple(points)
        self.reverse_max_distance_m = reverse_max_distance_m
        self._by_key: dict[str, list[int]] = {}
        for index, point in enumerate(self.points):
            self._by_key.setdefault(street_key(point.address), []).append(index)
        if self.points:
            self._tree: cKDTree | None = cKDTree(
                _unit_vectors(
                    np.fromiter((p.latitude for p in self.points), float, len(self.points)),
                    np.fromiter((p.longitude for p in self.points), float, len(self.points)),
                )
            )
        else:
            self._tree = None

    @classmethod
    def from_csv(cls, path: str | Path, **options: Any) -> GazetteerGeocoder:
        """Build from a CSV with columns address, latitude, longitude[, neighbourhood, zip]."""
        return cls(_read_points(Path(path)), **options)

    def __len__(self) -> int:
        return len(self.points)

    # -- forward -------------------------------------------------------------------------
    def _candidates(self, query: str) -> list[int]:
        tokens, zip_code = _drop_trailing_state_and_zip(_drop_units(_tokens(query)))
        found: list[int] = []
        # Longest known prefix wins: "1234 PLANK RD BATON ROUGE" -> "1234 PLANK RD".
        for end in range(len(tokens), 1, -1):
            found = self._by_key.get(" ".join(tokens[:end]), [])
            if found:
                break
        if not found and tokens:
            ranged = _RANGE.match(tokens[0])  # "25-35 Chesterton St": try each end
            if ranged:
                for number in ranged.groups():
                    found = self._candidates(" ".join([number, *tokens[1:]]))
                    if found:
                        break
        if zip_code and len(found) > 1:
            same_zip = [i for i in found if (self.points[i].zip_code or "")[:5] == zip_code]
            found = same_zip or found
        return found

    def _location(self, index: int) -> Location:
        point = self.points[index]
        return Location(point.address, Point(point.latitude, point.longitude), point.raw())

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL
    ) -> Location | list[Location] | None:
        """Find an address point by (normalised) address; None when there is none."""
        if not isinstance(query, str):
            raise TypeError("GazetteerGeocoder.geocode takes an address string")
        found = self._candidates(query)
        if not found:
            return None
        if exactly_one:
            return self._location(found[0])
        return [self._location(i) for i in found]

    # -- reverse -------------------------------------------------------------------------
    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        limit: int = 5,
    ) -> Location | list[Location] | None:
        """The nearest address point (or up to `limit` of them, nearest first)."""
        point = Point(query)
        if self._tree is None:
            return None
        count = 1 if exactly_one else min(limit, len(self.points))
        chords, indexes = self._tree.query(
            _unit_vectors(np.array([point.latitude]), np.array([point.longitude]))[0], k=count
        )
        pairs = zip(np.atleast_1d(chords), np.atleast_1d(indexes), strict=True)
        results = []
        for chord, index in pairs:
            metres = 2 * EARTH_RADIUS_M * math.asin(min(1.0, float(chord) / 2))
            if self.reverse_max_distance_m is not None and metres > self.reverse_max_distance_m:
                break
            results.append(self._location(int(index)))
        if exactly_one:
            return results[0] if results else None
        return results or None
