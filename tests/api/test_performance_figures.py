"""The KPI report, the performance page and the open-data report on a city-shaped history:
forty needs in three neighbourhoods (and some with none) and three kinds of work, through every
lifecycle step the services have (claimed, released and taken again, completed with reports
missing one measure or another, verified, reopened and done again, cancelled, not actionable,
closed at the source, duplicates), with events on both sides of a month's end in city time.

Every figure the API, the page and the open-data report show is checked against the same
figure worked out here from the stored events and claims by the definitions in
performance/kpis.py, one filter set at a time.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accounts.actor import Actor
from accounts.roles import Role
from commonground.db_types import utcnow
from commonground.extensions import db
from needs.models import Claim, Need, NeedEvent
from needs.services import (
    claim_need,
    close_need,
    complete_need,
    release_need,
    reopen_need,
    start_need,
    verify_need,
)

ZONE = ZoneInfo("America/Chicago")
COORDINATOR = Actor(user_id=None, role=Role.COORDINATOR, label="test")
CAPABILITIES = ("litter_cleanup", "lot_mowing", "board_up")
PLACES = {  # neighbourhood -> a point in it; None: a need outside every neighbourhood
    "Downtown": (30.4515, -91.1871),
    "Scotlandville": (30.5220, -91.1830),
    "Mid City": (30.4480, -91.1500),
    None: None,  # a need waiting for its location: no neighbourhood
}
REPORTS = (  # work reports, each missing some measure
    {"volunteers": 4, "hours": 10.0, "units": 5, "unit_kind": "bags"},
    {"volunteers": 2},
    {"hours": 3.5},
    {"units": 2, "unit_kind": "lots"},
    {"units": 7},
    {"volunteers": 6, "hours": 12.25, "units": 0},
)
CLOSED_WITHOUT_WORK = {"cancel", "mark_not_actionable", "close_at_source"}
COUNTED = {
    "post": "posted",
    "claim": "claimed",
    "complete": "completed",
    "verify": "verified",
    "reopen": "reopened",
}


def _slot(code: str) -> dict:
    return {"capability": code, "tasks_per_week": 60, "volunteer_hours_per_week": 200.0}


@pytest.fixture
def city(make):
    """The history: returned as the partners' actors (the events are read back from the
    database by the expectations)."""
    rng = random.Random(20261201)
    crews = [
        make.partner(
            base_latitude=30.48,
            base_longitude=-91.17,
            service_radius_km=15.0,
            capabilities=[_slot(c) for c in CAPABILITIES],
        )
        for _ in range(3)
    ]
    actors = [
        Actor(user_id=None, role=Role.PARTNER, partner_id=p.id, label=f"crew {p.id}") for p in crews
    ]
    first = datetime(2026, 2, 1, 15, tzinfo=UTC)
    made = []
    for i in range(40):
        place = list(PLACES)[i % len(PLACES)]
        lat, lon = PLACES[place] or (None, None)
        opened = first + timedelta(days=rng.uniform(0, 100), hours=rng.uniform(0, 23))
        need = make.need(
            now=opened,
            capability=CAPABILITIES[(i * 7) % 3],
            latitude=None if lat is None else lat + rng.uniform(-0.004, 0.004),
            longitude=None if lon is None else lon + rng.uniform(-0.004, 0.004),
            neighbourhood=place,
        )
        made.append(need.id)
        _live(rng, need.id, opened, actors, made)
    # First claim at 23:30 on 31 March in the city (04:30 UTC on 1 April), completed at
    # 00:30 on 1 May in the city (still 30 April in UTC): both count in the city's month.
    edge = make.need(now=datetime(2026, 3, 20, 12, tzinfo=UTC), neighbourhood="Downtown")
    crew = actors[0]
    claim_need(crew, edge.id, now=datetime(2026, 3, 31, 23, 30, tzinfo=ZONE))
    start_need(crew, edge.id, now=datetime(2026, 4, 2, 9, tzinfo=ZONE))
    complete_need(crew, edge.id, REPORTS[0], now=datetime(2026, 5, 1, 0, 30, tzinfo=ZONE))
    return actors


def _live(rng: random.Random, need_id: int, opened: datetime, actors, made) -> None:
    """One need's life from a seeded choice of how it goes."""
    clock = [opened]

    def later() -> datetime:
        clock[0] += timedelta(days=rng.uniform(0.2, 9), minutes=rng.randrange(60))
        return clock[0]

    fate = rng.choice(
        ["open", "claimed", "released", "completed", "verified", "verified", "reopened",
         "reopened_done", "cancel", "claimed_cancel", "mark_not_actionable", "close_at_source",
         "duplicate"]
    )  # fmt: skip
    crew = rng.choice(actors)
    if fate in ("cancel", "mark_not_actionable", "close_at_source"):
        close_need(COORDINATOR, need_id, fate, "Seen to otherwise.", now=later())
        return
    if fate == "duplicate" and len(made) > 1:
        close_need(
            COORDINATOR, need_id, "mark_duplicate", "Same lot.", now=later(), duplicate_of=made[0]
        )
        return
    if fate in ("open", "duplicate"):
        return
    claim_need(crew, need_id, now=later())
    if fate == "claimed":
        return
    if fate == "claimed_cancel":
        close_need(COORDINATOR, need_id, "close_at_source", "Owner did it.", now=later())
        return
    if fate == "released":
        release_need(crew, need_id, "No truck this week.", now=later())
        crew = rng.choice(actors)
        claim_need(crew, need_id, now=later())
    start_need(crew, need_id, now=later())
    complete_need(crew, need_id, rng.choice(REPORTS), now=later())
    if fate in ("verified", "released"):
        verify_need(COORDINATOR, need_id, now=later())
    if fate in ("reopened", "reopened_done"):
        reopen_need(COORDINATOR, need_id, "Closed, not fixed.", now=later())
    if fate == "reopened_done":
        crew = rng.choice(actors)
        claim_need(crew, need_id, now=later())
        start_need(crew, need_id, now=later())
        complete_need(crew, need_id, rng.choice(REPORTS), now=later())
        verify_need(COORDINATOR, need_id, now=later())


# ---- the expected figures, from the stored rows by the definitions -------------------------


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(0), tzinfo=ZONE).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=ZONE).astimezone(UTC)
    return start, end


def _month(at: datetime) -> str:
    return at.astimezone(ZONE).strftime("%Y-%m")


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _kept(need, capability: str | None, neighbourhood: str | None) -> bool:
    return (capability is None or need.capability_code == capability) and (
        neighbourhood is None or need.neighbourhood == neighbourhood
    )


def _months(first: date, last: date) -> list[str]:
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _monthly(events, months, start, end) -> tuple[list[dict], dict]:
    table = {m: {**dict.fromkeys(COUNTED.values(), 0), "partners_active": set()} for m in months}
    active = set()
    for e in events:
        if not start <= e.at < end:
            continue
        row = table[_month(e.at)]
        if e.action in COUNTED:
            row[COUNTED[e.action]] += 1
        if e.action in ("claim", "start", "complete", "release") and e.partner_id:
            row["partners_active"].add(e.partner_id)
            active.add(e.partner_id)
    totals = {name: sum(table[m][name] for m in months) for name in COUNTED.values()}
    totals["partners_active"] = len(active)
    rows = [
        {"month": m, **{**table[m], "partners_active": len(table[m]["partners_active"])}}
        for m in months
    ]
    return rows, totals


def _time_to(events, needs, action, start, end) -> dict:
    firsts = {}
    for e in events:
        if e.action == action and e.at < end:
            firsts.setdefault(e.need_id, e.at)
    days, by_cap, by_hood = [], defaultdict(list), defaultdict(list)
    for need_id, at in firsts.items():
        if at >= start:
            need = needs[need_id]
            value = (at - need.opened_at).total_seconds() / 86400
            days.append(value)
            by_cap[need.capability_code].append(value)
            by_hood[need.neighbourhood or "(none)"].append(value)

    def cells(groups):
        return {k: {"median_days": _median(v), "needs": len(v)} for k, v in sorted(groups.items())}

    return {
        "median_days": _median(days),
        "needs": len(days),
        "by_capability": cells(by_cap),
        "by_neighbourhood": cells(by_hood),
    }


def _resolution(events, start, end) -> dict:
    last_resolving = {}
    for e in events:
        if start <= e.at < end and (e.action == "verify" or e.action in CLOSED_WITHOUT_WORK):
            last_resolving[e.need_id] = e.action
    by_partners = sum(1 for a in last_resolving.values() if a == "verify")
    resolved = len(last_resolving)
    return {
        "resolved": resolved,
        "by_partners": by_partners,
        "share_by_partners": round(by_partners / resolved, 3) if resolved else None,
    }


def _work(needs, start, end) -> dict:
    claims = [
        c
        for c in db.session.execute(select(Claim)).scalars()
        if c.need_id in needs and c.completed_at is not None and start <= c.completed_at < end
    ]
    accepted = [c for c in claims if c.status != "rejected"]
    units = defaultdict(float)
    for c in accepted:
        if c.units:
            units[c.unit_kind or "units"] += c.units
    return {
        "reports": len(accepted),
        "volunteers": sum(c.volunteers or 0 for c in accepted),
        "volunteer_hours": round(sum(c.hours or 0.0 for c in accepted), 1),
        "units": {k: round(v, 1) for k, v in sorted(units.items())},
        "partners": len({c.partner_id for c in accepted}),
    }


def expected(first: date, last: date, capability=None, neighbourhood=None) -> dict:
    """Every KPI worked out from the stored events and claims."""
    start, end = _bounds(first, last)
    needs = {
        n.id: n
        for n in db.session.execute(
            select(Need.id, Need.opened_at, Need.capability_code, Need.neighbourhood)
        )
        if _kept(n, capability, neighbourhood)
    }
    events = sorted(
        (e for e in db.session.execute(select(NeedEvent)).scalars() if e.need_id in needs),
        key=lambda e: (e.at, e.id),
    )
    months, totals = _monthly(events, _months(first, last), start, end)
    return {
        "months": months,
        "totals": totals,
        "time_to_claim": _time_to(events, needs, "claim", start, end),
        "time_to_complete": _time_to(events, needs, "complete", start, end),
        "resolution": _resolution(events, start, end),
        "reopen_rate": round(totals["reopened"] / totals["completed"], 3)
        if totals["completed"]
        else None,
        "work": _work(needs, start, end),
    }


def _without_labels(report: dict) -> dict:
    out = {k: v for k, v in report.items() if k != "filters"}
    for key in ("time_to_claim", "time_to_complete"):
        out[key] = {
            **out[key],
            "by_capability": {
                code: {k: v for k, v in cell.items() if k != "label"}
                for code, cell in out[key]["by_capability"].items()
            },
        }
    return out


FILTERS = [
    (date(2026, 2, 1), date(2026, 8, 31), None, None),
    (date(2026, 3, 15), date(2026, 4, 20), None, None),  # cuts lives in the middle
    (date(2026, 4, 1), date(2026, 4, 30), None, None),  # the edge need's first claim is March
    (date(2026, 2, 1), date(2026, 8, 31), "lot_mowing", None),
    (date(2026, 3, 1), date(2026, 6, 30), None, "Scotlandville"),
    (date(2026, 2, 1), date(2026, 8, 31), "board_up", "Mid City"),
    (date(2025, 1, 1), date(2025, 12, 31), None, None),  # before anything happened
    (date(2026, 3, 31), date(2026, 3, 31), None, None),  # the edge need's claim, city time
    (date(2026, 5, 1), date(2026, 5, 1), None, None),  # its completion, city time
]


@pytest.mark.parametrize(("first", "last", "capability", "neighbourhood"), FILTERS)
def test_every_kpi_matches_the_stored_history(
    api, make, city, first, last, capability, neighbourhood
):
    query = f"start={first.isoformat()}&end={last.isoformat()}"
    if capability:
        query += f"&capability={capability}"
    if neighbourhood:
        query += f"&neighbourhood={neighbourhood.replace(' ', '+')}"
    response = api(make.user("viewer").token).get(f"/api/v1/performance/?{query}")
    assert response.status_code == 200, response.json
    want = expected(first, last, capability, neighbourhood)
    assert _without_labels(response.json) == want
    assert response.json["filters"]["capability"] == capability
    for cell in response.json["time_to_complete"]["by_capability"].values():
        assert cell["label"] and "_" not in cell["label"]


def test_the_history_has_the_shapes_the_figures_must_handle(api, make, city):
    """The seeded history holds what the comparison needs to mean something."""
    whole = expected(date(2026, 2, 1), date(2026, 8, 31))
    assert whole["totals"]["reopened"] >= 2 and whole["resolution"]["resolved"] >= 10
    assert 0 < whole["resolution"]["by_partners"] < whole["resolution"]["resolved"]
    assert "(none)" in whole["time_to_claim"]["by_neighbourhood"]
    assert set(whole["work"]["units"]) == {"bags", "lots", "units"}
    # The edge need: claimed 31 March city time (1 April in UTC), completed 1 May city time.
    edge = expected(date(2026, 3, 31), date(2026, 3, 31), "litter_cleanup", "Downtown")
    assert edge["totals"]["claimed"] >= 1
    may_first = expected(date(2026, 5, 1), date(2026, 5, 1), "litter_cleanup", "Downtown")
    assert may_first["totals"]["completed"] >= 1


def test_the_performance_page_shows_the_figures(browser, make, city):
    viewer = make.user("viewer")
    page = browser(viewer).get("/performance/?start=2026-02-01&end=2026-08-31")
    assert page.status_code == 200
    want = expected(date(2026, 2, 1), date(2026, 8, 31))
    for name in ("posted", "completed", "verified"):
        assert f"{want['totals'][name]}" in page.text
    assert f"{want['work']['volunteer_hours']}" in page.text


def test_the_open_data_report_matches_the_stored_history(client, city):
    year = 2026
    today = utcnow().astimezone(ZONE).date()
    last = date(year, 12, 31) if today.year > year else today
    data = client.get(f"/open-data/{year}.json")
    assert data.status_code == 200
    report = data.json
    want = expected(date(year, 1, 1), last)
    for key in ("time_to_claim", "time_to_complete"):
        want[key].pop("by_neighbourhood")
    got = _without_labels(report)
    for key in ("year", "partial_year", "completed_work"):
        got.pop(key)
    assert got == want
    start, end = _bounds(date(year, 1, 1), last)
    done = sorted(
        {
            e.need_id
            for e in db.session.execute(select(NeedEvent)).scalars()
            if e.action == "complete" and start <= e.at < end
        }
    )
    places = {n.id: n for n in db.session.execute(select(Need)).scalars()}
    assert report["completed_work"] == [
        {
            "lat": round(places[i].latitude, 4),
            "lon": round(places[i].longitude, 4),
            "capability": _label(places[i].capability_code),
        }
        for i in done
        if places[i].status in ("completed", "verified") and places[i].latitude is not None
    ]
    assert client.get(f"/open-data/{year}").status_code == 200


def _label(code: str) -> str:
    from capabilities.services import capability_labels

    return capability_labels()[code]
