"""Named reads of stored city plans: the latest plan, its standing assignments, the partner it
chose for a need, how many planned tasks hold each partner's slots. Plain values out (ids and
dicts), no ORM objects leave this module.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, literal, select

from commonground.extensions import db
from needs.models import Need
from planning.models import Plan, PlanAssignment

STANDING = ("proposed", "offered")
"""Assignment states that still stand: the next plan keeps them where it can."""


def latest_plan_id() -> int | None:
    """Id of the newest stored plan, or None when no plan was ever run."""
    return db.session.scalar(select(Plan.id).order_by(Plan.id.desc()).limit(1))


def standing_assignments(plan_id: int | None = None) -> dict[int, int]:
    """need id -> partner id of the standing (proposed or offered) assignments of a plan.

    Defaults to the latest plan; this is the baseline a re-plan keeps where it can.
    """
    plan_id = plan_id if plan_id is not None else latest_plan_id()
    if plan_id is None:
        return {}
    rows = db.session.execute(
        select(PlanAssignment.need_id, PlanAssignment.partner_id).where(
            PlanAssignment.plan_id == plan_id, PlanAssignment.status.in_(STANDING)
        )
    )
    return dict(rows.all())


def assignment_count(plan_id: int) -> int:
    """How many assignments a stored plan has."""
    return (
        db.session.scalar(
            select(func.count(PlanAssignment.id)).where(PlanAssignment.plan_id == plan_id)
        )
        or 0
    )


def baseline_assignments() -> dict[int, int]:
    """need id -> partner id a re-plan keeps where it can: the latest plan's standing
    assignments, and every offer still standing in any plan (an offer a partner has in hand
    wins over a proposal)."""
    baseline = standing_assignments()
    rows = db.session.execute(
        select(PlanAssignment.need_id, PlanAssignment.partner_id)
        .where(PlanAssignment.status == "offered")
        .order_by(PlanAssignment.id)
    )
    baseline.update(dict(rows.all()))
    return baseline


def latest_choice_for_need(need_id: int) -> tuple[int | None, int | None]:
    """(the latest plan's id, the partner it chose for a need if that stands), in one read;
    (None, None) without any plan."""
    latest = select(func.max(Plan.id)).scalar_subquery()
    chosen = (
        select(PlanAssignment.partner_id)
        .where(
            PlanAssignment.plan_id == latest,
            PlanAssignment.need_id == need_id,
            PlanAssignment.status.in_(STANDING),
        )
        .limit(1)
        .scalar_subquery()
    )
    plan_id, partner_id = db.session.execute(select(latest, chosen)).one()
    return plan_id, partner_id


def planned_task_counts(
    plan_id: int | None = None,
    *,
    excluding_need: int | None = None,
    partner_ids: Sequence[int] | None = None,
) -> dict[tuple[int, str], int]:
    """(partner id, capability code) -> standing assignments of a plan whose need is still open.

    Defaults to the latest plan. In the plan's eyes these hold the partner's free slots this
    week: "who can act here" compares them with the slots left to say why a partner ranked
    above the planned one was not chosen. `excluding_need` leaves one need's assignment out;
    `partner_ids` counts those partners' alone (not the whole plan's).
    """
    plan_id = plan_id if plan_id is not None else latest_plan_id()
    if plan_id is None:
        return {}
    query = (
        select(PlanAssignment.partner_id, Need.capability_code, func.count(PlanAssignment.id))
        .join(Need, Need.id == PlanAssignment.need_id)
        .where(
            PlanAssignment.plan_id == plan_id,
            PlanAssignment.status.in_(STANDING),
            Need.status == "open",
        )
        .group_by(PlanAssignment.partner_id, Need.capability_code)
    )
    if excluding_need is not None:
        query = query.where(PlanAssignment.need_id != excluding_need)
    if partner_ids is not None:
        query = query.where(PlanAssignment.partner_id.in_(sorted(set(partner_ids))))
    return {(partner, code): count for partner, code, count in db.session.execute(query)}


def standing_assignment_rows(plan_id: int) -> list[tuple[int, int, float, float]]:
    """(need id, partner id, score, distance km) of a plan's standing assignments, by need id."""
    rows = db.session.execute(
        select(
            PlanAssignment.need_id,
            PlanAssignment.partner_id,
            PlanAssignment.score,
            PlanAssignment.distance_km,
        )
        .where(PlanAssignment.plan_id == plan_id, PlanAssignment.status.in_(STANDING))
        .order_by(PlanAssignment.need_id)
    )
    return [(int(n), int(p), float(s), float(d)) for n, p, s, d in rows]


def plan_header(plan_id: int) -> dict[str, Any] | None:
    """id, created_at, created_by, parameters and objective of a stored plan, or None."""
    row = db.session.execute(
        select(
            Plan.id, Plan.created_at, Plan.created_by_label, Plan.parameters, Plan.objective
        ).where(Plan.id == plan_id)
    ).first()
    if row is None:
        return None
    return {
        "id": row.id,
        "created_at": row.created_at,
        "created_by": row.created_by_label,
        "parameters": row.parameters or {},
        "objective": row.objective,
    }


class CityVersion(NamedTuple):
    """`city_version`'s parts, each a tuple of aggregates (None when not read): compared whole
    by what reads the whole city (the plan basis), by part by what reads one part (a
    partner's spec reads `PARTNER_PARTS`, `partner_part`; the kept open needs `needs`)."""

    needs: tuple[Any, ...] | None
    """(count, largest id, newest `updated_at`)."""
    partners: tuple[Any, ...] | None
    slots: tuple[Any, ...] | None
    claims: tuple[Any, ...] | None
    """(count, largest id, how many done, released, rejected): a claim made, completed,
    released or rejected changes it (claims only move forward: active -> done -> rejected,
    active -> released)."""
    neighbourhoods: tuple[Any, ...] | None
    plans: tuple[Any, ...] | None
    """(latest plan id, its standing assignments, newest offer, newest decision)."""
    labels: tuple[tuple[str, str], ...] | None
    events: tuple[Any, ...] | None = None
    """(count, largest id) of the needs' events: read only when asked (`HISTORY_PARTS`), not
    by the whole-city version (every event moves its need's `updated_at` anyway)."""

    def partner_part(self) -> tuple[Any, ...]:
        """What a partner's spec (`planning.specs.partner_specs`: area, slots left this week,
        track record) is read from: a need posted or edited leaves it as it is."""
        part = tuple(getattr(self, name) for name in PARTNER_PARTS)
        if None in part:
            raise ValueError("the partner parts of the city's version were not read")
        return part


PARTNER_PARTS = ("partners", "slots", "claims")
"""The parts of `CityVersion` a partner's spec is read from."""
CITY_PARTS = tuple(name for name in CityVersion._fields if name != "events")
"""What a city plan and its reports read (the default)."""
HISTORY_PARTS = ("needs", "claims", "events", "labels")
"""What the KPIs count (`performance.services`): needs, claims, events and the labels."""


def city_version(parts: Collection[str] = CITY_PARTS) -> CityVersion:
    """A cheap fingerprint of everything a city plan and its reports read: it changes whenever
    an open need, a partner, a capability slot, a claim, a neighbourhood, a capability's label
    or the latest plan's standing assignments change (aggregates in one query, no rows but the
    capabilities' labels in Python). `parts` (names of `CityVersion`'s fields) reads those
    alone, the others None: who can act here reads the need and partner parts only.

    Every write path stamps what it changes: a need's status and text move its `updated_at`
    (claims, releases, completions all change the need's status), a partner's edits move its
    `updated_at`, slots change the capability rows' count or sums, a claim's creation its
    count and a claim's completion, release or rejection its counts by status, an offer or a
    decision moves its assignment's timestamps; deletions change the counts.
    """
    query, reads = _version_query(tuple(sorted(set(parts))))
    rows = db.session.execute(query).all()  # one round trip
    values = iter(rows[0] if rows else ())
    found: dict[str, Any] = {name: None for name in CityVersion._fields}
    for name, size in reads:
        found[name] = tuple(next(values) for _ in range(size))
    if "labels" in parts:
        found["labels"] = tuple((row[-2], row[-1]) for row in rows if row[-2] is not None)
    return CityVersion(**found)


@functools.cache
def _version_query(parts: tuple[str, ...]) -> tuple[Select, tuple[tuple[str, int], ...]]:
    """`city_version`'s query for `parts` and the (name, number of figures) of each part it
    reads, in order; built once per process and set of parts (building it was ~3 ms)."""
    from capabilities.models import Capability

    reads = {name: read for name, read in _version_reads().items() if name in parts}
    subqueries = [read.subquery(f"part_{name}") for name, read in reads.items()]
    columns = [c for part in subqueries for c in part.c]
    query = select(*columns)
    joined = subqueries[0] if subqueries else None
    for part in subqueries[1:]:  # one row each
        joined = joined.join(part, literal(True))
    if joined is not None:
        query = query.select_from(joined)
    if "labels" in parts:
        # the capabilities' labels beside the figures (a few dozen rows; their words are in
        # the reports); the outer join keeps the figures when there is no capability
        query = (
            select(*columns, Capability.code, Capability.label)
            .select_from(
                Capability if joined is None else joined.outerjoin(Capability, literal(True))
            )
            .order_by(Capability.code)
        )
    return query, tuple((name, len(part.c)) for name, part in zip(reads, subqueries, strict=True))


def _version_reads() -> dict[str, Select]:
    """The one-row aggregate read of each part of `city_version` but the labels."""
    from geo.models import Neighbourhood
    from needs.models import Claim, NeedEvent
    from partners.models import Partner, PartnerCapability

    def by_status(status: str):
        return func.count(Claim.id).filter(Claim.status == status)

    latest_plan = select(func.max(Plan.id)).scalar_subquery()
    return {
        "needs": select(  # apart, so each newest value is read from its index (issue 14)
            select(func.count(Need.id)).scalar_subquery(),
            select(func.max(Need.id)).scalar_subquery(),
            select(func.max(Need.updated_at)).scalar_subquery(),
        ),
        "partners": select(
            func.count(Partner.id), func.max(Partner.id), func.max(Partner.updated_at)
        ),
        "slots": select(
            func.count(PartnerCapability.id),
            func.max(PartnerCapability.id),
            func.sum(PartnerCapability.tasks_per_week),
            func.sum(PartnerCapability.volunteer_hours_per_week),
        ),
        "claims": select(
            func.count(Claim.id),
            func.max(Claim.id),
            by_status("done"),
            by_status("released"),
            by_status("rejected"),
        ),
        "neighbourhoods": select(func.count(Neighbourhood.id), func.max(Neighbourhood.id)),
        "events": select(func.count(NeedEvent.id), func.max(NeedEvent.id)),
        "plans": select(
            latest_plan,
            select(func.count(PlanAssignment.id))
            .where(PlanAssignment.plan_id == latest_plan, PlanAssignment.status.in_(STANDING))
            .scalar_subquery(),
            select(func.max(PlanAssignment.offered_at)).scalar_subquery(),
            select(func.max(PlanAssignment.decided_at)).scalar_subquery(),
        ),
    }


def proposed_by_partner(plan_id: int) -> dict[int, list[int]]:
    """partner id -> ids of a plan's assignments still proposed (not offered yet) whose need
    is still open, best score first."""
    rows = db.session.execute(
        select(PlanAssignment.partner_id, PlanAssignment.id)
        .join(Need, Need.id == PlanAssignment.need_id)
        .where(
            PlanAssignment.plan_id == plan_id,
            PlanAssignment.status == "proposed",
            Need.status == "open",
        )
        .order_by(PlanAssignment.score.desc(), PlanAssignment.id)
    )
    found: dict[int, list[int]] = {}
    for partner_id, assignment_id in rows:
        found.setdefault(partner_id, []).append(assignment_id)
    return found


def waiting_offers(plan_id: int, limit: int | None) -> tuple[int, int, list[tuple[int, str, int]]]:
    """A plan's assignments still proposed (not offered yet) whose need is still open: how
    many, for how many partners, and the first `limit` partners by how many wait (then by
    name) as (partner id, name, count), in one query: only the partners listed are named."""
    from partners.models import Partner

    count = func.count(PlanAssignment.id)
    query = (
        select(
            PlanAssignment.partner_id,
            Partner.name,
            count,
            func.sum(count).over(),
            func.count().over(),
        )
        .join(Need, Need.id == PlanAssignment.need_id)
        .join(Partner, Partner.id == PlanAssignment.partner_id)
        .where(
            PlanAssignment.plan_id == plan_id,
            PlanAssignment.status == "proposed",
            Need.status == "open",
        )
        .group_by(PlanAssignment.partner_id, Partner.name)
        .order_by(count.desc(), Partner.name, PlanAssignment.partner_id)
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    if not rows:
        return 0, 0, []
    return int(rows[0][3]), int(rows[0][4]), [(pid, name, int(n)) for pid, name, n, _, _ in rows]


def unassigned_open_needs(plan_id: int, limit: int) -> tuple[int, list[int]]:
    """How many open needs have no assignment in a plan, and the ids of the first `limit` of
    them, most urgent first (priority, then oldest)."""
    assigned = select(PlanAssignment.need_id).where(PlanAssignment.plan_id == plan_id)
    query = select(Need.id).where(Need.status == "open", Need.id.not_in(assigned))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = db.session.scalars(query.order_by(Need.priority, Need.opened_at, Need.id).limit(limit))
    return total, list(ids)


def plan_groups(plan_id: int) -> list[tuple[int, int, int]]:
    """(partner id, tasks, tasks still proposed) of each partner holding tasks in a plan,
    counted in SQL."""
    proposed = func.sum(case((PlanAssignment.status == "proposed", 1), else_=0))
    query = (
        select(PlanAssignment.partner_id, func.count(PlanAssignment.id), proposed)
        .where(PlanAssignment.plan_id == plan_id)
        .group_by(PlanAssignment.partner_id)
    )
    return [
        (partner, int(tasks), int(waiting or 0))
        for partner, tasks, waiting in db.session.execute(query)
    ]


def plan_partners_doing(plan_id: int, capability: str) -> set[int]:
    """Ids of the partners holding a task of that kind of work in a plan."""
    return set(
        db.session.scalars(
            select(PlanAssignment.partner_id)
            .join(Need, Need.id == PlanAssignment.need_id)
            .where(PlanAssignment.plan_id == plan_id, Need.capability_code == capability)
            .distinct()
        )
    )


def best_assignment_ids(plan_id: int, partner_ids: Sequence[int], limit: int) -> list[int]:
    """Ids of each given partner's first `limit` tasks in a plan, best score first (then id)."""
    if not partner_ids:
        return []
    rank = (
        func.row_number()
        .over(
            partition_by=PlanAssignment.partner_id,
            order_by=(PlanAssignment.score.desc(), PlanAssignment.id),
        )
        .label("rank")
    )
    ranked = (
        select(PlanAssignment.id, PlanAssignment.partner_id, PlanAssignment.score, rank)
        .where(PlanAssignment.plan_id == plan_id, PlanAssignment.partner_id.in_(partner_ids))
        .subquery()
    )
    return list(
        db.session.scalars(
            select(ranked.c.id)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.partner_id, ranked.c.rank)
        )
    )
