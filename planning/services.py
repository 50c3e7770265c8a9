"""Use cases of the matching engine in the product: suggestions, the city plan, offers, gaps,
partnerships and recruitment targets.

Each takes the acting user first and checks it. Engine inputs come from `planning.specs`;
results are returned as plain dicts (with names for people) and plans are stored. Accepting an
offered task goes through `needs.services.claim_need`, so every claim rule and the race safety
hold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

import matching
from accounts.actor import Actor
from capabilities.services import capability_labels
from commonground.db_types import utcnow
from commonground.errors import ConflictError, NotFoundError, PermissionDeniedError
from commonground.extensions import db
from needs.models import Need
from needs.services import claim_need, get_need
from partners.models import Partner
from partners.services import get_partner
from planning import queries, specs
from planning.models import Plan, PlanAssignment

Progress = Callable[[str, float], None]


def _partner_names(ids) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids))).all()
    )


def _need_titles(ids) -> dict[int, dict[str, Any]]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Need.id, Need.title, Need.capability_code, Need.neighbourhood, Need.priority).where(
            Need.id.in_(ids)
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


def _suggestion(
    s: matching.Suggestion, partners: dict[int, str], needs: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    need = needs.get(s.need_id, {})
    return {
        "need_id": s.need_id,
        "need_title": need.get("title"),
        "capability": need.get("capability"),
        "neighbourhood": need.get("neighbourhood"),
        "partner_id": s.partner_id,
        "partner_name": partners.get(s.partner_id),
        "score": s.score,
        "distance_km": round(s.distance_km, 2),
        "reasons": list(s.reasons),
    }


# --- suggestions -----------------------------------------------------------------------------


def suggest_partners_for_need(
    actor: Actor, need_id: int, *, now: datetime | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    """Who can act here: the feasible partners for one open need, best first, with reasons."""
    actor.require("partner.read_all")
    need = get_need(actor, need_id)
    spec = specs.need_spec(need_id)
    if need.status != "open" or spec is None:
        return []
    now = now or utcnow()
    ranked = matching.rank_partners_for_need(
        spec,
        specs.partner_specs(now),
        now,
        weights=specs.weights_from_config(),
        labels=capability_labels(),
        limit=limit,
    )
    names = _partner_names(s.partner_id for s in ranked)
    titles = _need_titles([need_id])
    return [_suggestion(s, names, titles) for s in ranked]


def suggest_needs_for_partner(
    actor: Actor, partner_id: int, *, now: datetime | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """What you can do near you: feasible open needs for one partner, best first.

    Without `limit`, as many per capability as the partner has slots left this week.
    """
    partner = get_partner(actor, partner_id)  # members see only their own organisation
    if not (actor.can("partner.read_all") or actor.is_member_of(partner.id)):
        raise NotFoundError(f"No partner with id {partner_id}.")
    now = now or utcnow()
    found = specs.partner_specs(now, partner_ids={partner_id})
    ranked = matching.rank_needs_for_partner(
        found[0],
        specs.open_need_specs(),
        now,
        weights=specs.weights_from_config(),
        labels=capability_labels(),
        limit=limit,
    )
    titles = _need_titles(s.need_id for s in ranked)
    return [_suggestion(s, {partner.id: partner.name}, titles) for s in ranked]


# --- the city plan ---------------------------------------------------------------------------


def run_city_plan(
    actor: Actor,
    *,
    now: datetime | None = None,
    k: int | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Compute the certified optimal city plan for every open need and store it.

    The latest plan's standing assignments (proposed or offered), and every offer still
    standing, are the baseline: keeping one earns the configured keep bonus, and the summary
    reports the churn against it.
    """
    actor.require("plan.run")
    now = now or utcnow()
    k = k if k is not None else current_app.config.get("MATCHING_TOP_K", 8)
    needs = specs.open_need_specs()
    partners = specs.partner_specs(now)
    baseline_plan = queries.latest_plan_id()
    previous = baseline_assignments()
    weights = specs.weights_from_config()
    result = matching.plan_city(
        needs,
        partners,
        now,
        weights=weights,
        k=k,
        previous=previous,
        progress=progress,
        labels=capability_labels(),
    )
    plan = Plan(
        created_at=now,
        created_by_id=actor.user_id,
        created_by_label=actor.label,
        parameters={"k": k, "weights": _weights_dict(weights)},
        summary=plan_summary(result, needs, partners, baseline_plan),
        objective=result.objective,
    )
    plan.assignments = [
        PlanAssignment(
            need_id=s.need_id,
            partner_id=s.partner_id,
            score=s.score,
            distance_km=round(s.distance_km, 3),
            reasons=list(s.reasons),
        )
        for s in result.assignments
    ]
    db.session.add(plan)
    db.session.commit()
    return plan


def plan_summary(
    result: matching.CityPlan,
    needs: list[matching.NeedSpec],
    partners: list[matching.PartnerSpec],
    baseline_plan: int | None,
) -> dict[str, Any]:
    """What a stored plan says about itself: sizes, the optimality certificate, the churn."""
    stats = result.stats
    churn = result.churn
    return {
        "open_needs": len(needs),
        "partners": len(partners),
        "active_partners": sum(p.active for p in partners),
        "assigned": len(result.assignments),
        "unassigned": len(result.unassigned),
        "certified": stats.certified,
        "gap": round(stats.gap_cents / 100.0, 2),
        "rounds": stats.rounds,
        "pairs_priced": stats.pairs_priced,
        "pairs_added": stats.pairs_added,
        "candidate_pairs": stats.candidate_pairs,
        "edges_kept": stats.edges_kept,
        "candidate_seconds": round(stats.candidate_seconds, 4),
        "solve_seconds": round(stats.solve_seconds, 4),
        "pricing_seconds": round(stats.pricing_seconds, 4),
        "baseline_plan_id": baseline_plan,
        "churn": None
        if churn is None
        else {
            "baseline": churn.baseline,
            "kept": churn.kept,
            "moved": churn.moved,
            "added": churn.added,
            "dropped": churn.dropped,
            "gone": churn.gone,
        },
    }


def _weights_dict(weights: matching.Weights) -> dict[str, float]:
    return {name: getattr(weights, name) for name in specs.WEIGHT_NAMES}


def baseline_assignments() -> dict[int, int]:
    """need -> partner a re-plan keeps where it can: the latest plan's standing assignments,
    and every offer still standing (an offer a partner has in hand wins over a proposal)."""
    baseline = queries.standing_assignments()
    rows = db.session.execute(
        select(PlanAssignment.need_id, PlanAssignment.partner_id)
        .where(PlanAssignment.status == "offered")
        .order_by(PlanAssignment.id)
    )
    baseline.update(dict(rows.all()))
    return baseline


def list_plans(actor: Actor, limit: int = 20) -> list[Plan]:
    """Recent plans, newest first."""
    actor.require("plan.read")
    return list(db.session.scalars(select(Plan).order_by(Plan.id.desc()).limit(limit)))


def get_plan(actor: Actor, plan_id: int) -> Plan:
    """One stored plan."""
    actor.require("plan.read")
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"No plan with id {plan_id}.")
    return plan


def present_plan(plan: Plan, *, with_assignments: bool = True) -> dict[str, Any]:
    """A plan as plain data, assignments grouped by partner with names and need titles."""
    data = {
        "id": plan.id,
        "created_at": plan.created_at,
        "created_by": plan.created_by_label,
        "parameters": plan.parameters,
        "summary": plan.summary,
        "objective": plan.objective,
    }
    if with_assignments:
        names = _partner_names(a.partner_id for a in plan.assignments)
        titles = _need_titles(a.need_id for a in plan.assignments)
        data["assignments"] = [present_assignment(a, names, titles) for a in plan.assignments]
    return data


def present_assignment(
    a: PlanAssignment, names: dict[int, str], titles: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """One assignment as plain data."""
    need = titles.get(a.need_id, {})
    return {
        "id": a.id,
        "plan_id": a.plan_id,
        "need_id": a.need_id,
        "need_title": need.get("title"),
        "capability": need.get("capability"),
        "neighbourhood": need.get("neighbourhood"),
        "partner_id": a.partner_id,
        "partner_name": names.get(a.partner_id),
        "score": a.score,
        "distance_km": a.distance_km,
        "reasons": a.reasons,
        "status": a.status,
        "offered_at": a.offered_at,
        "decided_at": a.decided_at,
        "claim_id": a.claim_id,
    }


def _assignment(plan_id: int, assignment_id: int) -> PlanAssignment:
    found = db.session.get(PlanAssignment, assignment_id)
    if found is None or found.plan_id != plan_id:
        raise NotFoundError(f"No assignment {assignment_id} in plan {plan_id}.")
    return found


def offer_assignment(
    actor: Actor, plan_id: int, assignment_id: int, *, now: datetime | None = None
) -> PlanAssignment:
    """A coordinator offers a planned task to its partner."""
    actor.require("plan.run")
    found = _assignment(plan_id, assignment_id)
    if found.status != "proposed":
        raise ConflictError(f"This assignment is already {found.status}.", {"status": found.status})
    found.status = "offered"
    found.offered_at = now or utcnow()
    db.session.commit()
    return found


def offers_for_partner(actor: Actor, partner_id: int) -> list[dict[str, Any]]:
    """Tasks offered to a partner that are still open, best first."""
    partner = get_partner(actor, partner_id)
    rows = list(
        db.session.scalars(
            select(PlanAssignment)
            .join(Need, Need.id == PlanAssignment.need_id)
            .where(
                PlanAssignment.partner_id == partner.id,
                PlanAssignment.status == "offered",
                Need.status == "open",
            )
            .order_by(PlanAssignment.score.desc(), PlanAssignment.id)
        )
    )
    titles = _need_titles(a.need_id for a in rows)
    return [present_assignment(a, {partner.id: partner.name}, titles) for a in rows]


def accept_offer(
    actor: Actor, plan_id: int, assignment_id: int, *, now: datetime | None = None
) -> PlanAssignment:
    """The partner accepts an offered task: it is claimed through the normal claim service."""
    found = _assignment(plan_id, assignment_id)
    if not actor.is_member_of(found.partner_id):
        raise PermissionDeniedError("Only the partner it was offered to may accept it.")
    if found.status != "offered":
        raise ConflictError(f"This task is {found.status}, not offered.", {"status": found.status})
    claim = claim_need(actor, found.need_id, now=now)
    found = _assignment(plan_id, assignment_id)
    found.status = "accepted"
    found.decided_at = claim.claimed_at
    found.claim_id = claim.id
    db.session.commit()
    return found


def decline_offer(
    actor: Actor, plan_id: int, assignment_id: int, note: str = "", *, now: datetime | None = None
) -> PlanAssignment:
    """The partner declines an offered task."""
    found = _assignment(plan_id, assignment_id)
    if not actor.is_member_of(found.partner_id):
        raise PermissionDeniedError("Only the partner it was offered to may decline it.")
    if found.status != "offered":
        raise ConflictError(f"This task is {found.status}, not offered.", {"status": found.status})
    found.status = "declined"
    found.decided_at = now or utcnow()
    found.decision_note = note
    db.session.commit()
    return found


# --- analysis --------------------------------------------------------------------------------


def coverage_gap_report(actor: Actor, *, now: datetime | None = None) -> dict[str, Any]:
    """Needs nobody can reach and, per neighbourhood and capability, demand against capacity."""
    actor.require("plan.read")
    now = now or utcnow()
    gaps = matching.coverage_gaps(specs.open_need_specs(), specs.partner_specs(now), now)
    titles = _need_titles(gaps.unreachable + gaps.zero_capacity_only)
    labels = capability_labels()
    return {
        "unreachable": [{"need_id": i, **titles.get(i, {})} for i in gaps.unreachable],
        "zero_capacity_only": [
            {"need_id": i, **titles.get(i, {})} for i in gaps.zero_capacity_only
        ],
        "cells": [
            {
                **{f: getattr(c, f) for f in c.__slots__},
                "capability_label": labels.get(c.capability, c.capability),
            }
            for c in gaps.cells
        ],
    }


def partnership_report(actor: Actor, *, limit: int = 20) -> list[dict[str, Any]]:
    """Pairs of partners who together cover needs neither covers alone; cross-sector first."""
    actor.require("plan.read")
    pairs = matching.partnership_suggestions(
        specs.partner_specs(utcnow()),
        specs.open_need_specs(),
        limit=limit,
        labels=capability_labels(),
    )
    names = _partner_names(pid for p in pairs for pid in p.partner_ids)
    return [
        {
            "partners": [
                {"id": pid, "name": names.get(pid), "brings": list(brings)}
                for pid, brings in zip(p.partner_ids, p.brings, strict=True)
            ],
            "cross_sector": p.cross_sector,
            "needs_covered": p.needs_covered,
            "need_ids": list(p.need_ids),
            "neighbourhoods": list(p.neighbourhoods),
            "reasons": list(p.reasons),
        }
        for p in pairs
    ]


def recruitment_report(
    actor: Actor,
    *,
    capability: str | None = None,
    radius_km: float = 3.0,
    limit: int = 10,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Where a new partner of a capability would reach the most unmet priority-weighted need."""
    actor.require("plan.read")
    now = now or utcnow()
    targets = matching.recruitment_targets(
        specs.open_need_specs(),
        specs.partner_specs(now),
        specs.neighbourhood_sites(),
        capability=capability,
        radius_km=radius_km,
        limit=limit,
        now=now,
        labels=capability_labels(),
    )
    return [
        {
            "site": t.name,
            "lat": t.lat,
            "lon": t.lon,
            "capability": t.capability,
            "needs_reached": t.needs_reached,
            "priority_weight": t.priority_weight,
            "need_ids": list(t.need_ids),
            "reasons": list(t.reasons),
        }
        for t in targets
    ]
