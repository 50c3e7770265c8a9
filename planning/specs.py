"""Database rows → matching-engine inputs, in this one place.

Reads with SQLAlchemy Core (plain tuples, no ORM objects) and builds the engine's frozen
dataclasses: open needs with a known location, partners with this week's capacity left and
their track record. `rank_open_needs` feeds them to the engine's ranking for one partner.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from flask import current_app
from sqlalchemy import ColumnElement, and_, false, func, or_, select

import matching
from capabilities.services import capability_labels
from commonground.extensions import db
from geo.models import Neighbourhood
from matching import CapabilitySlot, NeedSpec, PartnerSpec, TrackRecord, Weights
from needs.calendar import week_start
from needs.models import Claim, Need
from partners.models import Partner, PartnerCapability

WEIGHT_NAMES = ("priority", "waiting", "distance", "track_record", "keep_bonus")


def weights_from_config() -> Weights:
    """The score weights from configuration (MATCHING_WEIGHTS), defaults otherwise."""
    configured = current_app.config.get("MATCHING_WEIGHTS") or {}
    return Weights(**{k: float(v) for k, v in configured.items() if k in WEIGHT_NAMES})


def _due_at(due: date, zone: ZoneInfo) -> datetime:
    """A due date means the end of that day in the city's time zone."""
    return datetime.combine(due, time(23, 59), tzinfo=zone).astimezone(UTC)


def _specs_of_rows(rows: Iterable[Any], zone: ZoneInfo) -> Iterator[tuple[Any, NeedSpec | None]]:
    """`need_specs_of` for rows whose first columns are `NEED_COLUMNS`, in that order: read by
    position, each due date turned into its moment once (a city's 77k open needs have a few
    hundred due dates; at 100k needs this read was 0.8 s of the 2.3 s `flask plan` adds to the
    engine)."""
    moments: dict[date, datetime | None] = {}
    for row in rows:
        nid, capability, lat, lon, priority, effort, opened, due, hood = row[:9]
        if lat is None:
            yield row, None
            continue
        if due is None:
            due_at = None
        elif (due_at := moments.get(due, _UNSET)) is _UNSET:
            due_at = moments[due] = _due_at(due, zone)
        yield (
            row,
            NeedSpec(
                id=nid,
                capability=capability,
                lat=lat,
                lon=lon,
                priority=priority,
                effort_hours=effort,
                opened_at=opened,
                due_at=due_at,
                neighbourhood=hood,
            ),
        )


_UNSET: Any = object()


NEED_COLUMNS = (
    Need.id,
    Need.capability_code,
    Need.latitude,
    Need.longitude,
    Need.priority,
    Need.effort_hours,
    Need.opened_at,
    Need.due_date,
    Need.neighbourhood,
)


OPEN_WITH_PLACE = (Need.status == "open", Need.location_status == "ok", Need.latitude.is_not(None))
"""The needs the engine reads: open, with a known place."""


def need_specs_of(rows: Iterable[Any]) -> Iterator[tuple[Any, NeedSpec | None]]:
    """(row, its spec, None without a place) of rows whose first columns are `NEED_COLUMNS`."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])  # once, not once a need (issue 14)
    return _specs_of_rows(rows, zone)


def open_need_specs(
    *, within: Sequence[PartnerSpec] | None = None, capability: str | None = None
) -> list[NeedSpec]:
    """Every open need with a known location, as engine input.

    With `within`, only the needs that may lie in one of those partners' areas: a bounding-box
    prefilter in SQL (the box around each base disc, the listed neighbourhoods, each polygon's
    box), so a suggestion reads what is near instead of the whole city (issue 14). The engine
    still decides feasibility exactly; the boxes only ever contain more, never less. With
    `capability`, only the needs of that capability.
    """
    query = select(*NEED_COLUMNS).where(*OPEN_WITH_PLACE)
    if within is not None:
        query = query.where(in_areas(within))
    if capability is not None:
        query = query.where(Need.capability_code == capability)
    rows = db.session.execute(query.order_by(Need.id))
    return [spec for _, spec in need_specs_of(rows) if spec is not None]


KM_PER_DEGREE = 111.19492664455873  # EARTH_RADIUS_KM * pi / 180
BOX_MARGIN = 1.01
"""Boxes are widened by 1 % (and 10 m): floating point never leaves a need on the edge out."""


def in_areas(partners: Sequence[PartnerSpec]) -> ColumnElement[bool]:
    """A SQL condition on `need` true for every need in one of the partners' service areas
    (and for some near them: boxes; the engine decides exactly)."""
    return or_(false(), *(c for p in partners for c in _area_conditions(p)))


Box = tuple[float, float, float, float]
"""(min latitude, max latitude, min longitude, max longitude)."""


def disc_boxes(
    lat: np.ndarray, lon: np.ndarray, radius_km: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The boxes (min latitude, max latitude, min longitude, max longitude, as arrays) holding
    each base disc, widened by `BOX_MARGIN`: for many partners at once (`may_reach`)."""
    reach = np.maximum(0.0, radius_km) * BOX_MARGIN + 0.01
    dlat = reach / KM_PER_DEGREE
    widest = np.minimum(89.0, np.abs(lat) + dlat)
    dlon = np.minimum(180.0, reach / (KM_PER_DEGREE * np.cos(np.radians(widest))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _polygon_box(partner: PartnerSpec) -> Box | None:
    """The box around the partner's polygon, if it has one."""
    if not (partner.polygon and partner.polygon[0]):
        return None
    lons = [x for x, _ in partner.polygon[0]]
    lats = [y for _, y in partner.polygon[0]]
    return (min(lats) - 1e-6, max(lats) + 1e-6, min(lons) - 1e-6, max(lons) + 1e-6)


def area_boxes(partner: PartnerSpec) -> list[Box]:
    """Boxes whose union holds every point of the partner's disc and polygon (its listed
    neighbourhoods are not places: see `_area_conditions`)."""
    disc = disc_boxes(
        np.asarray([partner.lat]), np.asarray([partner.lon]), np.asarray([partner.radius_km])
    )
    lat0, lat1, lon0, lon1 = (float(edge[0]) for edge in disc)
    polygon = _polygon_box(partner)
    return [(lat0, lat1, lon0, lon1)] + ([polygon] if polygon else [])


def _area_conditions(partner: PartnerSpec) -> list[ColumnElement[bool]]:
    """SQL conditions whose union holds every point of the partner's service area."""
    conditions = [
        and_(Need.latitude.between(lat0, lat1), Need.longitude.between(lon0, lon1))
        for lat0, lat1, lon0, lon1 in area_boxes(partner)
    ]
    if partner.neighbourhoods:
        conditions.append(Need.neighbourhood.in_(sorted(partner.neighbourhoods)))
    return conditions


def may_reach(partners: Sequence[PartnerSpec], needs: Sequence[NeedSpec]) -> list[PartnerSpec]:
    """The partners that may reach one of `needs`, in their order: one of its boxes
    (`area_boxes`) meets the box of the needs of one neighbourhood, or it lists one of their
    neighbourhoods. The same boxes as `in_areas`, so never fewer than reach them: the engine
    decides exactly.

    In arrays, not a loop over the needs and the partners' boxes (a wide area's ~42k needs and
    ~4.5k partners took 70-80 ms: issue 14)."""
    if not needs or not partners:
        return []
    count = len(needs)  # read by `map(attrgetter)`: a third of the time of generators
    hood_code = {h: k for k, h in enumerate(set(map(attrgetter("neighbourhood"), needs)))}
    codes = np.fromiter(map(hood_code.__getitem__, map(attrgetter("neighbourhood"), needs)),
                        np.int64, count)  # fmt: skip
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])  # one group a code, 0..
    lat = np.fromiter(map(attrgetter("lat"), needs), np.float64, count)[order]
    lon = np.fromiter(map(attrgetter("lon"), needs), np.float64, count)[order]
    b0, b1 = np.minimum.reduceat(lat, starts), np.maximum.reduceat(lat, starts)
    d0, d1 = np.minimum.reduceat(lon, starts), np.maximum.reduceat(lon, starts)

    def meets(a0, a1, c0, c1) -> np.ndarray:  # each box of (a0, a1, c0, c1) meets a group's
        return (
            (a0[:, None] <= b1) & (b0 <= a1[:, None]) & (c0[:, None] <= d1) & (d0 <= c1[:, None])
        ).any(axis=1)

    keep = meets(
        *disc_boxes(
            *(
                np.fromiter(map(attrgetter(name), partners), np.float64, len(partners))
                for name in ("lat", "lon", "radius_km")
            )
        )
    )
    hoods = {h for h in hood_code if h is not None}
    for k, p in enumerate(partners):
        if keep[k]:
            continue
        if p.neighbourhoods and not p.neighbourhoods.isdisjoint(hoods):
            keep[k] = True
        elif (box := _polygon_box(p)) is not None:
            keep[k] = bool(meets(*(np.asarray([edge]) for edge in box))[0])
    return [p for p, kept in zip(partners, keep.tolist(), strict=True) if kept]


def rank_open_needs(
    partner: PartnerSpec,
    now: datetime,
    limit: int | None,
    *,
    needs: Sequence[NeedSpec] | None = None,
    index: matching.CandidateIndex | None = None,
) -> list[matching.Suggestion]:
    """The engine's ranking of the city's open needs for one partner, registered or prospective,
    with the configured weights and the capabilities' labels: over `index` (every open need,
    kept by the caller) or `needs` (the open needs in its area), else those read near it."""
    if needs is None and index is None:
        needs = open_need_specs(within=[partner])
    return matching.rank_needs_for_partner(
        partner,
        needs or (),
        now,
        weights=weights_from_config(),
        labels=capability_labels(),
        limit=limit,
        index=index,
    )


def need_spec(need_id: int) -> NeedSpec | None:
    """One need as engine input (whatever its status), or None without a location."""
    row = db.session.execute(select(*NEED_COLUMNS).where(Need.id == need_id)).first()
    return None if row is None else need_spec_of(row)


def need_spec_of(need: Any) -> NeedSpec | None:
    """A need already read (a `Need`, or a row of `NEED_COLUMNS`) as engine input, or None
    without a location."""
    values = tuple(getattr(need, column.key) for column in NEED_COLUMNS)
    return next(need_specs_of([values]))[1]


def _used_this_week(now: datetime) -> dict[tuple[int, str], int]:
    since = week_start(now, current_app.config["CITY_TIMEZONE"])
    rows = db.session.execute(
        select(Claim.partner_id, Claim.capability_code, func.count(Claim.id))
        .where(Claim.claimed_at >= since, Claim.status != "released")
        .group_by(Claim.partner_id, Claim.capability_code)
    )
    return {(partner, code): count for partner, code, count in rows}


def _track_records(partner_ids: set[int] | None = None) -> dict[int, TrackRecord]:
    query = select(Claim.partner_id, Claim.status, Claim.claimed_at, Claim.completed_at)
    if partner_ids is not None:  # one partner's record reads its own claims, not the city's
        query = query.where(Claim.partner_id.in_(sorted(partner_ids)))
    rows = db.session.execute(query)
    completed: dict[int, int] = defaultdict(int)
    released: dict[int, int] = defaultdict(int)
    days: dict[int, list[float]] = defaultdict(list)
    for partner_id, status, claimed_at, completed_at in rows:
        if completed_at is not None and status != "rejected":
            completed[partner_id] += 1
            days[partner_id].append((completed_at - claimed_at).total_seconds() / 86400)
        elif status in ("released", "rejected"):
            released[partner_id] += 1
    return {
        pid: TrackRecord(
            completed=completed[pid],
            released=released[pid],
            median_days_to_complete=statistics.median(days[pid]) if days[pid] else None,
        )
        for pid in set(completed) | set(released)
    }


def _polygon(geojson: dict | None):
    if not geojson or geojson.get("type") != "Polygon" or not geojson.get("coordinates"):
        return None
    return tuple(
        tuple((float(x), float(y)) for x, y, *_ in ring) for ring in geojson["coordinates"]
    )


def partner_specs(now: datetime, *, partner_ids: set[int] | None = None) -> list[PartnerSpec]:
    """Partners (every status; only active ones are feasible) with capacity left this week."""
    used = _used_this_week(now)
    records = _track_records(partner_ids)
    slots: dict[int, dict[str, CapabilitySlot]] = defaultdict(dict)
    slot_rows = select(
        PartnerCapability.partner_id,
        PartnerCapability.capability_code,
        PartnerCapability.tasks_per_week,
        PartnerCapability.volunteer_hours_per_week,
    )
    if partner_ids is not None:
        slot_rows = slot_rows.where(PartnerCapability.partner_id.in_(sorted(partner_ids)))
    for row in db.session.execute(slot_rows):
        left = max(0, row.tasks_per_week - used.get((row.partner_id, row.capability_code), 0))
        slots[row.partner_id][row.capability_code] = CapabilitySlot(
            tasks_per_week=row.tasks_per_week,
            tasks_left=left,
            volunteer_hours_per_week=row.volunteer_hours_per_week,
        )
    query = select(
        Partner.id,
        Partner.name,
        Partner.sector,
        Partner.status,
        Partner.base_latitude,
        Partner.base_longitude,
        Partner.service_radius_km,
        Partner.service_neighbourhoods,
        Partner.service_area_geojson,
    ).order_by(Partner.id)
    if partner_ids is not None:
        query = query.where(Partner.id.in_(sorted(partner_ids)))
    return [
        PartnerSpec(
            id=row.id,
            name=row.name,
            sector=row.sector,
            active=row.status == "active",
            lat=row.base_latitude,
            lon=row.base_longitude,
            radius_km=row.service_radius_km,
            capabilities=slots.get(row.id, {}),
            neighbourhoods=frozenset(row.service_neighbourhoods or ()),
            polygon=_polygon(row.service_area_geojson),
            track_record=records.get(row.id, TrackRecord()),
        )
        for row in db.session.execute(query)
    ]


def neighbourhood_sites() -> list[tuple[str, float, float]]:
    """Neighbourhood centres as candidate sites (name, lat, lon) for recruitment targets."""
    return [
        (n, lat, lon)
        for n, lat, lon in db.session.execute(
            select(Neighbourhood.name, Neighbourhood.latitude, Neighbourhood.longitude).order_by(
                Neighbourhood.name
            )
        )
    ]


PROSPECT_ID = 0
"""The id given to an organisation or place that is not a registered partner (never a row id)."""


def prospect_spec(
    *,
    name: str,
    sector: str,
    lat: float,
    lon: float,
    radius_km: float,
    capabilities: dict[str, tuple[int, float]],
    neighbourhoods: frozenset[str] = frozenset(),
) -> PartnerSpec:
    """Engine input for an organisation typed in by outreach (or a neighbourhood's residents):
    active, with its whole weekly capacity left and no track record yet.

    `capabilities` maps a capability code to (tasks per week, volunteer hours per week).
    """
    return PartnerSpec(
        id=PROSPECT_ID,
        name=name,
        sector=sector,
        active=True,
        lat=lat,
        lon=lon,
        radius_km=radius_km,
        capabilities={
            code: CapabilitySlot(
                tasks_per_week=tasks, tasks_left=tasks, volunteer_hours_per_week=hours
            )
            for code, (tasks, hours) in capabilities.items()
        },
        neighbourhoods=neighbourhoods,
    )
