"""What needs a coordinator's attention among the needs themselves: open needs by capability
and neighbourhood, stale claims, and completions waiting for verification.

Read-only parts of the coordinator's home page (`planning.services.coordinator_home`, which adds
who can reach what from the matching engine: this module has no reach rule of its own). Returns
plain data (no ORM objects). Must not import Flask request globals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from accounts.actor import Actor
from commonground.extensions import db
from needs.models import Claim, Need
from needs.services import count_stale_claims, stale_claims
from partners.queries import partner_names

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


def stale_claim_list(
    actor: Actor, now: datetime, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Active claims past their start or completion limit, with need, partner and reason,
    oldest claim first (the first `limit`)."""
    actor.require("need.review")
    stale = stale_claims(now, limit=limit)
    names = partner_names({claim.partner_id for claim, _ in stale})
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
    names = partner_names({r.partner_id for r in rows})
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


def attention_summary(actor: Actor, now: datetime) -> dict[str, Any]:
    """The open-needs matrix, stale claims (the LIST_LIMIT oldest in `stale`, how many in all in
    `stale_count`: a city has thousands, the page shows a screenful) and completions to verify,
    in one call."""
    actor.require("need.review")
    return {
        "matrix": open_needs_matrix(actor),
        "stale": stale_claim_list(actor, now, limit=LIST_LIMIT),
        "stale_count": count_stale_claims(now),
        "awaiting": awaiting_verification(actor),
    }
