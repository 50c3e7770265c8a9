"""A partner's view of needs: the parts of its tasks page, its claims and history.

The tasks page itself is one use case, `planning.services.tasks_near`; it takes from here the
partner's area and weekly capacity, its view of the needs the engine ranked (`task_rows`), and
the open needs in its area nearest first (`tasks_in_area`) for when the engine ranks nothing.
Returns plain data (no ORM objects). Must not import Flask request globals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from accounts.actor import Actor
from capabilities.models import Capability
from commonground.errors import PermissionDeniedError
from commonground.extensions import db
from geo.distance import haversine_km
from needs.models import Claim, Need
from needs.queries import NeedFilters, filtered_needs
from needs.services import active_claim, capacity_used, get_need, stale_after, stale_limits
from partners.models import Partner
from partners.services import get_partner, present_partner

TASK_LIMIT = 200
TASK_COLUMNS = (
    Need.id,
    Need.title,
    Need.capability_code,
    Need.priority,
    Need.effort_hours,
    Need.address,
    Need.neighbourhood,
    Need.due_date,
    Need.latitude,
    Need.longitude,
)


def own_partner(actor: Actor) -> Partner:
    """The acting member's organisation, or PermissionDeniedError for anyone else."""
    actor.require("partner.read_own")
    if actor.partner_id is None:
        raise PermissionDeniedError("You are not a member of a partner organisation.")
    return get_partner(actor, actor.partner_id)


def tasks_in_area(partner: Partner, limit: int = TASK_LIMIT) -> tuple[list[dict[str, Any]], bool]:
    """Open needs the partner's capabilities can act on inside its service area (radius from
    its base, or its neighbourhoods), nearest first: the first `limit`, and whether there are
    more."""
    codes = tuple(c.capability_code for c in partner.capabilities if c.tasks_per_week > 0)
    base = (partner.base_latitude, partner.base_longitude)
    rows: dict[int, Any] = {}
    if codes:
        near = NeedFilters(
            status=("open",), capability=codes, near=base, radius_km=partner.service_radius_km
        )
        for row in db.session.execute(
            filtered_needs(near).with_only_columns(*TASK_COLUMNS).limit(limit)
        ):
            rows[row.id] = row
        named = partner.service_neighbourhoods or []
        if named:
            query = (
                filtered_needs(NeedFilters(status=("open",), capability=codes))
                .with_only_columns(*TASK_COLUMNS)
                .where(Need.neighbourhood.in_(named), Need.latitude.is_not(None))
                .limit(limit)
            )
            for row in db.session.execute(query):
                rows.setdefault(row.id, row)
    tasks = [_task(row, base) for row in rows.values()]
    tasks.sort(key=lambda t: (t["distance_km"], t["id"]))
    return tasks[:limit], len(tasks) > limit


def weekly_capacity(partner: Partner, now: datetime) -> list[dict[str, Any]]:
    """Each of the partner's capabilities with its weekly tasks and how many it took this week."""
    return [
        {
            "capability": c.capability_code,
            "tasks_per_week": c.tasks_per_week,
            "used": capacity_used(partner.id, c.capability_code, now),
        }
        for c in partner.capabilities
    ]


def full_this_week(capacity: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """capability code -> its `weekly_capacity` row, for the capabilities with no slot left this
    week (a claim for them would be refused): claim buttons say so instead."""
    return {c["capability"]: c for c in capacity if c["used"] >= c["tasks_per_week"]}


def our_full_capabilities(actor: Actor, now: datetime) -> dict[str, dict[str, Any]]:
    """`full_this_week` for the acting member's organisation (nothing for anyone else)."""
    if actor.partner_id is None or not actor.can("need.claim"):
        return {}
    return full_this_week(weekly_capacity(own_partner(actor), now))


def _task(row: Any, base: tuple[float, float]) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "capability": row.capability_code,
        "priority": row.priority,
        "effort_hours": row.effort_hours,
        "address": row.address,
        "neighbourhood": row.neighbourhood,
        "due_date": row.due_date,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "distance_km": round(haversine_km(base[0], base[1], row.latitude, row.longitude), 2),
    }


AREA_FIELDS = ("id", "name", "status", "base_latitude", "base_longitude", "service_radius_km")


def partner_area(partner: Partner) -> dict[str, Any]:
    """The partner's name, status and service area (base, radius, neighbourhoods)."""
    data = {name: getattr(partner, name) for name in AREA_FIELDS}
    data["service_neighbourhoods"] = list(partner.service_neighbourhoods or [])
    return data


CLAIM_COLUMNS = (
    Claim.id,
    Claim.need_id,
    Claim.status,
    Claim.claimed_at,
    Claim.started_at,
    Claim.completed_at,
    Claim.verified_at,
    Claim.released_at,
    Claim.release_reason,
    Claim.volunteers,
    Claim.hours,
    Claim.units,
    Claim.unit_kind,
    Need.title,
    Need.capability_code,
    Need.status.label("need_status"),
)


def our_claims(actor: Actor) -> list[dict[str, Any]]:
    """Our active claims and our completions awaiting verification, newest first; an active
    claim says when the city may release it (`stale_on`) unless it is started or completed
    (`stale_unless`)."""
    partner = own_partner(actor)
    rows = db.session.execute(
        select(*CLAIM_COLUMNS)
        .join(Need, Need.id == Claim.need_id)
        .where(
            Claim.partner_id == partner.id,
            (Claim.status == "active") | ((Claim.status == "done") & (Need.status == "completed")),
        )
        .order_by(Claim.claimed_at.desc(), Claim.id.desc())
    )
    claims = [dict(row._mapping) for row in rows]
    limits = {
        c.code: stale_limits(c)
        for c in db.session.scalars(
            select(Capability).where(Capability.code.in_({c["capability_code"] for c in claims}))
        )
    }
    for c in claims:
        limit = limits.get(c["capability_code"]) or stale_limits(None)
        c["stale_on"], c["stale_unless"] = (
            stale_after(c["claimed_at"], c["started_at"], limit)
            if c["status"] == "active"
            else (None, None)
        )
    return claims


def our_profile(actor: Actor) -> dict[str, Any]:
    """Our organisation's profile as plain data, for its edit page."""
    return present_partner(actor, own_partner(actor))


def our_history(actor: Actor, limit: int = 200) -> dict[str, Any]:
    """Our finished, released and rejected claims (newest first); the impact totals are
    `performance.services.partner_impact`'s (one reading for every page and briefing)."""
    partner = own_partner(actor)
    rows = db.session.execute(
        select(*CLAIM_COLUMNS)
        .join(Need, Need.id == Claim.need_id)
        .where(Claim.partner_id == partner.id, Claim.status != "active")
        .order_by(Claim.claimed_at.desc(), Claim.id.desc())
        .limit(limit)
    )
    return {"claims": [dict(row._mapping) for row in rows], "partner_id": partner.id}


def partner_record(actor: Actor, partner_id: int) -> dict[str, Any]:
    """A partner's page: its profile (contacts redacted for the actor) and claims in hand (its
    impact is `performance.services.partner_impact`'s)."""
    partner = get_partner(actor, partner_id)
    active = db.session.scalar(
        select(func.count(Claim.id)).where(Claim.partner_id == partner_id, Claim.status == "active")
    )
    return {
        "partner": present_partner(actor, partner),
        "active_claims": active or 0,
    }


def task_rows(partner: Partner, need_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The partner's view of the given needs (address, effort, place, distance from its base),
    by id."""
    if not need_ids:
        return {}
    base = (partner.base_latitude, partner.base_longitude)
    rows = db.session.execute(
        select(*TASK_COLUMNS).where(Need.id.in_(need_ids), Need.latitude.is_not(None))
    )
    return {row.id: _task(row, base) for row in rows}


SIMILAR_REACH_KM = 5.0
"""How far from a need its "similar tasks nearby" are looked for, when the reader's own
organisation gives no service radius."""


def lost_claim(actor: Actor, need_id: int, now: datetime, limit: int = 3) -> dict[str, Any] | None:
    """When another organisation holds a need the actor wanted: its name, how many minutes
    ago it claimed it, and up to `limit` open needs of the same capability nearest to this one
    (`similar`, each with its distance from it). None when nobody else holds it."""
    need = get_need(actor, need_id)
    claim = active_claim(need)
    if claim is None or actor.is_member_of(claim.partner_id):
        return None
    reach = SIMILAR_REACH_KM
    if actor.partner_id is not None:
        reach = get_partner(actor, actor.partner_id).service_radius_km or reach
    similar: list[dict[str, Any]] = []
    if need.latitude is not None and need.longitude is not None:
        here = (need.latitude, need.longitude)
        near = NeedFilters(
            status=("open",), capability=(need.capability_code,), near=here, radius_km=reach
        )
        query = filtered_needs(near).with_only_columns(*TASK_COLUMNS).limit(limit)
        similar = [_task(row, here) for row in db.session.execute(query)]
    holder = db.session.get(Partner, claim.partner_id)
    return {
        "partner_name": holder.name if holder else "Another organisation",
        "minutes": max(0, int((now - claim.claimed_at).total_seconds() // 60)),
        "similar": similar,
    }
