"""What goes into a briefing: the data, assembled as a plain JSON-ready snapshot.

`load_city` reads what every briefing shares once (so a batch reads it once): located needs
(the open ones kept by the process), the trend's events counted per need and month in SQL,
coverage gaps, stale claims, the catalogue, labels and neighbourhood centres.
`partner_content`, `prospect_content` and `neighbourhood_content` then build one snapshot each:
the area's picture, what the city can do, what you can do (the engine's suggestions), who you
could team up with, your impact so far (registered partners) and the outreach contact. Engine
work goes through `planning` (suggestions, gaps, partnerships); nothing here ranks or matches.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from flask import current_app
from sqlalchemy import and_, not_, select

import matching
from accounts.actor import Actor
from accounts.models import User
from briefings.catalogue import entries_for, list_catalogue, present_entry
from capabilities.services import capability_labels
from commonground.errors import ValidationError
from commonground.extensions import db
from commonground.links import public_url
from needs.models import Need, NeedEvent
from needs.queries import need_summaries
from needs.services import stale_reasons
from partners.queries import partner_names
from partners.services import get_partner
from performance.aggregates import events_by_month
from performance.kpis import months_between
from performance.services import partner_impact
from planning import specs
from planning.open_needs import OpenNeeds
from planning.prospects import (
    need_ids_in_area,
    open_needs_in_area,
    partnerships_with,
    suggest_needs_for_prospect,
)
from planning.services import (
    coverage_gap_report,
    open_needs,
    suggest_needs_for_partner,
)

TREND_MONTHS = 6
LIST_LIMIT = 12
MAP_POINTS = 2000
"""The most open needs a briefing's map draws: the suggested ones, those nobody covers, then the
most urgent (highest priority, longest waiting). A printed map of 560x380 px cannot show a wide
area's 40k needs (issue 14: drawing them was a fifth of its briefing); the map says how many of
how many it draws."""
MAP_KINDS = ("suggested", "gap", "open")
"""What a drawn need is to the reader, in the order the map keeps them."""
TREND_ACTIONS = ("post", "complete")
"""The events a briefing counts: needs posted and completed per month (the trend) and who
completed work where (groups at work); the others are not read (a wide-area partner's six
months held ~78k events at 100k needs, a quarter of them other actions: issue 14)."""


@dataclass(frozen=True)
class Activity:
    """The needs posted and completed over the trend's months, one row an event, with its need,
    city month and partner (`performance.aggregates.events_by_month`), as arrays: an area's
    trend and its groups at work are sums over the area's needs, not a pass over each event."""

    months: list[str]
    need_id: np.ndarray
    month: np.ndarray
    """Position of the event's city month in `months`."""
    completed: np.ndarray
    """True for `complete` events, False for `post` (the only actions read: TREND_ACTIONS)."""
    partner_id: np.ndarray
    """The partner named on the event, -1 for none."""

    @classmethod
    def of(cls, months: list[str], table: np.ndarray):
        """From `performance.aggregates.events_by_month`'s table of `TREND_ACTIONS`."""
        need_id, month, action, partner_id = table.T
        return cls(
            months=months,
            need_id=need_id,
            month=month,
            completed=action == TREND_ACTIONS.index("complete"),
            partner_id=partner_id,
        )

    def of_needs(self, area: set[int]) -> np.ndarray:
        """Which rows are about a need in `area`."""
        return np.isin(self.need_id, np.fromiter(area, np.int64, len(area)))

    def per_month(self, rows: np.ndarray) -> list[int]:
        """The events of the chosen rows counted per month, in `months` order."""
        found = np.bincount(self.month[rows], minlength=len(self.months))
        return [int(v) for v in found]


@dataclass
class CityData:
    """Everything briefings share, read once.

    The open needs are the process's kept ones (`planning.services.open_needs`, current to the
    city's version when read; the copy partnerships and suggestions use), not ~40k rows read
    again for a wide area (issue 14); the other located needs (claimed, done, closed, and any
    open one the kept copy leaves out) are read from SQL with their status. Titles are read
    only for the needs a briefing lists or draws (`titles`)."""

    now: datetime
    kept: OpenNeeds
    others: dict[int, matching.NeedSpec]
    status: dict[int, str]
    """The status of each of `others`."""
    activity: Activity
    uncovered: set[int]
    stale: dict[int, str]
    catalogue: list[dict[str, Any]]
    labels: dict[str, str]
    places: list[tuple[str, float, float]]
    within: matching.PartnerSpec | None = None
    """The partner whose area was read (`load_city(within=)`): its briefing's spec, not read
    again."""

    def need(self, need_id: int) -> matching.NeedSpec:
        """A located need (any status) read for this city."""
        other = self.others.get(need_id)
        return other if other is not None else self.kept.specs[need_id]

    def has(self, need_id: int) -> bool:
        """Whether the need is a located one read for this city."""
        return need_id in self.others or need_id in self.kept.specs

    def is_open(self, need_id: int) -> bool:
        """Whether the need is open (its status read from SQL wins over the kept copy)."""
        status = self.status.get(need_id)
        return status == "open" if status is not None else need_id in self.kept.specs

    def open_in(self, area: Iterable[int]) -> list[matching.NeedSpec]:
        """The open needs among `area`, by id: `is_open` and `need` in one pass (a wide area
        holds ~40k open needs, looked at by the picture and the map)."""
        status, others, kept = self.status, self.others, self.kept.specs
        found = []
        for i in sorted(area):
            state = status.get(i)
            if state is None:
                need = kept.get(i)
                if need is not None:
                    found.append(need)
            elif state == "open":
                found.append(others[i])
        return found

    def ids(self) -> set[int]:
        """Every located need read for this city."""
        return set(self.kept.specs) | set(self.others)

    def kept_in(self, subject: matching.PartnerSpec) -> list[matching.NeedSpec]:
        """The kept open needs inside the subject's area (`planning.prospects.open_needs_in_area`):
        what its partnerships are counted over, and the most of its area."""
        return open_needs_in_area(self.kept, subject)

    def area_of(
        self,
        subject: matching.PartnerSpec,
        kept_in: Sequence[matching.NeedSpec] | None = None,
    ) -> set[int]:
        """Ids of the needs (any status, any kind of work) inside the subject's area, by the
        engine's rules: the kept open needs through their index (`kept_in`, when the caller
        has taken them already), the others one by one."""
        inside = self.kept_in(subject) if kept_in is None else kept_in
        found = {n.id for n in inside}
        found.difference_update(self.others)
        return found | need_ids_in_area(subject, list(self.others.values()))

    def titles(self, need_ids: Iterable[int]) -> dict[int, str]:
        """The titles of the given needs."""
        return {i: row["title"] for i, row in need_summaries(need_ids).items()}


def load_city(
    actor: Actor, now: datetime, *, within: matching.PartnerSpec | None = None
) -> CityData:
    """Read the shared data once: needs, recent events, gaps, stale claims, the catalogue.

    With `within` (one partner's briefing), only the needs and events in or near that partner's
    area (`planning.specs.in_areas`): what its briefing reads, not the whole city (issue 14).
    """
    labels = capability_labels()
    near = [] if within is None else [specs.in_areas([within])]
    kept = open_needs()  # before the others: a need claimed in between is read as claimed
    rows = db.session.execute(
        select(*specs.NEED_COLUMNS, Need.status).where(
            Need.latitude.is_not(None),
            Need.longitude.is_not(None),
            not_(and_(*specs.OPEN_WITH_PLACE)),
            *near,
        )
    )
    others: dict[int, matching.NeedSpec] = {}
    status: dict[int, str] = {}
    for row, spec in specs.need_specs_of(rows):
        if spec is not None:  # always: located
            others[row.id] = spec
            status[row.id] = row.status
    since = _trend_start(now)
    months = months_between(since.date(), now.astimezone(_zone()).date())
    timezone = current_app.config["CITY_TIMEZONE"]
    inside = and_(NeedEvent.at >= since, NeedEvent.at <= now, NeedEvent.action.in_(TREND_ACTIONS))
    activity = Activity.of(months, events_by_month(near, months, timezone, inside, TREND_ACTIONS))
    gaps = coverage_gap_report(actor, now=now)
    return CityData(
        now=now,
        kept=kept,
        others=others,
        status=status,
        activity=activity,
        uncovered={g["need_id"] for g in gaps["unreachable"]},
        stale=stale_reasons(now, where=near),
        catalogue=[present_entry(e, labels) for e in list_catalogue(actor)],
        labels=labels,
        places=specs.neighbourhood_sites(),
        within=within,
    )


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CITY_TIMEZONE"])


def _trend_start(now: datetime) -> datetime:
    """Midnight on the first day of the month TREND_MONTHS - 1 months before now (city time)."""
    local = now.astimezone(_zone())
    year, month = local.year, local.month - (TREND_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


# --- the parts of a briefing -----------------------------------------------------------------


def area_picture(
    city: CityData, area: set[int], opened: list[matching.NeedSpec] | None = None
) -> dict[str, Any]:
    """Open needs by capability, the recent trend, stale claims and needs nobody covers.

    `opened`: the area's open needs (`CityData.open_in`) when the caller has them already."""
    opened = city.open_in(area) if opened is None else opened
    open_ids = [need.id for need in opened]
    by_cap: dict[str, list[matching.NeedSpec]] = defaultdict(list)
    for need in opened:
        by_cap[need.capability].append(need)
    open_by_capability = sorted(
        (
            {
                "capability": code,
                "label": city.labels.get(code, code),
                "open_needs": len(rows),
                "effort_hours": round(sum(map(_effort, rows)), 1),
            }
            for code, rows in by_cap.items()
        ),
        key=lambda c: (-c["open_needs"], c["label"]),
    )
    activity = city.activity
    in_area = activity.of_needs(area)
    stale = sorted(i for i in city.stale if i in area)  # the stale claims are the fewer
    uncovered = [
        i for _, i in sorted((-n.priority, n.id) for n in opened if n.id in city.uncovered)
    ]
    titles = city.titles(stale[:LIST_LIMIT] + uncovered[:LIST_LIMIT])
    return {
        "open_needs": len(open_ids),
        "open_effort_hours": round(sum(map(_effort, opened)), 1),
        "open_by_capability": open_by_capability,
        "trend": {
            "months": list(activity.months),
            "posted": activity.per_month(in_area & ~activity.completed),
            "completed": activity.per_month(in_area & activity.completed),
        },
        "stale_claims": len(stale),
        "stale": [_need_ref(city, titles, i, reason=city.stale[i]) for i in stale[:LIST_LIMIT]],
        "uncovered_needs": len(uncovered),
        "uncovered": [_need_ref(city, titles, i) for i in uncovered[:LIST_LIMIT]],
    }


_effort = attrgetter("effort_hours")
"""A need's effort, summed in the needs' order as a generator would (the same float)."""


def _need_ref(city: CityData, titles: dict[int, str], need_id: int, **extra: Any) -> dict[str, Any]:
    need = city.need(need_id)
    return {
        "need_id": need_id,
        "title": titles.get(need_id, ""),
        "capability": city.labels.get(need.capability, need.capability),
        "neighbourhood": need.neighbourhood,
        "priority": need.priority,
        **extra,
    }


def _map(
    city: CityData,
    opened: list[matching.NeedSpec],
    suggestions: list[dict[str, Any]],
    circle: tuple[float, float, float] | None,
) -> dict[str, Any]:
    """The map of an area's open needs (`opened`, by id: `CityData.open_in`)."""
    suggested = {s["need_id"] for s in suggestions}

    def tier(i: int) -> int:  # the place of its kind in MAP_KINDS
        return 0 if i in suggested else 1 if i in city.uncovered else 2

    drawn = [need.id for need in opened]
    if len(opened) > MAP_POINTS:  # the suggested, the gaps, then the most urgent
        # Every suggested or uncovered need comes before the others: only those (~7k of a wide
        # area's ~41k) are sorted, and the others only if places are left, their best few
        # taken by a heap (`nsmallest` is `sorted(...)[:n]`).
        uncovered = city.uncovered
        front = [n for n in opened if n.id in suggested or n.id in uncovered]
        first = sorted([(tier(n.id), -n.priority, n.opened_at, n.id) for n in front])
        first = first[:MAP_POINTS]
        if len(first) < MAP_POINTS:
            rest = (n for n in opened if not (n.id in suggested or n.id in uncovered))
            first += heapq.nsmallest(
                MAP_POINTS - len(first), ((2, -n.priority, n.opened_at, n.id) for n in rest)
            )
        drawn = [key[3] for key in first]
    titles = city.titles(drawn)
    points = []
    for i in sorted(drawn):
        need = city.need(i)
        points.append(
            {
                "lat": need.lat,
                "lon": need.lon,
                "kind": MAP_KINDS[tier(i)],
                "label": f"#{i} {titles.get(i, '')}",
            }
        )
    return {
        "points": points,
        "open_needs": len(opened),
        "circle": list(circle) if circle else None,
        "places": [list(p) for p in city.places],
    }


def _suggestion_rows(city: CityData, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for s in found:
        need = city.need(s["need_id"]) if city.has(s["need_id"]) else None
        out.append(
            {
                "need_id": s["need_id"],
                "title": s["need_title"],
                "capability": city.labels.get(s["capability"], s["capability"]),
                "neighbourhood": s["neighbourhood"],
                "priority": need.priority if need else None,
                "effort_hours": need.effort_hours if need else None,
                "score": s["score"],
                "distance_km": s["distance_km"],
                "reasons": s["reasons"],
            }
        )
    return out


def contact(actor: Actor) -> dict[str, str]:
    """Who to call: the officer who made the briefing, or the configured outreach office."""
    user = db.session.get(User, actor.user_id) if actor.user_id is not None else None
    config = current_app.config
    if user is not None:
        return {"name": user.name, "email": user.email, "phone": ""}
    return {
        "name": config["OUTREACH_CONTACT_NAME"],
        "email": config["OUTREACH_CONTACT_EMAIL"],
        "phone": config["OUTREACH_CONTACT_PHONE"],
    }


# --- the three kinds -------------------------------------------------------------------------


def join_details(kind: str) -> dict[str, str]:
    """How a reader takes the next step, printed with a QR code and a phone number: a registered
    partner signs in to its tasks; an organisation or a neighbourhood group signs up
    (SIGNUP_URL, by default the registration page); residents may also report a problem."""
    config = current_app.config
    url = (
        public_url("tasks.index")
        if kind == "partner"
        else config["SIGNUP_URL"] or public_url("onboarding.register")
    )
    return {"url": url, "phone": config["CITY_PHONE"], "report_url": public_url("report_pages.new")}


def _base(kind: str, city: CityData, actor: Actor, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "subject": subject,
        "city_name": current_app.config["CITY_NAME"],
        "generated_at": city.now.isoformat(),
        # A person's name; command-line jobs (no user) sign as the outreach team.
        "generated_by": actor.label if actor.user_id is not None else "",
        "contact": contact(actor),
        "join": join_details(kind),
    }


def _capacity_rows(city: CityData, capabilities: dict[str, tuple[int, float]]) -> list[dict]:
    return [
        {
            "capability": code,
            "label": city.labels.get(code, code),
            "tasks_per_week": tasks,
            "volunteer_hours_per_week": hours,
        }
        for code, (tasks, hours) in sorted(capabilities.items())
    ]


def partner_content(actor: Actor, city: CityData, partner_id: int) -> dict[str, Any]:
    """The snapshot of a briefing for a registered partner."""
    partner = get_partner(actor, partner_id)
    spec = city.within
    if spec is None or spec.id != partner.id:  # a city read whole (a batch) or for another
        spec = specs.partner_specs(city.now, partner_ids={partner.id})[0]
    capabilities = {
        c.capability_code: (c.tasks_per_week, c.volunteer_hours_per_week)
        for c in partner.capabilities
    }
    kept_in = city.kept_in(spec)  # once: its area, its picture and map, its partnerships
    area = city.area_of(spec, kept_in)
    opened = city.open_in(area)
    suggestions = _suggestion_rows(city, suggest_needs_for_partner(actor, partner.id, now=city.now))
    snapshot = _base(
        "partner",
        city,
        actor,
        {
            "partner_id": partner.id,
            "name": partner.name,
            "sector": partner.sector,
            "status": partner.status,
            "address": partner.base_address,
            "neighbourhoods": list(partner.service_neighbourhoods or []),
            "radius_km": partner.service_radius_km,
            "capabilities": _capacity_rows(city, capabilities),
        },
    )
    snapshot.update(
        area=area_picture(city, area, opened),
        city_offers=entries_for(city.catalogue, capabilities),
        suggestions=suggestions,
        partnerships=partnerships_with(actor, spec, now=city.now, needs=kept_in),
        impact=partner_impact(actor, partner.id, until=city.now),
        map=_map(
            city,
            opened,
            suggestions,
            (partner.base_latitude, partner.base_longitude, partner.service_radius_km),
        ),
    )
    return snapshot


def _centre(city: CityData, neighbourhood: str) -> tuple[float, float]:
    for name, lat, lon in city.places:
        if name == neighbourhood:
            return lat, lon
    raise ValidationError(
        f"Unknown neighbourhood '{neighbourhood}'.", {"neighbourhood": ["Unknown neighbourhood."]}
    )


def prospect_content(actor: Actor, city: CityData, data: dict[str, Any]) -> dict[str, Any]:
    """The snapshot of a briefing for an organisation that is not registered yet.

    `data`: name, sector, address (shown only), neighbourhood and/or latitude+longitude,
    radius_km, capabilities (codes), tasks_per_week and volunteer_hours_per_week (each).
    """
    unknown = sorted(set(data["capabilities"]) - set(city.labels))
    if unknown:
        raise ValidationError(
            "Unknown capability code.", {"capabilities": [f"Unknown: {', '.join(unknown)}."]}
        )
    hood = data.get("neighbourhood")
    if data.get("latitude") is not None and data.get("longitude") is not None:
        lat, lon = data["latitude"], data["longitude"]
        if hood:
            _centre(city, hood)  # a named neighbourhood must exist
    elif hood:
        lat, lon = _centre(city, hood)
    else:
        raise ValidationError(
            "Say where the organisation is.",
            {"neighbourhood": ["Choose a neighbourhood or give coordinates."]},
        )
    capabilities = {
        code: (data["tasks_per_week"], data["volunteer_hours_per_week"])
        for code in sorted(set(data["capabilities"]))
    }
    spec = specs.prospect_spec(
        name=data["name"],
        sector=data.get("sector") or "other",
        lat=lat,
        lon=lon,
        radius_km=data["radius_km"],
        capabilities=capabilities,
        neighbourhoods=frozenset([hood]) if hood else frozenset(),
    )
    kept_in = city.kept_in(spec)
    area = city.area_of(spec, kept_in)
    opened = city.open_in(area)
    suggestions = _suggestion_rows(city, suggest_needs_for_prospect(actor, spec, now=city.now))
    snapshot = _base(
        "prospect",
        city,
        actor,
        {
            "name": data["name"],
            "sector": data.get("sector") or "other",
            "address": data.get("address") or "",
            "neighbourhoods": [hood] if hood else [],
            "radius_km": data["radius_km"],
            "capabilities": _capacity_rows(city, capabilities),
        },
    )
    picture = area_picture(city, area, opened)
    picture["uncovered_you_could_do"] = sum(
        1
        for i in area
        if i in city.uncovered and city.is_open(i) and city.need(i).capability in capabilities
    )
    snapshot.update(
        area=picture,
        city_offers=entries_for(city.catalogue, capabilities),
        suggestions=suggestions,
        partnerships=partnerships_with(actor, spec, now=city.now, needs=kept_in),
        impact=None,
        map=_map(city, opened, suggestions, (lat, lon, data["radius_km"])),
    )
    return snapshot


def neighbourhood_content(
    actor: Actor, city: CityData, neighbourhood: str, *, weekly_tasks: int = 5
) -> dict[str, Any]:
    """The snapshot of a handout for a neighbourhood's residents (their community meeting).

    Written for neighbours, not for an organisation: "jobs a group could start with" are the
    engine's best open needs in the neighbourhood for a group taking on `weekly_tasks` tasks a
    week, any kind of work, listed with how long each has waited (never the engine's reasons,
    which speak of a partner's base and weekly slots); the groups already at work there are
    those that completed work in it over the trend's months.
    """
    lat, lon = _centre(city, neighbourhood)
    spec = specs.prospect_spec(
        name=f"{neighbourhood} residents",
        sector="community",
        lat=lat,
        lon=lon,
        radius_km=0.0,
        capabilities={code: (weekly_tasks, 0.0) for code in city.labels},
        neighbourhoods=frozenset([neighbourhood]),
    )
    area = {i for i in city.ids() if city.need(i).neighbourhood == neighbourhood}
    suggestions = _suggestion_rows(
        city, suggest_needs_for_prospect(actor, spec, now=city.now, limit=weekly_tasks)
    )
    for row in suggestions:
        row["reasons"] = []
        need = city.need(row["need_id"]) if city.has(row["need_id"]) else None
        row["waiting_days"] = (city.now - need.opened_at).days if need else None
    opened = city.open_in(area)
    open_caps = Counter(need.capability for need in opened)
    snapshot = _base(
        "neighbourhood",
        city,
        actor,
        {
            "name": neighbourhood,
            "neighbourhoods": [neighbourhood],
            "weekly_tasks": weekly_tasks,
            "capabilities": [],
        },
    )
    snapshot.update(
        area=area_picture(city, area, opened),
        city_offers=entries_for(city.catalogue, open_caps),
        suggestions=suggestions,
        partnerships=[],
        groups_at_work=groups_at_work(city, area),
        impact=None,
        map=_map(city, opened, suggestions, None),
    )
    return snapshot


def groups_at_work(city: CityData, area: set[int], limit: int = 8) -> list[dict[str, Any]]:
    """The organisations that completed work in the area over the trend's months, most jobs
    first, with what kinds of work they did there."""
    activity = city.activity
    rows = activity.of_needs(area) & activity.completed & (activity.partner_id >= 0)
    done: dict[int, set[int]] = defaultdict(set)
    for partner_id, need_id in zip(
        activity.partner_id[rows].tolist(), activity.need_id[rows].tolist(), strict=True
    ):
        done[partner_id].add(need_id)
    if not done:
        return []
    names = partner_names(done)
    ranked = sorted(done, key=lambda pid: (-len(done[pid]), names.get(pid, "")))[:limit]
    return [
        {
            "name": names.get(pid, ""),
            "jobs_done": len(done[pid]),
            "kinds": sorted(
                {
                    city.labels.get(city.need(i).capability, city.need(i).capability)
                    for i in done[pid]
                    if city.has(i)
                }
            ),
        }
        for pid in ranked
    ]
