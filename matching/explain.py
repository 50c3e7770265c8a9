"""Reasons for a suggested (need, partner) pair: as data (`Reason`), then in the reader's words.

`reason_items` gives the reasons as data, most concrete first: distance, area (when a
neighbourhood list or polygon is why), capability, weekly slots, time open, overdue, priority,
track record, kept from the previous plan. `render` writes one of them for an audience, in
`units` "km" or "mi" (a city setting, DISTANCE_UNITS, in the product):

| kind | audience "partner" (reads about a task) | audience "coordinator" (reads about a partner) |
|---|---|---|
| distance | 1.3 mi from your base | their base is 1.3 mi away |
| area | in your neighbourhood list (Mid City) | in their neighbourhood list (Mid City) |
| slots | 3 of 5 weekly slots left | 3 of 5 weekly slots left this week |
| track_record | completed 12 of 14 past tasks | completed 12 of 14 past tasks |

and "does lot mowing", "open 41 days", "overdue 3 days", "priority 4", "no track record yet",
"kept from the previous plan" for both. Capability codes are shown through an optional `labels`
mapping (code -> label) and fall back to the code itself.

Each reason has a tone (model.POSITIVE / NEUTRAL / NEGATIVE); pages tick only positive ones:

- distance: positive within CLOSE_KM (where the distance term still earns at least half its
  points), else neutral; area and capability: positive (why the partner qualifies);
- slots: positive with a slot left, negative without;
- open: positive from LONG_OPEN_DAYS, else neutral; overdue: positive (the score adds urgency);
- priority: positive for priority 1 and 2 (1 is most urgent; the score rewards urgency), else
  neutral;
- track record: positive when the completion rate beats the newcomer's prior (PRIOR_RATE, which
  is where the score starts a partner without history), negative below it, neutral at it;
  "no track record yet": neutral; kept: positive.

`reasons()` is `reason_items` rendered; its default output (audience "partner", units "km") is
exactly the text stored plans carry, so existing callers and stored plans read the same.

`tie_break_reason` (why a suggestion is ahead of the next one at the same score, see ranking.py)
and `not_chosen_reason` (why the latest plan chose someone else) are rendered here too, so every
reason text lives in this one module.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from matching.candidates import VIA_NEIGHBOURHOOD, VIA_POLYGON
from matching.model import NEGATIVE, NEUTRAL, POSITIVE, NeedSpec, PartnerSpec, Reason, ReasonValue
from matching.scoring import DISTANCE_HALF_KM, PRIOR_RATE, age_and_overdue_days

AUDIENCES = ("partner", "coordinator")
UNITS = ("km", "mi")
KM_PER_MILE = 1.609344
CLOSE_KM = DISTANCE_HALF_KM
"""A base this close earns at least half the distance points: a real reason (ticked)."""
URGENT_PRIORITY = 2
"""Priorities this urgent or more (1 is most urgent) are a reason to act (ticked)."""
LONG_OPEN_DAYS = 7
"""A need open this many days is a reason to act (ticked); younger ones are a plain fact."""
SHARED = 1 << 14
"""Distinct reasons (and their words) kept for reuse: capabilities, slot counts, days open,
priorities and track records repeat across a plan's assignments (`_shared`)."""
NEED_KINDS = frozenset({"open", "overdue", "priority"})
"""Kinds about the need alone: the same for every partner of one need."""


def label(capability: str, labels: Mapping[str, str] | None) -> str:
    """Display label of a capability code."""
    if labels and capability in labels:
        return labels[capability]
    return capability


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def format_distance(km: float, units: str = "km") -> str:
    """A distance in the city's units, one decimal: "1.3 mi", "2.1 km"."""
    if units == "km":
        return f"{km:.1f} km"
    if units == "mi":
        return f"{km / KM_PER_MILE:.1f} mi"
    raise ValueError(f"units must be one of {UNITS}, not {units!r}")


def area_phrase(via: int, need: NeedSpec) -> str | None:
    """Why the need is in the area when it is not (only) within the radius (partner's words)."""
    item = _area_item(via, need)
    return None if item is None else render(item)


def _area_item(via: int, need: NeedSpec) -> Reason | None:
    if via == VIA_NEIGHBOURHOOD:
        return Reason("area", POSITIVE, (("via", "neighbourhood"), ("name", need.neighbourhood)))
    if via == VIA_POLYGON:
        return Reason("area", POSITIVE, (("via", "polygon"),))
    return None


def _track_item(partner: PartnerSpec) -> Reason:
    record = partner.track_record
    return _track_of(record.completed, record.released)


@functools.lru_cache(maxsize=SHARED)
def _track_of(completed: int, released: int) -> Reason:
    total = completed + released
    if not total:
        return Reason("no_track_record", NEUTRAL)
    rate = completed / total
    tone = POSITIVE if rate > PRIOR_RATE else NEGATIVE if rate < PRIOR_RATE else NEUTRAL
    return Reason("track_record", tone, (("completed", completed), ("total", total)))


@functools.lru_cache(maxsize=SHARED, typed=True)
def _shared(kind: str, tone: str, *flat: ReasonValue) -> Reason:
    """Reason(kind, tone, values) from the values flattened (name, value, name, value...): the
    same object for the same arguments of the same types (typed: 2 and 2.0 stay apart), so a
    plan's thousands of equal reasons are built and rendered once."""
    return Reason(kind, tone, tuple(zip(flat[::2], flat[1::2], strict=True)))  # type: ignore[arg-type]


def reason_items(
    need: NeedSpec,
    partner: PartnerSpec,
    distance_km: float,
    now: datetime,
    *,
    labels: Mapping[str, str] | None = None,
    via: int = 0,
    kept: bool = False,
) -> tuple[Reason, ...]:
    """The reasons for the pair as data, most concrete first (see the module docstring)."""
    near = POSITIVE if distance_km <= CLOSE_KM else NEUTRAL
    out = [Reason("distance", near, (("km", round(distance_km, 3)),))]
    area = _area_item(via, need)
    if area is not None:
        out.append(area)
    code = need.capability
    out.append(_shared("capability", POSITIVE, "code", code, "label", label(code, labels)))
    slot = partner.capabilities.get(need.capability)
    if slot is not None:
        tone = POSITIVE if slot.tasks_left > 0 else NEGATIVE
        out.append(_shared("slots", tone, "left", slot.tasks_left, "per_week", slot.tasks_per_week))
    age, overdue = age_and_overdue_days(need, now)
    long_open = POSITIVE if age >= LONG_OPEN_DAYS else NEUTRAL
    out.append(_shared("open", long_open, "days", int(age)))
    if overdue >= 1.0:
        out.append(_shared("overdue", POSITIVE, "days", int(overdue)))
    urgent = POSITIVE if need.priority <= URGENT_PRIORITY else NEUTRAL
    out.append(_shared("priority", urgent, "priority", need.priority))
    out.append(_track_item(partner))
    if kept:
        out.append(_shared("kept", POSITIVE))
    return tuple(out)


# ---- words ---------------------------------------------------------------------------------

Words = Callable[[Reason, bool, str], str]
"""(reason, for a coordinator?, units) -> text."""


def _distance(r: Reason, staff: bool, units: str) -> str:
    text = format_distance(float(r.value("km") or 0.0), units)
    return f"their base is {text} away" if staff else f"{text} from your base"


def _area(r: Reason, staff: bool, _units: str) -> str:
    whose = "their" if staff else "your"
    if r.value("via") == "neighbourhood":
        return f"in {whose} neighbourhood list ({r.value('name')})"
    return f"inside {whose} service area"


def _slots(r: Reason, staff: bool, _units: str) -> str:
    text = f"{r.value('left')} of {r.value('per_week')} weekly slots left"
    return f"{text} this week" if staff else text


def _track(r: Reason, _staff: bool, _units: str) -> str:
    return f"completed {r.value('completed')} of {r.value('total')} past tasks"


def _open_longer(this: ReasonValue, other: ReasonValue, _units: str) -> str:
    return "open longer" + (f" ({this} vs {other} days)" if this != other else "")


def _nearer(this: ReasonValue, other: ReasonValue, units: str) -> str:
    near = format_distance(float(this or 0.0), units)
    far = format_distance(float(other or 0.0), units)
    return f"nearer ({near} vs {far})"


TIE_WORDS: dict[str, Callable[[ReasonValue, ReasonValue, str], str]] = {
    "tasks_left": lambda a, b, _u: f"more free slots this week ({a} vs {b})",
    "competing_needs": lambda a, b, _u: f"fewer other open needs compete for them ({a} vs {b})",
    "track_record": lambda _a, _b, _u: "better track record (completion rate and speed)",
    "partner_id": lambda _a, _b, _u: (
        "equal on free slots, competing needs and track record; listed by partner number"
    ),
    "priority": lambda a, b, _u: f"more urgent: priority {a} before {b} (1 is most urgent)",
    "open_days": _open_longer,
    "distance": _nearer,
    "need_id": lambda _a, _b, _u: (
        "equal on priority, time open and distance; listed by need number"
    ),
}
"""What each tie-break criterion (ranking.PARTNER_TIE_BREAKS, NEED_TIE_BREAKS) says."""


def _tie_break(r: Reason, _staff: bool, units: str) -> str:
    words = TIE_WORDS[str(r.value("by"))](r.value("this"), r.value("next"), units)
    return f"same score as the next; {words}"


def _not_chosen(r: Reason, staff: bool, _units: str) -> str:
    whose = "their" if staff else "your"
    left, planned = int(r.value("left") or 0), int(r.value("planned") or 0)
    if planned >= left:
        if left == 1:
            return (
                f"not chosen by the latest plan: {whose} only free slot this week is taken by "
                "another planned task"
            )
        return (
            f"not chosen by the latest plan: {whose} {left} free slots this week are all "
            f"taken by other planned tasks ({planned} planned)"
        )
    unplanned = left - planned
    verb = "is" if unplanned == 1 else "are"
    return (
        f"not chosen by the latest plan, though {unplanned} of {whose} "
        f"{_plural(left, 'free slot', 'free slots')} this week {verb} unplanned: the plan may "
        "predate this week's changes or keep an earlier offer (run it again to update)"
    )


def _fixed(text: str) -> Words:
    return lambda _r, _staff, _units: text


def _priority(reason: Reason, _audience: str, _units: str) -> str:
    value = reason.value("priority")
    return "most urgent (priority 1)" if value == 1 else f"priority {value} (1 is most urgent)"


WORDS: dict[str, Words] = {
    "distance": _distance,
    "area": _area,
    "capability": lambda r, _s, _u: f"does {r.value('label')}",
    "slots": _slots,
    "open": lambda r, _s, _u: f"open {_days(int(r.value('days') or 0))}",
    "overdue": lambda r, _s, _u: f"overdue {_days(int(r.value('days') or 0))}",
    "priority": _priority,
    "track_record": _track,
    "no_track_record": _fixed("no track record yet"),
    "kept": _fixed("kept from the previous plan"),
    "tie_break": _tie_break,
    "not_chosen": _not_chosen,
}


def render(reason: Reason, *, audience: str = "partner", units: str = "km") -> str:
    """One reason in the words of `audience` ("partner" or "coordinator"), in `units`."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    if units not in UNITS:
        raise ValueError(f"units must be one of {UNITS}, not {units!r}")
    if reason.kind in UNIQUE_KINDS:
        return WORDS[reason.kind](reason, audience == "coordinator", units)
    flat = [x for pair in reason.values for x in pair]
    return _rendered(reason.kind, reason.tone, audience == "coordinator", units, *flat)


UNIQUE_KINDS = frozenset({"distance", "tie_break", "not_chosen"})
"""Kinds whose figures rarely repeat: rendered afresh, not through the shared cache."""


@functools.lru_cache(maxsize=SHARED, typed=True)
def _rendered(kind: str, tone: str, staff: bool, units: str, *flat: ReasonValue) -> str:
    """The words of one reason (given flattened, as `_shared`), once per distinct reason."""
    return WORDS[kind](_shared(kind, tone, *flat), staff, units)


def render_all(
    items: Iterable[Reason], *, audience: str = "partner", units: str = "km"
) -> tuple[str, ...]:
    """Several reasons rendered in order."""
    return tuple(render(r, audience=audience, units=units) for r in items)


def reasons(
    need: NeedSpec,
    partner: PartnerSpec,
    distance_km: float,
    now: datetime,
    *,
    labels: Mapping[str, str] | None = None,
    via: int = 0,
    kept: bool = False,
    audience: str = "partner",
    units: str = "km",
) -> tuple[str, ...]:
    """Reasons for the pair as text, most concrete first (defaults: the partner's words, km)."""
    items = reason_items(need, partner, distance_km, now, labels=labels, via=via, kept=kept)
    return render_all(items, audience=audience, units=units)


def tie_break_reason(by: str, this: int | float, other: int | float) -> Reason:
    """Why a suggestion is ahead of the next one with the same score: the criterion `by` (see
    ranking.PARTNER_TIE_BREAKS / NEED_TIE_BREAKS) and its value for this one and the next."""
    return Reason("tie_break", NEUTRAL, (("by", by), ("this", this), ("next", other)))


def not_chosen_reason(*, tasks_left: int, planned: int) -> Reason:
    """Why the latest plan gave a need to someone else although this partner scores higher:
    `planned` of its `tasks_left` free slots this week are held by other planned tasks."""
    return Reason("not_chosen", NEGATIVE, (("left", tasks_left), ("planned", planned)))
