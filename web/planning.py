"""The one place the pages reach the matching engine's planning services.

"Who can act here" suggestions, the engine's ranking of tasks near a partner, offers from city
plans, and the plans themselves come from `planning.services`. When that package is not
installed each function says so (None), and the pages show plainly that suggestions appear when
the matching engine is enabled; nothing here invents suggestions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from flask import current_app

from accounts.actor import Actor
from commonground.errors import ConflictError, NotFoundError
from geo.distance import display_distance
from needs.attention import LIST_LIMIT, attention_summary
from needs.tasks import task_rows, tasks_near_us

TASK_LIMIT = 200


def engine_enabled() -> bool:
    """Whether the matching engine's planning services are installed."""
    try:
        import planning.services  # noqa: F401
    except ImportError:
        return False
    return True


def who_can_act_here(actor: Actor, need_id: int) -> dict[str, Any] | None:
    """Partners the engine suggests for an open need, best first, with reasons, the latest
    plan's choice marked and why partners ranked above it were not chosen (see
    `planning.services.who_can_act_here`).

    Suggestions are a staff tool (plan.read): other roles get no suggestions and no section."""
    if not engine_enabled():
        return None
    if not actor.can("plan.read"):
        units = current_app.config.get("DISTANCE_UNITS", "km")
        return {"suggestions": [], "plan": None, "score_max": 100.0, "units": units}
    from planning.services import who_can_act_here as ranked

    return ranked(actor, need_id, limit=10)


def coordinator_home(actor: Actor, now: datetime) -> dict[str, Any]:
    """What needs attention; who can reach what comes from the engine's coverage gaps when it
    is enabled (same rules as its suggestions: service polygons, capacity), else from a simple
    radius-or-neighbourhood check. `shortfalls` are the cells where the city plan leaves needs
    unmet, `gap_plan` says which plan."""
    if not engine_enabled():
        return {
            **attention_summary(actor, now),
            "zero_capacity": None,
            "shortfalls": None,
            "gap_plan": None,
        }
    from planning.services import coverage_gap_report

    home = attention_summary(actor, now, with_unreachable=False)
    gaps = coverage_gap_report(actor, now=now)
    home["unreachable"] = _need_list(gaps["unreachable"])
    home["zero_capacity"] = _need_list(gaps["zero_capacity_only"])
    home["shortfalls"] = [c for c in gaps["cells"] if c["unmet"] > 0][:15]
    home["gap_plan"] = gaps["plan"]
    return home


def _need_list(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(rows, key=lambda r: (r.get("priority") or 9, r["need_id"]))
    return {
        "count": len(rows),
        "needs": [{**r, "id": r["need_id"]} for r in ordered[:LIST_LIMIT]],
    }


def tasks_page(actor: Actor, now: datetime) -> dict[str, Any]:
    """Tasks near a partner: offers on top, then the engine's ranking with reasons; nearest
    first (and said so) when the engine is off or ranks nothing (e.g. no capacity left).
    Distances are in the city's units (DISTANCE_UNITS)."""
    return _with_distances(_tasks(actor, now))


def _tasks(actor: Actor, now: datetime) -> dict[str, Any]:
    found = tasks_near_us(actor, now)
    found.update(offers=None, ranked=False, ranking_note="")
    if not engine_enabled():
        found["ranking_note"] = "Nearest first: the matching engine is not enabled."
        return found
    from planning.services import offers_for_partner, suggest_needs_for_partner

    partner_id = found["partner"]["id"]
    found["offers"] = offers_for_partner(actor, partner_id)
    suggestions = suggest_needs_for_partner(actor, partner_id, now=now, limit=TASK_LIMIT)
    if not suggestions:
        found["ranking_note"] = (
            "Nearest first: the matching engine ranks only what we can still take this week, "
            "and it found nothing (check our capacity and status)."
        )
        return found
    rows = task_rows(actor, [s["need_id"] for s in suggestions])
    found["tasks"] = [
        {**rows[s["need_id"]], **{k: s[k] for k in RANKED_FIELDS}}
        for s in suggestions
        if s["need_id"] in rows
    ]
    found["ranked"] = True
    found["truncated"] = len(suggestions) >= TASK_LIMIT
    return found


RANKED_FIELDS = ("score", "reasons", "reason_items", "tie_break", "distance", "rank")
"""What a ranked task adds to its row: reasons as data (tone, text) and how a tie was broken."""


def _with_distances(found: dict[str, Any]) -> dict[str, Any]:
    """Distances of every task and offer, and the service radius, in the city's units."""
    units = current_app.config.get("DISTANCE_UNITS", "km")
    for row in [*found["tasks"], *(found.get("offers") or [])]:
        row.setdefault("distance", display_distance(row["distance_km"], units))
    found["radius"] = display_distance(found["partner"]["service_radius_km"] or 0.0, units)
    return found


def _require_engine() -> None:
    if not engine_enabled():
        raise NotFoundError("This needs the matching engine, which is not enabled.")


def accept_offer(actor: Actor, plan_id: int, assignment_id: int) -> None:
    """Accept an offered task: it is claimed through the normal claim service."""
    _require_engine()
    from planning.services import accept_offer as accept

    accept(actor, plan_id, assignment_id)


def decline_offer(actor: Actor, plan_id: int, assignment_id: int, note: str) -> None:
    """Decline an offered task, with an optional note."""
    _require_engine()
    from planning.services import decline_offer as decline

    decline(actor, plan_id, assignment_id, note)


def plans_overview(actor: Actor) -> list[dict[str, Any]] | None:
    """Recent city plans (summaries only), newest first."""
    actor.require("plan.read")
    if not engine_enabled():
        return None
    from planning.services import list_plans, present_plan

    return [present_plan(p, with_assignments=False) for p in list_plans(actor)]


def run_plan(actor: Actor) -> int:
    """Run the city plan now; the new plan's id."""
    from planning.services import run_city_plan

    return run_city_plan(actor).id


def plan_by_partner(actor: Actor, plan_id: int) -> dict[str, Any]:
    """One plan with its assignments grouped by partner (most assignments first)."""
    from planning.services import get_plan, present_plan

    plan = present_plan(get_plan(actor, plan_id))
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for assignment in plan.pop("assignments"):
        groups[assignment["partner_id"]].append(assignment)
    plan["partners"] = sorted(
        (
            {
                "partner_id": partner_id,
                "partner_name": items[0]["partner_name"],
                "assignments": sorted(items, key=lambda a: -a["score"]),
                "proposed": sum(1 for a in items if a["status"] == "proposed"),
            }
            for partner_id, items in groups.items()
        ),
        key=lambda g: (-len(g["assignments"]), g["partner_name"] or ""),
    )
    return plan


def offer(actor: Actor, plan_id: int, assignment_ids: list[int]) -> int:
    """Offer planned tasks to their partners; how many were offered (already offered: skipped)."""
    from planning.services import offer_assignment

    offered = 0
    for assignment_id in assignment_ids:
        try:
            offer_assignment(actor, plan_id, assignment_id)
        except ConflictError:
            continue
        offered += 1
    return offered
