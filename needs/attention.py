"""What needs a coordinator's attention: open needs by capability and neighbourhood, needs no
active partner can reach, stale claims, and completions waiting for verification.

Read-only use cases for the coordinator's home page. Returns plain data (no ORM objects).
Must not import Flask request globals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select

from accounts.actor import Actor
from commonground.extensions import db
from geo.distance import KM_PER_DEGREE_LAT
from needs.models import Claim, Need
from needs.services import stale_claims
from partners.models import Partner, PartnerCapability

LIST_LIMIT = 50


def open_needs_matrix(actor: Actor) -> dict[str, Any]:
    """Counts of open needs per (neighbourhood, capability), with row and column totals."""
    actor.require("need.review")
    rows = db.session.execute(
        select(Need.neighbourhood, Need.capability_code, func.count(Need.id))
        .where(Need.status == "open")
        .group_by(Need.neighbourhood, Need.capability_code)
    ).all()
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    by_capability: dict[str, int] = defaultdict(int)
    for neighbourhood, capability, n in rows:
        cells[neighbourhood or ""][capability] = n
        by_capability[capability] += n
    neighbourhoods = sorted(cells, key=lambda name: (-sum(cells[name].values()), name))
    return {
        "capabilities": sorted(by_capability, key=lambda c: (-by_capability[c], c)),
        "by_capability": dict(by_capability),
        "rows": [
            {"neighbourhood": name, "cells": cells[name], "total": sum(cells[name].values())}
            for name in neighbourhoods
        ],
        "total": sum(by_capability.values()),
    }


def unreachable_needs(actor: Actor, limit: int = LIST_LIMIT) -> dict[str, Any]:
    """Open needs that no active partner with the capability covers (radius or neighbourhood).

    One query for the partners' areas, one for the open needs, then a vectorised distance check
    per capability. Returns the count and the first `limit` needs, most urgent first.
    """
    actor.require("need.review")
    areas: dict[str, list[tuple[float, float, float, frozenset[str]]]] = defaultdict(list)
    for code, lat, lon, radius, neighbourhoods in db.session.execute(
        select(
            PartnerCapability.capability_code,
            Partner.base_latitude,
            Partner.base_longitude,
            Partner.service_radius_km,
            Partner.service_neighbourhoods,
        )
        .join(Partner, Partner.id == PartnerCapability.partner_id)
        .where(Partner.status == "active", PartnerCapability.tasks_per_week > 0)
    ):
        areas[code].append((lat, lon, radius, frozenset(neighbourhoods or ())))
    needs = db.session.execute(
        select(
            Need.id,
            Need.title,
            Need.capability_code,
            Need.neighbourhood,
            Need.priority,
            Need.latitude,
            Need.longitude,
        )
        .where(Need.status == "open", Need.latitude.is_not(None))
        .order_by(Need.priority, Need.id)
    ).all()
    by_capability: dict[str, list] = defaultdict(list)
    for row in needs:
        by_capability[row.capability_code].append(row)
    unreachable = []
    for code, rows in by_capability.items():
        covered = _covered(rows, areas.get(code, []))
        unreachable.extend(row for row, ok in zip(rows, covered, strict=True) if not ok)
    unreachable.sort(key=lambda r: (r.priority, r.id))
    return {
        "count": len(unreachable),
        "needs": [
            {
                "id": r.id,
                "title": r.title,
                "capability": r.capability_code,
                "neighbourhood": r.neighbourhood,
                "priority": r.priority,
            }
            for r in unreachable[:limit]
        ],
    }


def _covered(rows: list, areas: list[tuple[float, float, float, frozenset[str]]]) -> list[bool]:
    """For each need row, whether some partner area (circle or neighbourhood list) covers it."""
    if not areas:
        return [False] * len(rows)
    lat = np.array([r.latitude for r in rows])[:, None]
    lon = np.array([r.longitude for r in rows])[:, None]
    plat = np.array([a[0] for a in areas])[None, :]
    plon = np.array([a[1] for a in areas])[None, :]
    radius = np.array([a[2] for a in areas])[None, :]
    kx = KM_PER_DEGREE_LAT * np.cos(np.radians(plat))
    dist_sq = ((lon - plon) * kx) ** 2 + ((lat - plat) * KM_PER_DEGREE_LAT) ** 2
    in_circle = (dist_sq <= radius**2).any(axis=1)
    named = set().union(*(a[3] for a in areas))
    return [
        bool(inside) or (r.neighbourhood is not None and r.neighbourhood in named)
        for r, inside in zip(rows, in_circle, strict=True)
    ]


def stale_claim_list(actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """Active claims past their start or completion limit, with need, partner and reason."""
    actor.require("need.review")
    stale = stale_claims(now)
    names = _partner_names({claim.partner_id for claim, _ in stale})
    return [
        {
            "need_id": claim.need_id,
            "title": claim.need.title,
            "status": claim.need.status,
            "partner_id": claim.partner_id,
            "partner_name": names.get(claim.partner_id, ""),
            "claimed_at": claim.claimed_at,
            "days": math.floor((now - claim.claimed_at).total_seconds() / 86400),
            "reason": reason,
        }
        for claim, reason in stale
    ]


def awaiting_verification(actor: Actor, limit: int = LIST_LIMIT) -> dict[str, Any]:
    """Completed needs waiting for a coordinator to verify or reopen them, oldest first."""
    actor.require("need.review")
    base = (
        select(
            Need.id,
            Need.title,
            Need.capability_code,
            Claim.partner_id,
            Claim.completed_at,
            Claim.volunteers,
            Claim.hours,
        )
        .join(Claim, (Claim.need_id == Need.id) & (Claim.status == "done"))
        .where(Need.status == "completed")
    )
    total = db.session.scalar(select(func.count(Need.id)).where(Need.status == "completed"))
    rows = db.session.execute(base.order_by(Claim.completed_at, Need.id).limit(limit)).all()
    names = _partner_names({r.partner_id for r in rows})
    return {
        "count": total or 0,
        "needs": [
            {
                "id": r.id,
                "title": r.title,
                "capability": r.capability_code,
                "partner_name": names.get(r.partner_id, ""),
                "completed_at": r.completed_at,
                "volunteers": r.volunteers,
                "hours": r.hours,
            }
            for r in rows
        ],
    }


def _partner_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids)))
    return {partner_id: name for partner_id, name in rows}


def attention_summary(
    actor: Actor, now: datetime, *, with_unreachable: bool = True
) -> dict[str, Any]:
    """Everything the coordinator's home shows, in one call (`with_unreachable=False` when the
    matching engine reports reach instead)."""
    actor.require("need.review")
    return {
        "matrix": open_needs_matrix(actor),
        "unreachable": unreachable_needs(actor) if with_unreachable else None,
        "stale": stale_claim_list(actor, now),
        "awaiting": awaiting_verification(actor),
    }
