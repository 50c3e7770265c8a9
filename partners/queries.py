"""Named read helpers for partners: plain values out (ids, names), no ORM objects."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from commonground.extensions import db
from partners.models import Partner


def partner_names(ids: Iterable[int]) -> dict[int, str]:
    """partner id -> name for the given ids (one query; none for no ids)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = db.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(wanted)))
    return {partner_id: name for partner_id, name in rows}
