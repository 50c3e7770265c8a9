"""Named read helpers for needs: the filters the list API, map and exports share, and short
summaries of needs by id for the pages and plans that name them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy import inspect as sa_inspect

from accounts.actor import Actor
from commonground.errors import ValidationError
from commonground.extensions import db
from geo.distance import KM_PER_DEGREE_LAT, bounding_box
from needs.filters import NeedFilters
from needs.lifecycle import UNACCEPTED_STATUSES
from needs.models import Claim, Need


def _distance_sq_expr(lat: float, lon: float):
    """Squared equirectangular distance in km², computed in SQL on both databases.

    Within 50 km its error against the great circle is below 0.5 %: good for filtering and
    ordering; exact distances for people come from geopy/haversine.
    """
    kx = KM_PER_DEGREE_LAT * math.cos(math.radians(lat))
    ky = KM_PER_DEGREE_LAT
    dx = (Need.longitude - lon) * kx
    dy = (Need.latitude - lat) * ky
    return dx * dx + dy * dy


def need_summaries(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """need id -> its title, capability, neighbourhood and priority, for the given ids."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Need.id, Need.title, Need.capability_code, Need.neighbourhood, Need.priority).where(
            Need.id.in_(wanted)
        )
    )
    return {
        row.id: {
            "title": row.title,
            "capability": row.capability_code,
            "neighbourhood": row.neighbourhood,
            "priority": row.priority,
        }
        for row in rows
    }


def readable_by(actor: Actor) -> tuple[ColumnElement[bool], ...]:
    """Conditions on `need` limiting a list to what `actor` may read: residents' reports the
    city has not accepted (`UNACCEPTED_STATUSES`) only for staff who triage them."""
    if actor.can("report.triage"):
        return ()
    return (Need.status.not_in(UNACCEPTED_STATUSES),)


def filtered_needs(filters: NeedFilters) -> Select:
    """A SELECT of needs matching the filters, ordered by distance (with `near`) or newest."""
    query = select(Need)
    if filters.status:
        query = query.where(Need.status.in_(filters.status))
    if filters.capability:
        query = query.where(Need.capability_code.in_(filters.capability))
    if filters.neighbourhood:
        query = query.where(Need.neighbourhood == filters.neighbourhood)
    if filters.source:
        query = query.where(Need.source == filters.source)
    if filters.opened_after:
        query = query.where(Need.opened_at >= filters.opened_after)
    if filters.opened_before:
        query = query.where(Need.opened_at < filters.opened_before)
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        query = query.where(
            func.lower(Need.title).like(pattern)
            | func.lower(func.coalesce(Need.address, "")).like(pattern)
        )
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        query = query.where(
            Need.longitude.between(min_lon, max_lon), Need.latitude.between(min_lat, max_lat)
        )
    if filters.near:
        lat, lon = filters.near
        min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, filters.radius_km)
        distance_sq = _distance_sq_expr(lat, lon)
        query = query.where(
            Need.latitude.between(min_lat, max_lat),
            Need.longitude.between(min_lon, max_lon),
            distance_sq <= filters.radius_km**2,
        ).order_by(distance_sq, Need.id)
    else:
        query = query.order_by(Need.opened_at.desc(), Need.id.desc())
    return query


def after_need(query: Select, need_id: int) -> Select:
    """The newest-first list (`filtered_needs` without `near`) from just after one need on: a
    keyset page, read from the indexes on (opened_at, id) without counting or skipping the
    rows before it. A need that does not exist is a ValidationError."""
    opened_at = db.session.scalar(select(Need.opened_at).where(Need.id == need_id))
    if opened_at is None:
        raise ValidationError(
            "No need with that id to continue after.", {"after": ["Not a need's id."]}
        )
    return query.where(
        or_(Need.opened_at < opened_at, and_(Need.opened_at == opened_at, Need.id < need_id))
    )


def count(query: Select) -> int:
    """Rows a SELECT would return, counted in the database."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def counted_page(query: Select, offset: int, limit: int) -> tuple[list[SimpleNamespace], int]:
    """One page of a SELECT of needs (`page`) and how many rows the whole SELECT has. A page
    shorter than `limit` that is not past the end says the total itself (`offset` plus its
    rows): the count, a scan of every matching need (≈ 5 ms at 100k needs on PostgreSQL), is
    made only for a full page or one past the end."""
    rows = page(query, offset, limit)
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)
    return rows, count(query)


def page(query: Select, offset: int, limit: int) -> list[SimpleNamespace]:
    """One page of a SELECT of needs (`filtered_needs`), as plain rows to present: each need's
    columns as attributes and its `claims` (oldest first), in two queries however long the
    page. Not ORM objects: a page is only shown, and loading 50 needs and their claims into the
    session cost more than presenting them (bench/README.md, "Mixed load, second pass")."""
    result = db.session.execute(
        query.with_only_columns(*_columns(Need)).offset(offset).limit(limit)
    )
    keys = tuple(result.keys())
    needs = result.all()
    claims: dict[int, list[Row]] = {}
    if needs:
        rows = db.session.execute(
            select(*_columns(Claim))
            .where(Claim.need_id.in_([need.id for need in needs]))
            .order_by(Claim.id)
        )
        for claim in rows:
            claims.setdefault(claim.need_id, []).append(claim)
    # zip with the keys read once: a row's `_mapping` made per row was 200 µs of a page of 50,
    # this is 80 µs (timeit, L city)
    return [
        SimpleNamespace(**dict(zip(keys, need, strict=True)), claims=claims.get(need.id, []))
        for need in needs
    ]


def _columns(model: type) -> list[Any]:
    """Every column attribute of a model, so that a row's keys are the attribute names."""
    return [getattr(model, column.key) for column in sa_inspect(model).column_attrs]


def count_reports_awaiting_triage() -> int:
    """How many residents' reports wait for a coordinator to accept, merge or dismiss them
    (the coordinator home and the daily digest show it)."""
    return db.session.scalar(select(func.count(Need.id)).where(Need.status == "reported")) or 0
