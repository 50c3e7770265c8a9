"""Read helpers for residents' reports: the triage queue with likely duplicates and the age of
each report. Likely duplicates come from intake's `ProximityIndex` (the same detection an
import uses), over the needs a resident's report could repeat: accepted ones not yet done, and
earlier reports still waiting. Returns plain data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from accounts.actor import Actor
from capabilities.models import Capability
from commonground.extensions import db
from intake.duplicates import ProximityIndex, distance_m
from needs.filters import NeedFilters
from needs.models import Need
from needs.queries import filtered_needs

FOLLOWABLE = ("open", "claimed", "in_progress", "completed")
"""Statuses of a need a new report may repeat: the duplicate hint and "nearby" offer these
(a merge also accepts a verified need: `needs.triage.MERGE_TARGETS`)."""
QUEUE_LIMIT = 200


def _likely_duplicates(reports: list[Need]) -> dict[int, dict[str, Any]]:
    """report id -> the nearest followable need (or earlier report) of the same kind nearby."""
    radius = float(current_app.config["REPORT_DUPLICATE_RADIUS_M"])
    index = ProximityIndex(radius)
    if not index.enabled or not reports:
        return {}
    known: dict[int, tuple[str, str, float, float]] = {}
    rows = db.session.execute(
        select(Need.id, Need.title, Need.status, Need.capability_code, Need.latitude,
               Need.longitude, Need.parcel_id)
        .where(Need.status.in_(FOLLOWABLE), Need.latitude.is_not(None),
               # the index matches within one capability only: read only the reports' kinds
               Need.capability_code.in_({r.capability_code for r in reports}))
    )  # fmt: skip
    for nid, title, status, code, lat, lon, parcel in rows:
        index.add(nid, code, lat, lon, parcel)
        known[nid] = (title, status, lat, lon)
    found: dict[int, dict[str, Any]] = {}
    for report in reports:  # oldest first: a later report finds an earlier one
        if report.latitude is None or report.longitude is None:
            continue
        match = index.nearest(
            report.capability_code, report.latitude, report.longitude, parcel=report.parcel_id
        )
        if match is not None:
            title, status, lat, lon = known[match]
            found[report.id] = {
                "id": match,
                "title": title,
                "status": status,
                "metres": round(distance_m(report.latitude, report.longitude, lat, lon)),
            }
        index.add(report.id, report.capability_code, report.latitude, report.longitude,
                  report.parcel_id)  # fmt: skip
        known[report.id] = (report.title, report.status, report.latitude, report.longitude)
    return found


def triage_queue(actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """Reports awaiting triage, oldest first, each with its age and a likely duplicate."""
    actor.require("report.triage")
    reports = list(
        db.session.scalars(
            select(Need).where(Need.status == "reported").order_by(Need.created_at, Need.id)
            .limit(QUEUE_LIMIT)
        )
    )  # fmt: skip
    labels = dict(db.session.execute(select(Capability.code, Capability.label)).all())
    duplicates = _likely_duplicates(reports)
    return [
        {
            "id": r.id,
            "title": r.title,
            "description": r.description,
            "capability": r.capability_code,
            "capability_label": labels.get(r.capability_code, r.capability_code),
            "address": r.address,
            "neighbourhood": r.neighbourhood,
            "source": r.source,
            "media_url": r.media_url,
            "age_hours": max(0, int((now - r.created_at).total_seconds() // 3600)),
            "likely_duplicate": duplicates.get(r.id),
        }
        for r in reports
    ]


NEARBY_RADIUS_M = 300.0


def nearby_reports(capability: str, lat: float, lon: float, limit: int = 5) -> list[dict[str, Any]]:
    """Followable needs of this (public) kind near a point, nearest first, as the public may see
    them: "is it one of these? follow it instead"."""
    wanted = db.session.get(Capability, capability)
    if wanted is None or not wanted.is_public:
        return []
    filters = NeedFilters(
        status=FOLLOWABLE, capability=(capability,), near=(lat, lon),
        radius_km=NEARBY_RADIUS_M / 1000,
    )  # fmt: skip
    rows = db.session.scalars(filtered_needs(filters).limit(limit))
    return [
        {
            "id": n.id,
            "title": n.title,
            "status": n.status,
            "metres": round(distance_m(lat, lon, n.latitude, n.longitude)),
        }
        for n in rows
    ]


SHOWN_OPEN = ("open", "claimed", "in_progress")
SHOWN_FIXED = ("completed", "verified")
RECENT_DAYS = 90
MAP_LIMIT = 1000


def public_reports(
    now: datetime, *, capability: str | None = None, neighbourhood: str | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Open reports and those fixed in the last RECENT_DAYS, of public kinds only, newest first
    (at most MAP_LIMIT; the flag says more matched). No personal data: what a status page
    shows at the top."""
    public = select(Capability.code).where(
        Capability.is_public.is_(True), Capability.is_active.is_(True)
    )
    since = now - timedelta(days=RECENT_DAYS)
    query = (
        select(Need.id, Need.title, Need.status, Need.capability_code, Need.neighbourhood,
               Need.latitude, Need.longitude, Need.updated_at)
        .where(
            Need.capability_code.in_(public),
            Need.latitude.is_not(None),
            Need.status.in_(SHOWN_OPEN)
            | (Need.status.in_(SHOWN_FIXED) & (Need.updated_at >= since)),
        )
        .order_by(Need.updated_at.desc(), Need.id.desc())
        .limit(MAP_LIMIT + 1)
    )  # fmt: skip
    if capability:
        query = query.where(Need.capability_code == capability)
    if neighbourhood:
        query = query.where(Need.neighbourhood == neighbourhood)
    rows = [dict(row._mapping) for row in db.session.execute(query)]
    return rows[:MAP_LIMIT], len(rows) > MAP_LIMIT
