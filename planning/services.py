"""Use cases of the matching engine in the product: suggestions, the city plan, offers, gaps,
partnerships and recruitment targets.

Each takes the acting user first and checks it. Engine inputs come from `planning.specs`;
results are returned as plain dicts (with names for people) and plans are stored, each write in
one unit of work (`commonground.transaction`). Accepting an offered task goes through
`needs.services.claim_need` in the same unit, so every claim rule and the race safety hold and
the claim and the accepted offer are stored together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select

import matching
from accounts.actor import Actor
from capabilities.services import capability_labels
from commonground.db_types import utcnow
from commonground.errors import ConflictError, NotFoundError, PermissionDeniedError
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from commonground.transaction import unit_of_work
from matching import explain
from matching.recruitment import organisation_kind
from needs.attention import LIST_LIMIT, attention_summary
from needs.calendar import week_start
from needs.models import Need
from needs.queries import count_reports_awaiting_triage, need_summaries
from needs.services import claim_need, get_need
from needs.tasks import (
    TASK_LIMIT,
    own_partner,
    partner_area,
    task_rows,
    tasks_in_area,
    weekly_capacity,
)
from notifications import notices
from partners.models import Partner
from partners.queries import partner_names
from partners.services import get_partner
from planning import queries, specs
from planning.basis_cache import BasisCache, frozen, memoised
from planning.models import Plan, PlanAssignment
from planning.open_needs import OpenNeeds, OpenNeedsCache
from planning.plan_rows import store_assignments

Progress = Callable[[str, float], None]
T = TypeVar("T")


def _units() -> str:
    """The city's distance units (DISTANCE_UNITS): "mi" or "km"."""
    return current_app.config.get("DISTANCE_UNITS", "km")


def _reason_row(reason: matching.Reason, audience: str, units: str) -> dict[str, Any]:
    return {
        "kind": reason.kind,
        "tone": reason.tone,
        "text": explain.render(reason, audience=audience, units=units),
        "values": reason.as_dict(),
    }


def shown_reasons(stored: list[Any], audience: str) -> list[dict[str, Any]]:
    """Stored assignment reasons in the words of `audience` and the city's units.

    Plans stored before reasons were kept as data hold plain strings (the partner's words):
    those are shown as they are, untinted."""
    units = _units()
    rows = []
    for item in stored or []:
        if isinstance(item, str):
            rows.append({"kind": "text", "tone": "neutral", "text": item, "values": {}})
            continue
        values = tuple((item.get("values") or {}).items())
        reason = matching.Reason(item["kind"], item.get("tone", "neutral"), values)
        rows.append(_reason_row(reason, audience, units))
    return rows


def _suggestion(
    s: matching.Suggestion,
    partners: dict[int, str],
    needs: dict[int, dict[str, Any]],
    *,
    rank: int,
    audience: str,
    skip: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """One suggestion as plain data, its reasons in the words of `audience` and the city's units
    (kinds in `skip` left out)."""
    units = _units()
    need = needs.get(s.need_id, {})
    items = [_reason_row(r, audience, units) for r in s.reason_items if r.kind not in skip]
    return {
        "rank": rank,
        "need_id": s.need_id,
        "need_title": need.get("title"),
        "capability": need.get("capability"),
        "neighbourhood": need.get("neighbourhood"),
        "partner_id": s.partner_id,
        "partner_name": partners.get(s.partner_id),
        "score": s.score,
        "distance_km": round(s.distance_km, 2),
        "distance": explain.format_distance(s.distance_km, units),
        "reasons": [r["text"] for r in items] if s.reason_items else list(s.reasons),
        "reason_items": items,
        "tie_break": None if s.tie_break is None else _reason_row(s.tie_break, audience, units),
    }


def _score_max(weights: matching.Weights) -> float:
    """The largest score a suggestion can have (the keep bonus is the plan's, not a ranking's)."""
    return weights.priority + weights.waiting + weights.distance + weights.track_record


# --- suggestions -----------------------------------------------------------------------------


def who_can_act_here(
    actor: Actor, need_id: int, *, now: datetime | None = None, limit: int = 10
) -> dict[str, Any]:
    """Who can act here, for staff: the feasible partners for one open need, best first, with
    the latest plan's choice marked and, for every partner ranked above it, why it was not chosen.

    Returns `suggestions` (the first `limit`, plus the planned partner's row when it ranks
    lower), `plan` (None without any plan; else its id and the partner it chose for this need,
    with that partner's rank, None when it is not feasible now), `score_max` and `units`.
    Reasons are in a coordinator's words ("their base is 1.3 mi away"); facts of the need alone
    (open, overdue, priority) are left out: they are the same for every partner.
    """
    actor.require("partner.read_all")
    need = get_need(actor, need_id)
    spec = specs.need_spec_of(need)
    weights = specs.weights_from_config()
    found: dict[str, Any] = {
        "suggestions": [],
        "plan": None,
        "score_max": _score_max(weights),
        "units": _units(),
    }
    if need.status != "open" or spec is None:
        return found
    now = now or utcnow()
    version = queries.city_version(("needs", *queries.PARTNER_PARTS, "labels"))
    reach = partner_reach(now, version)
    # Competing open needs only break ties of score and slots; they are counted over the
    # process's kept open needs (`OpenNeeds.competing_for`), never read from SQL nor indexed
    # per request (issue 14); same ranking as over the whole city read afresh.
    competing = open_needs(version).competing_for(spec)
    plan_id, planned = queries.latest_choice_for_need(need_id)
    ranked = matching.rank_partners_for_need(
        spec,
        (),
        now,
        weights=weights,
        labels=dict(version.labels or ()),  # every capability's, as `capability_labels`
        index=reach,
        competing=competing,
        explain_first=limit,  # the rows shown; the rest only rank
        explain_ids=() if planned is None else (planned,),
    )
    plan, not_chosen = _plan_choice(
        need_id, spec.capability, ranked, reach, plan_id=plan_id, planned=planned, shown=limit
    )
    found["plan"] = plan
    planned = plan["partner_id"] if plan else None
    shown = list(enumerate(ranked[:limit], start=1))
    if plan and plan["rank"] is not None and plan["rank"] > limit:
        shown.append((plan["rank"], ranked[plan["rank"] - 1]))
    names = partner_names([s.partner_id for _, s in shown] + ([planned] if planned else []))
    if plan:
        plan["partner_name"] = names.get(planned)
    titles = need_summaries([need_id])
    units = _units()
    for rank, s in shown:
        row = _suggestion(
            s, names, titles, rank=rank, audience="coordinator", skip=explain.NEED_KINDS
        )
        row["planned"] = s.partner_id == planned
        why = not_chosen.get(s.partner_id)
        row["not_chosen"] = None if why is None else _reason_row(why, "coordinator", units)
        found["suggestions"].append(row)
    return found


REACH: BasisCache[matching.CandidateIndex] = BasisCache()
"""This process's partners as engine input, indexed by place (see `partner_reach`)."""
REACH_MAX_AGE = timedelta(days=7)
"""A partner's spec changes only with its part of the city's version or the week (the key)."""


def partner_reach(
    now: datetime, version: queries.CityVersion | None = None
) -> matching.CandidateIndex:
    """Every partner as engine input (`specs.partner_specs`: slots left this week, track
    record), indexed by place, kept per process while the partners, their slots and the
    claims are unchanged (`CityVersion.partner_part` of `version`, else read here) and in the
    same capacity week: "who can act here" read all of them (every claim for the track
    records) and indexed them on every request (5 s at 100k needs x 5k partners, issue 14).
    A need posted or edited keeps them (a claim made, released or completed does not).
    Shared by the requests of a process, so never change it."""
    version = version if version is not None else queries.city_version(queries.PARTNER_PARTS)
    key = (
        id(current_app._get_current_object()),  # one entry per application
        week_start(now, current_app.config["CITY_TIMEZONE"]),
        version.partner_part(),
    )
    kept = REACH.get(key, now, REACH_MAX_AGE)
    if kept is not None:
        return kept
    reach = matching.CandidateIndex((), specs.partner_specs(now))
    REACH.put(key, now, reach)
    return reach


OPEN_NEEDS = OpenNeedsCache()
"""This process's open needs as engine input (see `open_needs`)."""


def open_needs(version: queries.CityVersion | None = None) -> OpenNeeds:
    """The city's open needs, kept per process and refreshed from the rows changed since the
    last read (`planning.open_needs`); `version` is the city's version (its need part read)
    when the caller has it already. Shared by the requests of a process, so never change it."""
    version = version if version is not None else queries.city_version(("needs",))
    key = (id(current_app._get_current_object()), current_app.config["CITY_TIMEZONE"])
    return OPEN_NEEDS.current(key, version.needs)


def _plan_choice(
    need_id: int,
    capability: str,
    ranked: list[matching.Suggestion],
    index: matching.CandidateIndex,
    *,
    plan_id: int | None,
    planned: int | None,
    shown: int,
) -> tuple[dict[str, Any] | None, dict[int, matching.Reason]]:
    """The latest plan's choice for a need (`plan_id`, the latest plan, chose `planned`) and,
    for each partner ranked above it among the first `shown` (the rows a page shows), why not
    them: the planned tasks holding their slots this week, against the slots they have left."""
    if plan_id is None:
        return None, {}
    rank = next((i for i, s in enumerate(ranked, start=1) if s.partner_id == planned), None)
    choice = {"plan_id": plan_id, "partner_id": planned, "partner_name": None, "rank": rank}
    if rank is None:
        return choice, {}
    above = ranked[: min(rank - 1, max(0, shown))]
    held = (
        queries.planned_task_counts(
            plan_id, excluding_need=need_id, partner_ids=[s.partner_id for s in above]
        )
        if above
        else {}
    )
    why = {}
    for s in above:
        partner = index.partners[index.partner_position(s.partner_id)]
        why[s.partner_id] = explain.not_chosen_reason(
            tasks_left=partner.capabilities[capability].tasks_left,
            planned=held.get((s.partner_id, capability), 0),
        )
    return choice, why


def need_page_suggestions(
    actor: Actor, need_id: int, *, now: datetime | None = None
) -> dict[str, Any] | None:
    """Who can act here as a need's page shows it: `who_can_act_here` (the first 10) for staff
    who read plans (plan.read); None for everyone else, whose page has no such section."""
    if not actor.can("plan.read"):
        return None
    return who_can_act_here(actor, need_id, now=now, limit=10)


def suggest_partners_for_need(
    actor: Actor, need_id: int, *, now: datetime | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    """Who can act here: the feasible partners for one open need, best first, with reasons in a
    coordinator's words, the latest plan's choice marked and why higher-ranked partners were
    not chosen (see `who_can_act_here`)."""
    return who_can_act_here(actor, need_id, now=now, limit=limit)["suggestions"]


def suggest_needs_for_partner(
    actor: Actor, partner_id: int, *, now: datetime | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """What you can do near you: feasible open needs for one partner, best first, with reasons
    in the partner's words ("1.3 mi from your base") and the city's units.

    Without `limit`, as many per capability as the partner has slots left this week.
    """
    partner = get_partner(actor, partner_id)  # members see only their own organisation
    if not (actor.can("partner.read_all") or actor.is_member_of(partner.id)):
        raise NotFoundError(f"No partner with id {partner_id}.")
    return _ranked_needs(partner, now or utcnow(), limit)


def _ranked_needs(partner: Partner, now: datetime, limit: int | None) -> list[dict[str, Any]]:
    """The engine's ranking of open needs for one partner, in the partner's words."""
    found = specs.partner_specs(now, partner_ids={partner.id})
    kept = open_needs()
    index = kept.current_index()
    if index is not None:
        ranked = specs.rank_open_needs(found[0], now, limit, index=index)
    else:
        ranked = specs.rank_open_needs(found[0], now, limit, needs=kept.in_area(found[0]))
    titles = need_summaries(s.need_id for s in ranked)
    names = {partner.id: partner.name}
    return [
        _suggestion(s, names, titles, rank=rank, audience="partner")
        for rank, s in enumerate(ranked, start=1)
    ]


# --- the city plan ---------------------------------------------------------------------------


def run_city_plan(
    actor: Actor,
    *,
    now: datetime | None = None,
    k: int | None = None,
    progress: Progress | None = None,
    within: Callable[[Plan], None] | None = None,
) -> Plan:
    """Compute the certified optimal city plan for every open need and store it.

    The latest plan's standing assignments (proposed or offered), and every offer still
    standing, are the baseline: keeping one earns the configured keep bonus, and the summary
    reports the churn against it. `within(plan)` is called inside the unit of work that stores
    the plan, once it has its id (a job records the plan it made together with it).
    """
    actor.require("plan.run")
    now = now or utcnow()
    k = k if k is not None else current_app.config.get("MATCHING_TOP_K", 8)
    needs = specs.open_need_specs()
    partners = specs.partner_specs(now)
    baseline_plan = queries.latest_plan_id()
    previous = queries.baseline_assignments() if baseline_plan is not None else None
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
        time_budget_s=current_app.config.get("MATCHING_TIME_BUDGET_S") or None,
        workers=current_app.config.get("MATCHING_WORKERS") or None,
    )
    plan = Plan(
        created_at=now,
        created_by_id=actor.user_id,
        created_by_label=actor.label,
        parameters={"k": k, "weights": _weights_dict(weights)},
        summary=plan_summary(result, needs, partners, baseline_plan),
        objective=result.objective,
    )
    with unit_of_work():
        db.session.add(plan)
        db.session.flush()  # its id, for the assignments
        # Not one ORM object each: at 100k needs that was half of `flask plan` (issue 14).
        store_assignments(plan.id, result.assignments)
        if within is not None:
            within(plan)
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
        "workers": stats.workers,
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


def list_plans(actor: Actor, limit: int = 20) -> list[Plan]:
    """Recent plans, newest first."""
    actor.require("plan.read")
    return list(db.session.scalars(select(Plan).order_by(Plan.id.desc()).limit(limit)))


def recent_plans(actor: Actor) -> list[dict[str, Any]]:
    """Recent city plans as summaries (no assignments), newest first."""
    return [present_plan(p, with_assignments=False) for p in list_plans(actor)]


def get_plan(actor: Actor, plan_id: int) -> Plan:
    """One stored plan."""
    actor.require("plan.read")
    return get_or_not_found(Plan, plan_id, f"No plan with id {plan_id}.")


PLAN_FIELDS = ("id", "created_at", "parameters", "summary", "objective")


def present_plan(plan: Plan, *, with_assignments: bool = True) -> dict[str, Any]:
    """A plan as plain data, assignments grouped by partner with names and need titles."""
    data = {name: getattr(plan, name) for name in PLAN_FIELDS}
    data["created_by"] = plan.created_by_label
    if with_assignments:
        names = partner_names(a.partner_id for a in plan.assignments)
        titles = need_summaries(a.need_id for a in plan.assignments)
        data["assignments"] = [present_assignment(a, names, titles) for a in plan.assignments]
    return data


def plan_assignments_page(
    actor: Actor, plan_id: int, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """How many assignments a stored plan has, and one page of them (in id order) as plain
    data: a page reads its own rows, names and titles, never the whole plan."""
    get_plan(actor, plan_id)
    total = queries.assignment_count(plan_id)
    rows = list(
        db.session.scalars(
            select(PlanAssignment)
            .where(PlanAssignment.plan_id == plan_id)
            .order_by(PlanAssignment.id)
            .offset(offset)
            .limit(limit)
        )
    )
    names = partner_names(a.partner_id for a in rows)
    titles = need_summaries(a.need_id for a in rows)
    return total, [present_assignment(a, names, titles) for a in rows]


def present_assignment(
    a: PlanAssignment,
    names: dict[int, str],
    titles: dict[int, dict[str, Any]],
    *,
    audience: str = "coordinator",
) -> dict[str, Any]:
    """One assignment as plain data, its reasons in the words of `audience`."""
    need = titles.get(a.need_id, {})
    reasons = shown_reasons(a.reasons, audience)
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
        "distance": explain.format_distance(a.distance_km, _units()),
        "reasons": [r["text"] for r in reasons],
        "reason_items": reasons,
        "status": a.status,
        "offered_at": a.offered_at,
        "decided_at": a.decided_at,
        "claim_id": a.claim_id,
    }


GROUPS_PER_PAGE = 25
"""Partners per page of a plan's review (most tasks first)."""
TASKS_SHOWN = 10
"""Tasks listed with each partner on the page; the rest one click away (`opened`)."""
TASKS_SHOWN_OPENED = 500
"""Tasks listed for the partner the coordinator opened ("offer all" covers any beyond)."""


@dataclass(frozen=True)
class GroupFilters:
    """The plan review's filters: part of a partner's name (lower case), a capability code,
    and whether only partners with tasks not offered yet are shown."""

    partner: str = ""
    capability: str = ""
    waiting: bool = False


def plan_review(
    actor: Actor,
    plan_id: int,
    *,
    filters: GroupFilters = GroupFilters(),
    page: int = 1,
    opened: int | None = None,
) -> dict[str, Any]:
    """One page of a plan's tasks grouped by partner: most tasks first (then by name), each
    partner with its task count, how many are still proposed (not offered yet) and its best
    TASKS_SHOWN tasks (TASKS_SHOWN_OPENED for the `opened` partner), best score first.

    Counted and chosen in SQL, so the page reads what it shows: a plan of 41k tasks took 25 s
    to show whole at 100k needs (issue 14). `opened` without a page shows that partner's page.
    """
    plan = present_plan(get_plan(actor, plan_id), with_assignments=False)
    counted = queries.plan_groups(plan_id)
    doing = queries.plan_partners_doing(plan_id, filters.capability) if filters.capability else None
    names = partner_names(partner for partner, _, _ in counted)
    groups = sorted(
        (
            {
                "partner_id": partner,
                "partner_name": names.get(partner),
                "tasks": tasks,
                "proposed": proposed,
            }
            for partner, tasks, proposed in counted
            if (not filters.partner or filters.partner in (names.get(partner) or "").lower())
            and (not filters.waiting or proposed)
            and (doing is None or partner in doing)
        ),
        key=lambda g: (-g["tasks"], g["partner_name"] or "", g["partner_id"]),
    )
    pages = max(1, -(-len(groups) // GROUPS_PER_PAGE))
    if opened is not None and page < 1:
        where = next((i for i, g in enumerate(groups) if g["partner_id"] == opened), 0)
        page = where // GROUPS_PER_PAGE + 1
    page = min(max(page, 1), pages)
    shown = groups[(page - 1) * GROUPS_PER_PAGE : page * GROUPS_PER_PAGE]
    ids = [g["partner_id"] for g in shown if g["partner_id"] != opened]
    chosen = queries.best_assignment_ids(plan_id, ids, TASKS_SHOWN)
    if opened is not None and any(g["partner_id"] == opened for g in shown):
        chosen += queries.best_assignment_ids(plan_id, [opened], TASKS_SHOWN_OPENED)
    rows = {
        a.id: a
        for a in db.session.scalars(select(PlanAssignment).where(PlanAssignment.id.in_(chosen)))
    }
    titles = need_summaries(a.need_id for a in rows.values())
    listed: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for assignment_id in chosen:
        a = rows[assignment_id]
        listed[a.partner_id].append(present_assignment(a, names, titles))
    for group in shown:
        group["assignments"] = listed[group["partner_id"]]
        group["more"] = group["tasks"] - len(group["assignments"])
    return {
        **plan,
        "partners_total": len(counted),
        "matching": len(groups),
        "groups": shown,
        "page": page,
        "pages": pages,
        "first": (page - 1) * GROUPS_PER_PAGE + 1 if shown else 0,
    }


UNASSIGNED_SHOWN = 200
"""The most unassigned needs a plan's list shows (it says how many there are in all)."""


def plan_unassigned(actor: Actor, plan_id: int) -> dict[str, Any]:
    """The open needs a plan assigns to nobody: the plan's header, how many (`count`) and the
    most urgent of them (`needs`, at most UNASSIGNED_SHOWN) with title, capability,
    neighbourhood and priority."""
    plan = get_plan(actor, plan_id)
    count, ids = queries.unassigned_open_needs(plan_id, UNASSIGNED_SHOWN)
    summaries = need_summaries(ids)
    return {
        "plan": present_plan(plan, with_assignments=False),
        "count": count,
        "needs": [{"id": i, **summaries.get(i, {})} for i in ids],
    }


def _assignment(plan_id: int, assignment_id: int) -> PlanAssignment:
    return get_or_not_found(
        PlanAssignment,
        assignment_id,
        f"No assignment {assignment_id} in plan {plan_id}.",
        visible=lambda found: found.plan_id == plan_id,
    )


def offer_assignment(
    actor: Actor, plan_id: int, assignment_id: int, *, now: datetime | None = None
) -> PlanAssignment:
    """A coordinator offers a planned task to its partner."""
    actor.require("plan.run")
    found = _assignment(plan_id, assignment_id)
    if found.status != "proposed":
        raise ConflictError(f"This assignment is already {found.status}.", {"status": found.status})
    with unit_of_work():
        found.status = "offered"
        found.offered_at = now or utcnow()
        need = db.session.get(Need, found.need_id)
        notices.tell_task_offered(
            found.partner_id,
            need.id,
            need.title,
            address=need.address,
            offered_at=found.offered_at,
            due=need.due_date.isoformat() if need.due_date else "",
        )
    return found


def offer_assignments(
    actor: Actor, plan_id: int, assignment_ids: list[int], *, now: datetime | None = None
) -> int:
    """Offer planned tasks to their partners, each in its own unit of work; how many were
    offered (those already offered, accepted or declined are skipped)."""
    actor.require("plan.run")
    offered = 0
    for assignment_id in assignment_ids:
        try:
            offer_assignment(actor, plan_id, assignment_id, now=now)
        except ConflictError:
            continue
        offered += 1
    return offered


def offer_partner_tasks(
    actor: Actor, plan_id: int, partner_id: int, *, now: datetime | None = None
) -> int:
    """Offer a partner every task a plan proposes for it (whose need is still open); how many
    were offered."""
    actor.require("plan.run")
    get_plan(actor, plan_id)
    ids = queries.proposed_by_partner(plan_id).get(partner_id, [])
    return offer_assignments(actor, plan_id, ids, now=now)


def offers_waiting(actor: Actor, *, limit: int | None = None) -> dict[str, Any]:
    """The latest plan's tasks not offered yet, by partner (most first, then by name): `plan_id`
    (None when no plan was run), `total` tasks, `partner_count` and `partners` (the first
    `limit`, each with its id, name and how many tasks wait), counted and chosen in SQL: at
    100k needs a plan has ~4.6k partners waiting (issue 14)."""
    actor.require("plan.read")
    plan_id = queries.latest_plan_id()
    if plan_id is None:
        return {"plan_id": None, "partners": [], "total": 0, "partner_count": 0}
    total, partner_count, shown = queries.waiting_offers(plan_id, limit)
    return {
        "plan_id": plan_id,
        "partners": [
            {"partner_id": pid, "partner_name": name, "count": count} for pid, name, count in shown
        ],
        "total": total,
        "partner_count": partner_count,
    }


def offers_for_partner(actor: Actor, partner_id: int) -> list[dict[str, Any]]:
    """Tasks offered to a partner that are still open, best first."""
    return _offers(get_partner(actor, partner_id))


def _offers(partner: Partner) -> list[dict[str, Any]]:
    """The partner's offers whose need is still open, best score first, as plain data."""
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
    titles = need_summaries(a.need_id for a in rows)
    names = {partner.id: partner.name}
    return [present_assignment(a, names, titles, audience="partner") for a in rows]


def accept_offer(
    actor: Actor, plan_id: int, assignment_id: int, *, now: datetime | None = None
) -> PlanAssignment:
    """The partner accepts an offered task: it is claimed through the normal claim service."""
    found = _assignment(plan_id, assignment_id)
    if not actor.is_member_of(found.partner_id):
        raise PermissionDeniedError("Only the partner it was offered to may accept it.")
    if found.status != "offered":
        raise ConflictError(f"This task is {found.status}, not offered.", {"status": found.status})
    with unit_of_work():
        claim = claim_need(actor, found.need_id, now=now)
        found.status = "accepted"
        found.decided_at = claim.claimed_at
        found.claim_id = claim.id
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
    with unit_of_work():
        found.status = "declined"
        found.decided_at = now or utcnow()
        found.decision_note = note
    return found


# --- analysis --------------------------------------------------------------------------------


SECTOR_KINDS = {
    "nonprofit": "nonprofit",
    "faith_based": "faith-based group",
    "business": "business",
    "neighbourhood_association": "neighbourhood association",
    "school_university": "school or university",
    "civic_group": "civic group",
}
"""Each partner sector as a kind of organisation (singular, no article) for recruitment."""


@dataclass(frozen=True)
class PlanBasis:
    """The city plan gaps and recruitment are read from, and the inputs it is read against.

    `plan_id` / `planned_at` name the stored plan used; both are None when the plan was computed
    in memory (`why_computed` says why). `reports` keeps what was computed from it (see
    `planning.basis_cache`): a basis is shared by the requests of a process, so never change it.
    """

    now: datetime
    needs: list[matching.NeedSpec]
    partners: list[matching.PartnerSpec]
    weights: matching.Weights
    index: matching.CandidateIndex
    plan: matching.CityPlan
    plan_id: int | None = None
    planned_at: datetime | None = None
    why_computed: str = ""
    reports: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


BASES: BasisCache[PlanBasis] = BasisCache()
"""This process's latest plan basis (see `planning.basis_cache`)."""


def plan_basis(now: datetime | None = None) -> PlanBasis:
    """The plan gaps and recruitment read: the latest stored plan while it is current, else one
    computed in memory; the same basis again while the city is unchanged and it is at most
    PLAN_BASIS_MAX_AGE_S old (`now` then says when it was read).

    Current means: the latest plan was run in this capacity week (weekly slots reset on Monday,
    city time) with the configured weights. Its standing (proposed or offered) assignments are
    then read as they still stand (`matching.gaps.standing_assignments`: the need is still open,
    the partner can still take it, within the slots it has left now); every other open need is
    unmet, including needs posted since the plan (`new_since_plan` lists them). Otherwise (no
    plan, an earlier week, other weights) the plan is computed in memory with the configured
    weights, as "Run the city plan" would compute it, and not stored. Callers check the actor.
    """
    now = now or utcnow()
    weights = specs.weights_from_config()
    config = current_app.config
    key = (
        id(current_app._get_current_object()),  # one entry per application
        week_start(now, config["CITY_TIMEZONE"]),
        tuple(sorted(_weights_dict(weights).items())),
        config.get("MATCHING_TOP_K", 20),
        queries.city_version(),
    )
    max_age = timedelta(seconds=config.get("PLAN_BASIS_MAX_AGE_S", 300))
    kept = BASES.get(key, now, max_age)
    if kept is not None:
        return kept
    basis = _read_plan_basis(now, weights)
    BASES.put(key, now, basis)
    return basis


def _read_plan_basis(now: datetime, weights: matching.Weights) -> PlanBasis:
    """`plan_basis` read afresh from the database (and solved when no plan is current)."""
    needs, partners = specs.open_need_specs(), specs.partner_specs(now)
    index = matching.CandidateIndex(needs, partners)
    latest = queries.latest_plan_id()
    header = queries.plan_header(latest) if latest is not None else None
    why = _not_current(header, now, weights)
    if header is not None and not why:
        return PlanBasis(
            now,
            needs,
            partners,
            weights,
            index,
            _stored_plan(header, needs),
            plan_id=header["id"],
            planned_at=header["created_at"],
        )
    plan = matching.plan_city(
        needs,
        partners,
        now,
        weights=weights,
        k=current_app.config.get("MATCHING_TOP_K", 20),
        previous=queries.standing_assignments(),
        index=index,
        workers=current_app.config.get("MATCHING_WORKERS") or None,
    )
    return PlanBasis(now, needs, partners, weights, index, plan, why_computed=why)


def _not_current(header: dict[str, Any] | None, now: datetime, weights: matching.Weights) -> str:
    """Why the latest plan is not current ("" when it is)."""
    if header is None:
        return "no city plan has been run yet"
    tz = current_app.config["CITY_TIMEZONE"]
    if week_start(header["created_at"], tz) != week_start(now, tz):
        return f"plan #{header['id']} was run in another week (weekly slots reset since)"
    if header["parameters"].get("weights") != _weights_dict(weights):
        return f"plan #{header['id']} was run with other weights"
    return ""


def _stored_plan(header: dict[str, Any], needs: list[matching.NeedSpec]) -> matching.CityPlan:
    rows = queries.standing_assignment_rows(header["id"])
    assigned = {need for need, *_ in rows}
    return matching.CityPlan(
        assignments=[matching.Suggestion(n, p, score, dist, ()) for n, p, score, dist in rows],
        objective=float(header.get("objective") or 0.0),
        unassigned=[n.id for n in needs if n.id not in assigned],
        stats=matching.PlanStats(0, 0, 0.0, 0.0),
    )


def _plan_source(basis: PlanBasis) -> dict[str, Any]:
    """Which plan a report comes from, in data and in words."""
    if basis.plan_id is None:
        note = (
            f"Computed now ({basis.now:%Y-%m-%d %H:%M} UTC) with the configured weights: "
            f"{basis.why_computed}."
        )
        return {"plan_id": None, "planned_at": None, "computed": True, "note": note}
    assert basis.planned_at is not None
    return {
        "plan_id": basis.plan_id,
        "planned_at": basis.planned_at,
        "computed": False,
        "note": f"From plan #{basis.plan_id} of {basis.planned_at:%Y-%m-%d %H:%M} UTC "
        "(its assignments that still stand).",
    }


def coverage_gap_report(
    actor: Actor, *, now: datetime | None = None, basis: PlanBasis | None = None
) -> dict[str, Any]:
    """Needs nobody can reach and, per neighbourhood and capability, what the city plan leaves
    unmet, with the capacity it allocates there (each partner's slots counted once).

    The plan is `plan_basis(now)` unless a basis is given (see its rule); `plan` says which.
    The report is kept with the basis and shared, read-only (`planning.basis_cache.frozen`).
    """
    actor.require("plan.read")
    basis = basis or plan_basis(now)
    return _kept_gap_report(basis)


def kept_answer(
    actor: Actor,
    report: Callable[..., Mapping[str, Any]],
    present: Callable[[Mapping[str, Any]], T],
    **arguments: Hashable,
) -> T:
    """`present(report(actor, **arguments))` for a report read from the plan basis
    (`coverage_gap_report`, `recruitment_report`), kept with the basis like the report itself:
    the API's JSON of a report is made once per basis and arguments (serialising the gap report
    took half the request at M). `report` and `present` must be functions that live as long as
    the process (they are part of the key)."""
    actor.require("plan.read")
    basis = plan_basis()
    key = (report, present, tuple(sorted(arguments.items())))
    return memoised(basis.reports, key, lambda: present(report(actor, basis=basis, **arguments)))


def _kept_gap_report(basis: PlanBasis) -> Mapping[str, Any]:
    return memoised(basis.reports, "gaps", lambda: frozen(_gap_report(basis)))


def _gap_report(basis: PlanBasis) -> dict[str, Any]:
    gaps = matching.coverage_gaps(
        basis.needs, basis.partners, basis.now, plan=basis.plan, index=basis.index
    )
    new = [n.id for n in basis.needs if basis.planned_at and n.opened_at > basis.planned_at]
    titles = need_summaries(gaps.unreachable + gaps.zero_capacity_only + new)
    names = partner_names(p for c in gaps.cells for p, _ in c.allocations)
    labels = capability_labels()
    cells = [_gap_cell(c, labels, names) for c in gaps.cells]
    return {
        "plan": _plan_source(basis),
        "unreachable": [{"need_id": i, **titles.get(i, {})} for i in gaps.unreachable],
        "zero_capacity_only": [
            {"need_id": i, **titles.get(i, {})} for i in gaps.zero_capacity_only
        ],
        "new_since_plan": [{"need_id": i, **titles.get(i, {})} for i in new],
        "cells": cells,
        "totals": {
            key: sum(c[key] for c in cells)
            for key in ("open_needs", "planned", "unmet", "allocated_tasks")
        },
    }


def _gap_cell(
    cell: matching.GapCell, labels: dict[str, str], names: dict[int, str]
) -> dict[str, Any]:
    return {
        "neighbourhood": cell.neighbourhood,
        "capability": cell.capability,
        "capability_label": labels.get(cell.capability, cell.capability),
        "open_needs": cell.open_needs,
        "overdue_needs": cell.overdue_needs,
        "effort_hours": round(cell.effort_hours, 1),
        "planned": cell.planned,
        "unmet": cell.unmet,
        "unmet_hours": round(cell.unmet_hours, 1),
        "allocated_tasks": sum(t for _, t in cell.allocations),
        "allocated_hours": round(cell.allocated_hours, 1),
        "allocations": [
            {"partner_id": p, "partner_name": names.get(p), "tasks": t} for p, t in cell.allocations
        ],
        "reachable_partners": cell.reachable_partners,
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
    names = partner_names(pid for p in pairs for pid in p.partner_ids)
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
    basis: PlanBasis | None = None,
) -> dict[str, Any]:
    """Where the needs the city plan leaves unassigned cluster, weighted by their priority and
    waiting points under the configured weights, and what kind of organisation to recruit there.

    The plan is `plan_basis(now)` unless a basis is given; `plan` says which.
    """
    actor.require("plan.read")
    basis = basis or plan_basis(now)
    return memoised(
        basis.reports,
        ("recruitment", capability, radius_km, limit),
        lambda: frozen(_recruitment_report(basis, capability, radius_km, limit)),
    )


def _recruitment_report(
    basis: PlanBasis, capability: str | None, radius_km: float, limit: int
) -> dict[str, Any]:
    labels = capability_labels()
    targets = matching.recruitment_targets(
        basis.needs,
        basis.partners,
        basis.now,
        plan=basis.plan,
        weights=basis.weights,
        capability=capability,
        radius_km=radius_km,
        limit=limit,
        places=specs.neighbourhood_sites(),
        labels=labels,
        sector_labels=SECTOR_KINDS,
        index=basis.index,
    )
    return {
        "plan": _plan_source(basis),
        "radius_km": radius_km,
        "targets": [
            {
                "capability": t.capability,
                "capability_label": labels.get(t.capability, t.capability),
                "lat": round(t.lat, 6),
                "lon": round(t.lon, 6),
                "near": t.near,
                "kind": organisation_kind(t.sectors, SECTOR_KINDS),
                "needs_reached": t.needs_reached,
                "weight": t.weight,
                "need_ids": list(t.need_ids),
                "sectors": [
                    {"sector": code, "label": SECTOR_KINDS.get(code, code), "partners": n}
                    for code, n in t.sectors
                ],
                "reasons": list(t.reasons),
            }
            for t in targets
        ],
    }


# --- pages: what a page shows, in one call ---------------------------------------------------


RANKED_FIELDS = ("score", "reasons", "reason_items", "tie_break", "distance", "rank")
"""What a ranked task adds to its row: reasons as data (tone, text) and how a tie was broken."""

NOTHING_RANKED = (
    "Nearest first: the matching engine ranks only what we can still take this week, "
    "and it found nothing (check our capacity and status)."
)


def tasks_near(
    actor: Actor, partner_id: int | None, *, now: datetime, limit: int = TASK_LIMIT
) -> dict[str, Any]:
    """Tasks near a partner, for its members: what the city offered it (best first), its
    capacity this week, and the open needs it can take ranked by the engine with reasons.

    When the engine ranks nothing (e.g. no capacity left this week, or the partner is not
    active) the open needs in its area are listed nearest first and `ranking_note` says so.
    Returns `partner` (its area), `capacity`, `offers`, `tasks`, `truncated`, `ranked`,
    `ranking_note` and `radius`; distances are in the city's units (DISTANCE_UNITS).
    """
    actor.require("need.claim")
    partner = own_partner(actor)
    if partner.id != partner_id:
        raise NotFoundError(f"No partner with id {partner_id}.")
    found: dict[str, Any] = {
        "partner": partner_area(partner),
        "capacity": weekly_capacity(partner, now),
        "offers": _offers(partner),
        "ranked": False,
        "ranking_note": "",
    }
    ranked = _ranked_needs(partner, now, limit)
    if ranked:
        rows = task_rows(partner, [s["need_id"] for s in ranked])
        found["tasks"] = [
            {**rows[s["need_id"]], **{k: s[k] for k in RANKED_FIELDS}}
            for s in ranked
            if s["need_id"] in rows
        ]
        found["ranked"] = True
        found["truncated"] = len(ranked) >= limit
    else:
        found["tasks"], found["truncated"] = tasks_in_area(partner, limit)
        found["ranking_note"] = NOTHING_RANKED
    return _with_distances(found)


def _with_distances(found: dict[str, Any]) -> dict[str, Any]:
    """Distances of every task and offer, and the service radius, in the city's units."""
    units = _units()
    for row in [*found["tasks"], *found["offers"]]:
        row.setdefault("distance", explain.format_distance(row["distance_km"], units))
    found["radius"] = explain.format_distance(found["partner"]["service_radius_km"] or 0.0, units)
    return found


SHORTFALL_LIMIT = 15
"""The most (neighbourhood, capability) cells with unmet needs the coordinator's home lists."""


def coordinator_home(actor: Actor, *, now: datetime) -> dict[str, Any]:
    """What needs a coordinator's attention, in one call.

    From `needs.attention`: open needs by neighbourhood and capability (`matrix`), stale claims
    (`stale`) and completions waiting for verification (`awaiting`). From the engine's coverage
    gaps, by the same rules as its suggestions (`matching.feasibility`: active partners doing
    the capability, radius, neighbourhoods or polygon): the open needs no partner can reach
    (`unreachable`), those only partners with no slots left this week reach (`zero_capacity`),
    and the cells where the city plan leaves needs unmet (`shortfalls`), from the plan
    `gap_plan` names.
    """
    home = attention_summary(actor, now)
    actor.require("plan.read")
    basis = plan_basis(now)
    home.update(memoised(basis.reports, "home", lambda: frozen(_home_gaps(basis))))
    home["awaiting_triage"] = count_reports_awaiting_triage()
    return home


def _home_gaps(basis: PlanBasis) -> dict[str, Any]:
    """What the home shows of the coverage gaps: counts and the first rows, kept with the
    basis (a copy of the whole gap report on every request took most of the home at L)."""
    gaps = _kept_gap_report(basis)
    return {
        "unreachable": _need_list(gaps["unreachable"]),
        "zero_capacity": _need_list(gaps["zero_capacity_only"]),
        "shortfalls": [c for c in gaps["cells"] if c["unmet"] > 0][:SHORTFALL_LIMIT],
        "gap_plan": gaps["plan"],
    }


def _need_list(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How many needs, and the first LIST_LIMIT of them, most urgent first."""
    ordered = sorted(rows, key=lambda r: (r.get("priority") or 9, r["need_id"]))
    return {
        "count": len(rows),
        "needs": [{**r, "id": r["need_id"]} for r in ordered[:LIST_LIMIT]],
    }
