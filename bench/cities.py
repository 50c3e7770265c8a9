"""Seeded synthetic cities for the matching benchmarks: four families that look like real cities.

Each generator takes (n_needs, n_partners, seed) and returns `(needs, partners, now)`; the same
arguments always give the same city (numpy `default_rng`, no global state, no clock). `SIZES`
holds the benchmark sizes S (1k needs x 50 partners), M (10k x 500) and L (100k x 5k);
`make_family(family, size, seed)` builds a named family at a named size.

Families (`FAMILIES`):

- `uniform` — the original benchmark city (`make_city`, unchanged so its figures stay
  comparable): 80 neighbourhood clusters over 30 km, partners near them, radius 1-15 km, total
  weekly capacity ≈ needs / 2.
- `clustered_colocated` — blight-survey demand: most needs in a few hotspot neighbourhoods
  (some parcels with two problems at exactly the same point), partners registered at ZIP-code
  centroids so dozens share EXACTLY one base point, a few PO-box points whose partners really
  work through neighbourhood lists, small-to-mid radii, and small weekly capacity (1-3) for the
  community groups near the hotspots while the bigger organisations sit farther out. The shape
  of the real data on which top-k pruning lost 48.6 % of the objective (issue 10).
- `big_partner` — `uniform` plus one city-wide organisation with a very large weekly capacity
  and a wide radius, and several partners with a single slot.
- `dense_sparse` — a dense downtown (many needs, many small-radius partners) and sparse
  outskirts 6-28 km out with few of either, so some needs are out of everyone's reach.

Every family has neighbourhood names on needs, partners with neighbourhood lists and a few
polygons (at M and L; `uniform` at S happens to draw none), inactive partners, capability slots
with zero tasks left, and several capabilities.

Must not import: Flask, SQLAlchemy, or any Common Ground package other than `matching`'s
dataclasses and the sector vocabulary (`partners.sectors`, pure data); numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matching.model import CapabilitySlot, NeedSpec, PartnerSpec, TrackRecord
from partners.sectors import SECTORS

City = tuple[list[NeedSpec], list[PartnerSpec], datetime]
FloatArray = NDArray[np.float64]

SIZES = {"S": (1_000, 50), "M": (10_000, 500), "L": (100_000, 5_000)}
CAPABILITIES = (
    "lot_mowing",
    "litter_cleanup",
    "bulk_trash_hauling",
    "illegal_dumping_removal",
    "graffiti_removal",
    "tree_trimming",
    "board_up",
    "drain_clearing",
)
CENTRE_LAT, CENTRE_LON = 30.45, -91.15
CITY_KM = 30.0
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
KM_PER_DEG_LAT = 111.2

BLIGHT_MIX = np.array([0.36, 0.12, 0.03, 0.20, 0.01, 0.01, 0.26, 0.01])
"""Share of each of CAPABILITIES among blight-survey needs: mowing, board-ups and dumping are
four fifths of them (and of what the partners of those families do)."""


def _offsets_to_latlon(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = CENTRE_LAT + y_km / KM_PER_DEG_LAT
    lon = CENTRE_LON + x_km / (KM_PER_DEG_LAT * math.cos(math.radians(CENTRE_LAT)))
    return lat, lon


# ---- uniform: the original benchmark city ---------------------------------------------------


def make_city(n_needs: int, n_partners: int, seed: int) -> tuple[list[NeedSpec], list[PartnerSpec]]:
    """A seeded city: 80 neighbourhood clusters in 30 km, partner radius 1-15 km, total weekly
    capacity about n_needs / 2."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-CITY_KM / 2 * 0.85, CITY_KM / 2 * 0.85, size=(80, 2))
    names = [f"N{i:02d}" for i in range(80)]
    weight = rng.gamma(2.0, 1.0, 80)
    weight /= weight.sum()

    hood = rng.choice(80, size=n_needs, p=weight)
    xy = np.clip(centres[hood] + rng.normal(0, 1.2, (n_needs, 2)), -CITY_KM / 2, CITY_KM / 2)
    lat, lon = _offsets_to_latlon(xy[:, 0], xy[:, 1])
    cap = rng.integers(0, len(CAPABILITIES), n_needs)
    prio = rng.integers(1, 6, n_needs)
    age = rng.uniform(0, 90, n_needs)
    due = rng.uniform(-20, 30, n_needs)
    has_due = rng.random(n_needs) < 0.6
    effort = np.round(rng.uniform(1, 8, n_needs), 1)
    due_at = [NOW + timedelta(days=float(due[i])) if has_due[i] else None for i in range(n_needs)]
    needs = _need_specs(lat, lon, cap, prio, effort, age, due_at, [names[h] for h in hood])

    phood = rng.choice(80, size=n_partners, p=weight)
    pxy = np.clip(centres[phood] + rng.normal(0, 2.0, (n_partners, 2)), -CITY_KM / 2, CITY_KM / 2)
    plat, plon = _offsets_to_latlon(pxy[:, 0], pxy[:, 1])
    radius = rng.uniform(1, 15, n_partners)
    n_caps = rng.integers(1, 4, n_partners)
    per_partner = n_needs / 2 / n_partners
    partners = []
    for j in range(n_partners):
        codes = rng.choice(len(CAPABILITIES), size=n_caps[j], replace=False)
        caps = {}
        for c in sorted(codes):
            tasks = int(rng.poisson(per_partner / n_caps[j] * 1.05))
            left = int(min(tasks, rng.integers(max(tasks - 1, 0), tasks + 1)))
            caps[CAPABILITIES[c]] = CapabilitySlot(tasks, left, float(tasks * 3))
        nb: frozenset[str] = frozenset()
        if rng.random() < 0.1:
            nb = frozenset(names[i] for i in rng.choice(80, size=rng.integers(1, 4)))
        polygon = None
        if rng.random() < 0.03:
            cx, cy = centres[phood[j]]
            xs = np.array([cx - 2, cx + 2, cx + 2, cx - 2, cx - 2])
            ys = np.array([cy - 2, cy - 2, cy + 2, cy + 2, cy - 2])
            la, lo = _offsets_to_latlon(xs, ys)
            polygon = (tuple(zip(lo.tolist(), la.tolist(), strict=True)),)
        done = int(rng.integers(0, 40))
        partners.append(
            PartnerSpec(
                id=j + 1,
                name=f"Partner {j + 1}",
                sector=SECTORS[int(rng.integers(0, len(SECTORS)))],
                active=bool(rng.random() > 0.05),
                lat=float(plat[j]),
                lon=float(plon[j]),
                radius_km=float(radius[j]),
                capabilities=caps,
                neighbourhoods=nb,
                polygon=polygon,
                track_record=TrackRecord(
                    completed=done,
                    released=int(rng.integers(0, 8)),
                    median_days_to_complete=float(rng.uniform(1, 20)) if done else None,
                ),
            )
        )
    return needs, partners


def uniform(n_needs: int, n_partners: int, seed: int) -> City:
    """The original benchmark city (`make_city`) with its `now`."""
    needs, partners = make_city(n_needs, n_partners, seed)
    return needs, partners, NOW


# ---- shared pieces of the other families ----------------------------------------------------


def _nearest(points: FloatArray, centres: FloatArray) -> NDArray[np.int64]:
    """Index of the nearest centre (plane km) of each point, in blocks to bound memory."""
    out = np.empty(len(points), dtype=np.int64)
    step = max(1, (1 << 21) // max(1, len(centres)))
    for start in range(0, len(points), step):
        block = points[start : start + step]
        d2 = ((block[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        out[start : start + step] = d2.argmin(axis=1)
    return out


def _star_polygon(
    rng: np.random.Generator, cx: float, cy: float, r_km: float
) -> tuple[tuple[tuple[float, float], ...], ...]:
    """An irregular star-shaped (so simple) polygon around (cx, cy) km, as (lon, lat) rings."""
    k = int(rng.integers(5, 9))
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    radii = r_km * rng.uniform(0.6, 1.25, k)
    xs = np.r_[cx + radii * np.cos(angles), cx + radii[0] * np.cos(angles[0])]
    ys = np.r_[cy + radii * np.sin(angles), cy + radii[0] * np.sin(angles[0])]
    la, lo = _offsets_to_latlon(xs, ys)
    return (tuple(zip(lo.tolist(), la.tolist(), strict=True)),)


def _needs_at(
    rng: np.random.Generator,
    xy: FloatArray,
    hoods: list[str],
    cap_share: FloatArray,
    *,
    mean_age_days: float,
    due_share: float,
) -> list[NeedSpec]:
    """Needs at plane-km points with neighbourhood names; capability, priority, age drawn."""
    n = len(xy)
    lat, lon = _offsets_to_latlon(xy[:, 0], xy[:, 1])
    cap = rng.choice(len(CAPABILITIES), size=n, p=cap_share)
    prio = rng.choice(np.arange(1, 6), size=n, p=[0.1, 0.2, 0.3, 0.25, 0.15])
    age = np.minimum(rng.exponential(mean_age_days, n), 720.0)
    due_after = rng.uniform(14, 60, n)
    has_due = rng.random(n) < due_share
    effort = np.round(rng.uniform(1, 12, n), 1)
    due_at = [
        NOW - timedelta(days=float(age[i] - due_after[i])) if has_due[i] else None for i in range(n)
    ]
    return _need_specs(lat, lon, cap, prio, effort, age, due_at, hoods)


def _need_specs(
    lat: FloatArray,
    lon: FloatArray,
    cap: Any,
    prio: Any,
    effort: FloatArray,
    age: FloatArray,
    due_at: Sequence[datetime | None],
    hoods: Sequence[str],
) -> list[NeedSpec]:
    """Needs numbered from 1, one per position of the drawn columns (age in days before NOW)."""
    return [
        NeedSpec(
            id=i + 1,
            capability=CAPABILITIES[cap[i]],
            lat=float(lat[i]),
            lon=float(lon[i]),
            priority=int(prio[i]),
            effort_hours=float(effort[i]),
            opened_at=NOW - timedelta(days=float(age[i])),
            due_at=due_at[i],
            neighbourhood=hoods[i],
        )
        for i in range(len(due_at))
    ]


def _slots(
    rng: np.random.Generator, cap_share: FloatArray, mean_tasks: float
) -> dict[str, CapabilitySlot]:
    """1-4 capabilities (drawn by `cap_share`) with weekly tasks around `mean_tasks` in total;
    12 % of slots are used up this week (tasks_left 0), some others partly."""
    n_caps = int(rng.choice([1, 2, 3, 4], p=[0.15, 0.35, 0.3, 0.2]))
    codes = sorted(rng.choice(len(CAPABILITIES), size=n_caps, replace=False, p=cap_share))
    caps = {}
    for c in codes:
        tasks = max(1, int(rng.poisson(mean_tasks / n_caps)))
        used = rng.random()
        left = 0 if used < 0.12 else tasks - int(used < 0.3 and tasks > 1)
        caps[CAPABILITIES[c]] = CapabilitySlot(tasks, left, float(tasks * 3))
    return caps


def _track(rng: np.random.Generator) -> TrackRecord:
    done = int(rng.integers(0, 60))
    return TrackRecord(
        completed=done,
        released=int(rng.integers(0, 10)),
        median_days_to_complete=float(rng.uniform(1, 25)) if done else None,
    )


def _partner(
    rng: np.random.Generator,
    j: int,
    x_km: float,
    y_km: float,
    radius_km: float,
    caps: dict[str, CapabilitySlot],
    *,
    neighbourhoods: frozenset[str] = frozenset(),
    polygon: tuple[tuple[tuple[float, float], ...], ...] | None = None,
    inactive_share: float = 0.06,
) -> PartnerSpec:
    lat, lon = _offsets_to_latlon(np.array([x_km]), np.array([y_km]))
    return PartnerSpec(
        id=j + 1,
        name=f"Partner {j + 1}",
        sector=SECTORS[int(rng.integers(0, len(SECTORS)))],
        active=bool(rng.random() >= inactive_share),
        lat=float(lat[0]),
        lon=float(lon[0]),
        radius_km=float(radius_km),
        capabilities=caps,
        neighbourhoods=neighbourhoods,
        polygon=polygon,
        track_record=_track(rng),
    )


# ---- clustered_colocated ---------------------------------------------------------------------

HOT_SHARE = 0.85
"""Share of needs in the hotspot neighbourhoods (the rest are spread over the city)."""
N_ZIP = 36
"""ZIP codes of the city (about 5 km x 5 km each), whatever the number of partners."""
SAME_PARCEL_SHARE = 0.10
"""Share of needs at exactly the point of an earlier need (one parcel, two problems)."""


def _hotspot_demand(
    rng: np.random.Generator, n: int, centres: FloatArray, hot: NDArray[np.int64]
) -> FloatArray:
    """Plane-km points: HOT_SHARE tight around the hotspots, the rest around any neighbourhood."""
    hot_w = rng.dirichlet(np.full(hot.size, 2.0))
    spread = rng.uniform(0.4, 1.0, hot.size)
    in_hot = rng.random(n) < HOT_SHARE
    which = rng.choice(hot.size, size=n, p=hot_w)
    anywhere = rng.integers(0, len(centres), n)
    xy = np.where(
        in_hot[:, None],
        centres[hot[which]] + rng.normal(0, 1, (n, 2)) * spread[which][:, None],
        centres[anywhere] + rng.normal(0, 1.5, (n, 2)),
    )
    if n > 1:
        twin = np.flatnonzero(rng.random(n) < SAME_PARCEL_SHARE)
        twin = twin[twin > 0]
        xy[twin] = xy[rng.integers(0, twin)]  # an earlier parcel: exactly the same point
    return np.clip(xy, -CITY_KM / 2, CITY_KM / 2)


def _zip_centroids(rng: np.random.Generator, n_zip: int) -> FloatArray:
    """ZIP-code centroids: a jittered grid over the city (ZIPs tile it)."""
    side = math.ceil(math.sqrt(n_zip))
    cell = CITY_KM / side
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    pick = rng.permutation(side * side)[:n_zip]
    grid = np.c_[gx.ravel()[pick], gy.ravel()[pick]]
    return -CITY_KM / 2 + (grid + rng.uniform(0.25, 0.75, (n_zip, 2))) * cell


def clustered_colocated(n_needs: int, n_partners: int, seed: int) -> City:
    """Blight demand in a few hotspots; partners at shared ZIP centroids and PO boxes.

    40 neighbourhoods; 4 hotspots at S, 6 at M, 8 at L. Partners: 74 % at one of the 36 ZIP
    centroids (chosen with weights that strongly favour ZIPs near the hotspots, so dozens share
    one point at M), 6 % at one of two PO-box points (their real area is a list of 2-4
    neighbourhoods; radius 0.5-2 km), 20 % at their own street address. A partner based within
    3 km of a hotspot is a small community group: 1-3 tasks a week, radius log-normal around
    3 km (1-6 km); the others are bigger organisations with a radius around 7 km (3-14 km) that
    share the rest of a total of ≈ 0.45 x needs tasks a week.
    """
    rng = np.random.default_rng([seed, 11])
    n_hoods = 40
    centres = rng.uniform(-CITY_KM / 2 * 0.85, CITY_KM / 2 * 0.85, size=(n_hoods, 2))
    names = [f"N{i:02d}" for i in range(n_hoods)]
    n_hot = 4 + 2 * round(math.log10(max(n_needs, 1_000) / 1_000))
    hot = rng.permutation(n_hoods)[:n_hot]
    xy = _hotspot_demand(rng, n_needs, centres, hot)
    hood = _nearest(xy, centres)
    needs = _needs_at(
        rng, xy, [names[h] for h in hood], BLIGHT_MIX, mean_age_days=60.0, due_share=0.7
    )

    zips = _zip_centroids(rng, N_ZIP)
    to_hot = np.sqrt(((zips[:, None, :] - centres[hot][None, :, :]) ** 2).sum(2)).min(1)
    zip_w = (0.3 + 6.0 * np.exp(-(to_hot**2) / (2 * 2.5**2))) * rng.gamma(1.0, 1.0, N_ZIP)
    zip_w /= zip_w.sum()
    po_boxes = np.array([[0.3, -0.2], centres[hot[0]] + [2.5, 1.5]])

    kind = rng.choice(3, size=n_partners, p=[0.74, 0.06, 0.20])  # zip, PO box, address
    base = np.empty((n_partners, 2))
    base[kind == 0] = zips[rng.choice(N_ZIP, size=int((kind == 0).sum()), p=zip_w)]
    base[kind == 1] = po_boxes[rng.integers(0, 2, int((kind == 1).sum()))]
    own = kind == 2
    base[own] = centres[rng.integers(0, n_hoods, int(own.sum()))] + rng.normal(
        0, 1.5, (int(own.sum()), 2)
    )
    near_hot = np.sqrt(((base[:, None, :] - centres[hot][None, :, :]) ** 2).sum(2)).min(1) < 3.0
    radius = np.where(
        near_hot,
        np.clip(rng.lognormal(math.log(3.0), 0.4, n_partners), 1.0, 6.0),
        np.clip(rng.lognormal(math.log(7.0), 0.35, n_partners), 3.0, 14.0),
    )
    n_small = int(near_hot.sum())
    rest_mean = max(1.0, (0.45 * n_needs - 1.6 * n_small) / max(1, n_partners - n_small))

    partners = []
    for j in range(n_partners):
        if near_hot[j]:
            caps = _slots(rng, BLIGHT_MIX, float(rng.choice([1, 1, 1, 2, 2, 3])))
        else:
            caps = _slots(rng, BLIGHT_MIX, rest_mean)
        nb: frozenset[str] = frozenset()
        if kind[j] == 1 and rng.random() < 0.7:
            listed = rng.choice(np.r_[hot, rng.integers(0, n_hoods, 2)], int(rng.integers(2, 5)))
            nb = frozenset(names[i] for i in listed)
        elif rng.random() < 0.08:
            nb = frozenset(names[i] for i in rng.choice(n_hoods, size=int(rng.integers(1, 4))))
        polygon = None
        if rng.random() < 0.03:
            cx, cy = centres[hot[int(rng.integers(0, n_hot))]]
            polygon = _star_polygon(rng, float(cx), float(cy), float(rng.uniform(1.0, 2.5)))
        r = float(rng.uniform(0.5, 2.0)) if kind[j] == 1 else float(radius[j])
        partners.append(
            _partner(rng, j, base[j, 0], base[j, 1], r, caps, neighbourhoods=nb, polygon=polygon)
        )
    return needs, partners, NOW


# ---- big_partner -----------------------------------------------------------------------------


def big_partner(n_needs: int, n_partners: int, seed: int) -> City:
    """`uniform`, then partner 1 becomes a city-wide organisation (radius 25 km near the centre,
    three common capabilities with needs / 10 tasks a week each, a good record) and about a
    tenth of the others (at least 3) keep a single slot in each of their capabilities."""
    needs, partners = make_city(n_needs, n_partners, seed)
    rng = np.random.default_rng([seed, 23])
    big_tasks = max(20, n_needs // 10)
    lat, lon = _offsets_to_latlon(np.array([0.8]), np.array([-0.6]))
    partners[0] = replace(
        partners[0],
        name="Partner 1 (city-wide)",
        sector="business",
        active=True,
        lat=float(lat[0]),
        lon=float(lon[0]),
        radius_km=25.0,
        capabilities={
            c: CapabilitySlot(big_tasks, big_tasks - 2, float(big_tasks * 4))
            for c in ("illegal_dumping_removal", "litter_cleanup", "lot_mowing")
        },
        neighbourhoods=frozenset(),
        polygon=None,
        track_record=TrackRecord(completed=420, released=35, median_days_to_complete=5.0),
    )
    n_single = max(3, n_partners // 10)
    picked = rng.choice(np.arange(1, n_partners), size=min(n_single, n_partners - 1), replace=False)
    for j in sorted(int(x) for x in picked):
        p = partners[j]
        single = {
            c: CapabilitySlot(1, 1, s.volunteer_hours_per_week) for c, s in p.capabilities.items()
        }
        partners[j] = replace(p, capabilities=single)
    return needs, partners, NOW


# ---- dense_sparse ----------------------------------------------------------------------------

DOWNTOWN_NEED_SHARE = 0.8
DOWNTOWN_PARTNER_SHARE = 0.88
OUTSKIRTS_KM = (6.0, 28.0)


def _polar_hoods(xy: FloatArray) -> list[str]:
    """Downtown core (< 2 km), 8 midtown sectors (2-6 km), 6 outskirts districts (> 6 km)."""
    r = np.hypot(xy[:, 0], xy[:, 1])
    angle = np.mod(np.arctan2(xy[:, 1], xy[:, 0]), 2 * np.pi)
    mid = (angle / (2 * np.pi) * 8).astype(int)
    out = (angle / (2 * np.pi) * 6).astype(int)
    return [
        "Downtown Core" if ri < 2 else f"Midtown {m}" if ri < 6 else f"Outskirts {o}"
        for ri, m, o in zip(r.tolist(), mid.tolist(), out.tolist(), strict=True)
    ]


def _annulus(rng: np.random.Generator, n: int, r0: float, r1: float) -> FloatArray:
    """n points uniform by area in the ring r0..r1 km around the centre."""
    r = np.sqrt(rng.uniform(r0**2, r1**2, n))
    a = rng.uniform(0, 2 * np.pi, n)
    return np.c_[r * np.cos(a), r * np.sin(a)]


def dense_sparse(n_needs: int, n_partners: int, seed: int) -> City:
    """80 % of needs and 88 % of partners downtown (normal, sd 1.5-1.8 km; radius 0.5-4 km), the
    rest spread over outskirts 6-28 km out (radius 2-12 km, a few with a district list); some
    outskirts needs are out of everyone's reach. Total weekly capacity ≈ needs / 2."""
    rng = np.random.default_rng([seed, 37])
    n_down = round(n_needs * DOWNTOWN_NEED_SHARE)
    xy = np.r_[rng.normal(0, 1.5, (n_down, 2)), _annulus(rng, n_needs - n_down, *OUTSKIRTS_KM)]
    xy = xy[rng.permutation(n_needs)]
    needs = _needs_at(rng, xy, _polar_hoods(xy), BLIGHT_MIX, mean_age_days=30.0, due_share=0.5)

    n_pdown = round(n_partners * DOWNTOWN_PARTNER_SHARE)
    pxy = np.r_[rng.normal(0, 1.8, (n_pdown, 2)), _annulus(rng, n_partners - n_pdown, 5.0, 26.0)]
    order = rng.permutation(n_partners)
    pxy, downtown = pxy[order], (np.arange(n_partners) < n_pdown)[order]
    phoods = _polar_hoods(pxy)
    mean_tasks = 0.5 * n_needs / max(1, n_partners)
    partners = []
    for j in range(n_partners):
        caps = _slots(rng, BLIGHT_MIX, mean_tasks)
        nb: frozenset[str] = frozenset()
        polygon = None
        if downtown[j]:
            radius = float(rng.uniform(0.5, 4.0))
            if rng.random() < 0.05:
                nb = frozenset({phoods[j]})
            if rng.random() < 0.04:  # a business improvement district
                polygon = _star_polygon(rng, float(pxy[j, 0]), float(pxy[j, 1]), 1.2)
        else:
            radius = float(rng.uniform(2.0, 12.0))
            if rng.random() < 0.15:  # a parish council or rural fire district
                nb = frozenset({phoods[j]})
        partners.append(
            _partner(rng, j, pxy[j, 0], pxy[j, 1], radius, caps, neighbourhoods=nb, polygon=polygon)
        )
    return needs, partners, NOW


# ---- registry ----------------------------------------------------------------------------------

FAMILIES: dict[str, Callable[[int, int, int], City]] = {
    "uniform": uniform,
    "clustered_colocated": clustered_colocated,
    "big_partner": big_partner,
    "dense_sparse": dense_sparse,
}


def make_family(family: str, size: str | tuple[int, int], seed: int = 1) -> City:
    """The city of a family at a named size ("S", "M", "L") or at (n_needs, n_partners)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {sorted(FAMILIES)}")
    n_needs, n_partners = SIZES[size] if isinstance(size, str) else size
    return FAMILIES[family](n_needs, n_partners, seed)
