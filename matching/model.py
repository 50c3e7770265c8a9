"""Plain data the matching engine takes in and gives back: frozen dataclasses only.

Specs (`NeedSpec`, `PartnerSpec`, ...) are built from database rows elsewhere; results
(`Suggestion`, `CityPlan`, ...) are turned into JSON or pages elsewhere. Nothing here knows where
the data came from.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

Ring = tuple[tuple[float, float], ...]
"""A closed or open ring of (lon, lat) points, GeoJSON order."""


@dataclass(frozen=True, slots=True)
class NeedSpec:
    """One open city need (a blighted lot, a dumping site...)."""

    id: int
    capability: str
    lat: float
    lon: float
    priority: int
    effort_hours: float
    opened_at: datetime
    due_at: datetime | None = None
    neighbourhood: str | None = None


@dataclass(frozen=True, slots=True)
class CapabilitySlot:
    """What a partner can do for one capability each week, and what is left this week."""

    tasks_per_week: int
    tasks_left: int
    volunteer_hours_per_week: float = 0.0


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """Past claims of a partner: completed, released unfinished, and speed."""

    completed: int = 0
    released: int = 0
    median_days_to_complete: float | None = None


@dataclass(frozen=True, slots=True)
class PartnerSpec:
    """A partner organisation and its service area.

    The service area is the union of: the disc of `radius_km` around (lat, lon), the named
    `neighbourhoods`, and the `polygon` (GeoJSON-style rings of (lon, lat); the first ring is the
    exterior, later rings are ignored). A need is in the area if ANY of these contains it.
    """

    id: int
    name: str
    sector: str
    active: bool
    lat: float
    lon: float
    radius_km: float
    capabilities: Mapping[str, CapabilitySlot]
    neighbourhoods: frozenset[str] = frozenset()
    polygon: tuple[Ring, ...] | None = None
    track_record: TrackRecord = field(default_factory=TrackRecord)


@dataclass(frozen=True, slots=True)
class Weights:
    """Points each score term can contribute; the score is their weighted sum (see scoring.py).

    Defaults: priority 30, waiting 20, distance 30, track record 20 → a score in 0..100.
    `keep_bonus` (0.5) is added by `plan_city` when a pair was already assigned in `previous`;
    it is small on purpose: it breaks near-ties in favour of stability without hiding better work.
    """

    priority: float = 30.0
    waiting: float = 20.0
    distance: float = 30.0
    track_record: float = 20.0
    keep_bonus: float = 0.5

    def __post_init__(self) -> None:
        if min(self.priority, self.waiting, self.distance, self.track_record, self.keep_bonus) < 0:
            raise ValueError("weights must be non-negative (the score and its bounds rely on it)")

    @property
    def max_score(self) -> float:
        """Upper bound of any score, keep bonus included."""
        return self.priority + self.waiting + self.distance + self.track_record + self.keep_bonus


DEFAULT_WEIGHTS = Weights()


POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
"""Tones of a `Reason`: for the match, a plain fact, against it."""
ReasonValue = int | float | str | None
"""A figure a reason carries."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason as data, so each reader gets their own words (see explain.py).

    `kind` names what it is about ("distance", "slots", "track_record", "tie_break"...),
    `tone` is POSITIVE (a real reason for the match: pages tick it), NEUTRAL (a fact) or
    NEGATIVE (counts against it), and `values` holds the figures as (name, value) pairs (a
    tuple, so the reason stays hashable; `value(name)` reads one, `as_dict()` gives them all).
    """

    kind: str
    tone: str
    values: tuple[tuple[str, ReasonValue], ...] = ()

    def value(self, name: str, default: ReasonValue = None) -> ReasonValue:
        """One figure by name."""
        for key, found in self.values:
            if key == name:
                return found
        return default

    def as_dict(self) -> dict[str, ReasonValue]:
        """The figures as a dict."""
        return dict(self.values)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A feasible (need, partner) pair with its score (0.01 steps) and human reasons.

    `reasons` are the default texts (the partner's words, km); `reason_items` are the same
    reasons as data, to be rendered for another reader or unit (explain.render); `tie_break`,
    set by the rankings, says which tie-break criterion put this suggestion ahead of the next
    one in its list when both have the same score (None when the scores differ or it is last).
    The plan leaves `reason_items` empty and `tie_break` None.
    """

    need_id: int
    partner_id: int
    score: float
    distance_km: float
    reasons: tuple[str, ...]
    reason_items: tuple[Reason, ...] = ()
    tie_break: Reason | None = None


@dataclass(frozen=True, slots=True)
class PlanStats:
    """Sizes, timings and the optimality certificate of one `plan_city` run (monotonic seconds).

    `candidate_pairs`: feasible pairs scored while building the starting network; `edges_kept`:
    need-partner arcs in the final network. `rounds`: solves (1 + pricing rounds that added
    pairs); `pairs_priced`: feasible pairs whose reduced profit was computed; `pairs_added`: pairs
    pricing added. `certified`: no feasible pair of the city can improve the plan, so it is optimal
    over the full feasible graph; otherwise `gap_cents` bounds how much it may be short.
    `dual_bound`: the dual objective of the final network (equals the objective).
    `workers`: processes the plan ran in (plan.py, parallel.py); with more than one, the stage
    seconds are those of the part that took longest, `total_seconds` the wall time until every
    part was back (reasons not included, as with one), and `worker_peak_mb` and
    `worker_cpu_seconds` each child process's own peak resident memory and CPU time (the calling
    process's are not in them).
    """

    candidate_pairs: int
    edges_kept: int
    candidate_seconds: float
    solve_seconds: float
    pricing_seconds: float = 0.0
    rounds: int = 1
    pairs_priced: int = 0
    pairs_added: int = 0
    certified: bool = False
    gap_cents: int = 0
    dual_bound: float = 0.0
    total_seconds: float = 0.0
    workers: int = 1
    worker_peak_mb: tuple[float, ...] = ()
    worker_cpu_seconds: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Churn:
    """A plan against its baseline (the previous plan's standing assignments).

    `baseline`: baseline assignments whose need is still open; of those, `kept` stay with the same
    partner, `moved` go to another partner, `dropped` are left unassigned; `added`: needs assigned
    now that the baseline did not assign; `gone`: baseline needs no longer open (not churn).
    """

    baseline: int
    kept: int
    moved: int
    added: int
    dropped: int
    gone: int = 0


@dataclass(frozen=True, slots=True)
class CityPlan:
    """An assignment maximising the sum of scores under partner capacities (see plan.py);
    `stats.certified` says it is proven optimal over the full feasible graph."""

    assignments: list[Suggestion]
    objective: float
    unassigned: list[int]
    stats: PlanStats
    churn: Churn | None = None


@dataclass(frozen=True, slots=True)
class GapCell:
    """What the city plan does with the open needs of one (neighbourhood, capability).

    Counted in tasks (one need = one task = one weekly slot of a partner); hours are the
    secondary figure. `planned` needs are assigned by the plan, `unmet` ones are left unassigned
    (the shortfall). `allocations` lists (partner id, tasks) the plan gives each partner here:
    every slot a partner spends appears in exactly one cell, so sum(tasks) == planned and the
    allocations of all cells never exceed a partner's capacity. `allocated_hours` is the
    volunteer time of those slots (tasks x volunteer_hours_per_week / tasks_per_week).
    `reachable_partners` is context: active partners doing the capability whose area reaches at
    least one need here, whatever their capacity.
    """

    neighbourhood: str | None
    capability: str
    open_needs: int
    overdue_needs: int
    effort_hours: float
    planned: int
    unmet: int
    unmet_hours: float
    allocations: tuple[tuple[int, int], ...]
    allocated_hours: float
    reachable_partners: int


@dataclass(frozen=True, slots=True)
class CoverageGaps:
    """Needs nobody can reach, needs reachable only by full partners, and what the plan leaves
    unmet per (neighbourhood, capability)."""

    unreachable: list[int]
    zero_capacity_only: list[int]
    cells: list[GapCell]


@dataclass(frozen=True, slots=True)
class Partnership:
    """Two partners whose shared area holds needs only one of them can do, on each side."""

    partner_ids: tuple[int, int]
    cross_sector: bool
    needs_covered: int
    need_ids: tuple[int, ...]
    brings: tuple[tuple[str, ...], tuple[str, ...]]
    neighbourhoods: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecruitmentTarget:
    """Where needs of one capability the plan leaves unassigned cluster.

    (lat, lon) is the centre of the cluster; `near` names the closest neighbourhood for people.
    `weight` is the sum of the reached needs' own score points (priority + waiting) under the
    weights used. `sectors` are (sector, partners) of the active partners already doing the
    capability near the centre, most common first: the kind of organisation to recruit.
    """

    capability: str
    lat: float
    lon: float
    near: str | None
    needs_reached: int
    weight: float
    need_ids: tuple[int, ...]
    sectors: tuple[tuple[str, int], ...]
    reasons: tuple[str, ...]
