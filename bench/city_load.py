"""Loading a bench city (`bench.cities`) into Common Ground, for `bench/city_scale_bench.py`.

Two ways, the same city (same needs, partners, neighbourhoods and clustering):

- **Through the product's own paths** (`load_through_product`, the default). Partners, with
  their capabilities, weekly capacity and service areas, are checked by `PartnerCreateSchema`
  and registered by `partners.services.register_partner`, then verified (and paused when the
  spec is inactive) by a coordinator, as the API does. Needs arrive as the city's weekly
  blight-survey exports: a CSV file per city week with the survey's own column names
  (`EXPORT_HEADER`; some rows without the optional fields), imported with its column mapping and
  category map (`IMPORT_PROFILE`) by `intake.services.import_needs` at the end of that week, so
  the import's validation, duplicate check, neighbourhoods and "import" events are what load
  them. About a quarter of the needs then get a history (claimed, in progress, released,
  completed, verified) through `needs.services` called as the right actors (a member of the
  claiming partner; the coordinator verifies), with `now=` in the past, in time order over the
  weeks, so weekly capacity is the services' own check and claims, events and notices are the
  product's. The partner of each claim is drawn among the active partners of the capability
  that still have room that week.
- **In bulk** (`load_in_bulk`, `--quick-load`): not the product's paths; for iteration only.
  Partners and capabilities by one insert, needs, claims and events by COPY of the columns the
  services write (PostgreSQL only).

Users (the bench coordinator and partner member) and API tokens go through the accounts
services either way.
"""

from __future__ import annotations

import csv
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from accounts.actor import Actor
from matching.model import NeedSpec, PartnerSpec

PASSWORD = "bench-password-long-enough"  # noqa: S105 - a scratch database's bench user
COORDINATOR = "bench.coordinator@example.test"
MEMBER = "bench.member@example.test"
CODES = {  # bench.cities capability -> the starting taxonomy's code
    "lot_mowing": "lot_mowing",
    "litter_cleanup": "litter_cleanup",
    "bulk_trash_hauling": "bulk_trash_hauling",
    "illegal_dumping_removal": "illegal_dumping",
    "graffiti_removal": "graffiti_removal",
    "tree_trimming": "greening",
    "board_up": "board_up",
    "drain_clearing": "property_maintenance_help",
}
HISTORY_SHARE = 0.25
PROGRESS_S = 60.0
"""A line of progress (steps done, seconds by phase) at most this often during a load."""
SOURCE = "blight_survey"

# ---- the city's export ----------------------------------------------------------------------

SURVEY_TYPES = {  # bench.cities capability -> the survey's own "Problem Type"
    "lot_mowing": "Overgrown Lot",
    "litter_cleanup": "Litter / Debris",
    "bulk_trash_hauling": "Bulk Items at Curb",
    "illegal_dumping_removal": "Illegal Dumping",
    "graffiti_removal": "Graffiti",
    "tree_trimming": "Overhanging Trees",
    "board_up": "Open / Vacant Structure",
    "drain_clearing": "Blocked Drain",
}
EXPORT_HEADER = [
    "Survey ID",
    "Date Observed",
    "Problem Type",
    "Property Address",
    "Parcel Number",
    "ZIP",
    "Neighborhood",
    "Latitude",
    "Longitude",
    "Priority",
    "Target Date",
    "Case Status",
    "Inspector Notes",
]
IMPORT_PROFILE: dict[str, Any] = {
    "source": SOURCE,
    "preset": "generic",
    "geocode": False,  # every row has its point; the bench never leaves 127.0.0.1
    "columns": {
        "external_id": "Survey ID",
        "opened_at": "Date Observed",
        "category": "Problem Type",
        "address": "Property Address",
        "parcel_id": "Parcel Number",
        "zip_code": "ZIP",
        "neighbourhood": "Neighborhood",
        "latitude": "Latitude",
        "longitude": "Longitude",
        "priority": "Priority",
        "due_at": "Target Date",
        "status": "Case Status",
        "description": "Inspector Notes",
    },
    "categories": {SURVEY_TYPES[spec]: code for spec, code in CODES.items()},
}
"""What a coordinator would store as the survey's import profile (`flask import-needs
--profile`): its columns and its problem types mapped to the taxonomy."""
MISSING = {"Property Address": 0.2, "Parcel Number": 0.15, "ZIP": 0.1, "Neighborhood": 0.25,
           "Inspector Notes": 0.5}  # fmt: skip
"""Share of the export's rows without each optional field (the import fills the neighbourhood
in from the nearest centre; a row without a parcel falls back to the duplicate radius)."""
STREETS = ("Plank Rd", "Scenic Hwy", "Gus Young Ave", "Government St", "North Blvd",
           "Florida Blvd", "Airline Hwy", "Choctaw Dr", "Winbourne Ave")  # fmt: skip


def survey_id(need: NeedSpec) -> str:
    """The survey's id of a bench need (the import's external id)."""
    return f"BS-{need.id:06d}"


def export_rows(
    needs: Iterable[NeedSpec], shift: timedelta, timezone: str, rng: random.Random
) -> list[dict[str, str]]:
    """The needs as rows of the city's survey export (local US dates, its own column names),
    some without optional fields; needs at exactly one point share a parcel number."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    parcels: dict[tuple[float, float], str] = {}
    rows = []
    for n in needs:
        parcel = parcels.setdefault((n.lat, n.lon), f"{len(parcels) + 1:03d}-{n.id % 97:02d}")
        due = n.due_at + shift if n.due_at else None
        row = {
            "Survey ID": survey_id(n),
            "Date Observed": (n.opened_at + shift)
            .astimezone(zone)
            .strftime("%m/%d/%Y %I:%M:%S %p"),
            "Problem Type": SURVEY_TYPES[n.capability],
            "Property Address": f"{100 + n.id * 7 % 9800} {STREETS[n.id % len(STREETS)]}",
            "Parcel Number": parcel,
            "ZIP": f"708{n.id % 20:02d}",
            "Neighborhood": n.neighbourhood or "",
            "Latitude": f"{n.lat:.7f}",
            "Longitude": f"{n.lon:.7f}",
            "Priority": str(n.priority),
            "Target Date": due.astimezone(zone).strftime("%m/%d/%Y") if due else "",
            "Case Status": "Open",
            "Inspector Notes": f"Observed on survey round {n.id % 12 + 1}.",
        }
        for column, share in MISSING.items():
            if rng.random() < share:
                row[column] = ""
        rows.append(row)
    return rows


def write_export(path: Path, rows: list[dict[str, str]]) -> None:
    """One export file, as the city's system writes it."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_HEADER)
        writer.writeheader()
        writer.writerows(rows)


# ---- histories ------------------------------------------------------------------------------


def _later(
    rng: random.Random, at: datetime, days: tuple[float, float], limit: datetime
) -> datetime:
    """`at` plus a drawn number of days, or a drawn moment before `limit` when that is later."""
    moment = at + timedelta(days=rng.uniform(*days))
    if moment < limit:
        return moment
    return at + (limit - at) * rng.uniform(0.1, 0.9)


def draw_history(
    rng: random.Random, imported: datetime, now: datetime
) -> list[tuple[datetime, str]]:
    """The lifecycle steps (moment, action) of a need imported at `imported`: claimed (15 %),
    in progress (10 %), released (10 %), completed (25 %) or verified (40 %), as the bulk path
    draws them, each step after the one before and before `now`."""
    draw = rng.random()
    claimed = _later(rng, imported, (0.2, 10), now - timedelta(hours=4))
    steps = [(claimed, "claim")]
    if draw < 0.15:
        return steps
    if draw < 0.25:
        return [*steps, (_later(rng, claimed, (0.05, 0.1), now - timedelta(hours=3)), "start")]
    done = _later(rng, claimed, (0.5, 14), now - timedelta(hours=2))
    if draw < 0.35:
        return [*steps, (done, "release")]
    started = claimed + (done - claimed) * rng.uniform(0.05, 0.3)
    steps += [(started, "start"), (done, "complete")]
    if draw < 0.6:
        return steps
    return [*steps, (_later(rng, done, (0.1, 5), now - timedelta(hours=1)), "verify")]


@dataclass
class LoadReport:
    """What a load did: seconds by phase, counts by kind."""

    seconds: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)

    def timed(self, phase: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`call(*args, **kwargs)`, its seconds added to `phase`."""
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.seconds[phase] += time.perf_counter() - started

    def line(self) -> str:
        return "; ".join(f"{phase} {s:.1f} s" for phase, s in self.seconds.items())


# ---- through the product's paths ------------------------------------------------------------


def polygon_geojson(polygon) -> dict | None:
    """A spec's polygon rings as the GeoJSON Polygon the partner form stores."""
    if polygon is None:
        return None
    return {"type": "Polygon", "coordinates": [[list(point) for point in r] for r in polygon]}


def partner_fields(p: PartnerSpec) -> dict[str, Any]:
    """A spec's partner as the registry takes it and stores it (name, sector, base point, radius,
    neighbourhoods, polygon): one copy for the product's load and the bulk one."""
    return {
        "name": p.name,
        "sector": p.sector,
        "base_latitude": p.lat,
        "base_longitude": p.lon,
        "service_radius_km": p.radius_km,
        "service_neighbourhoods": sorted(p.neighbourhoods),
        "service_area_geojson": polygon_geojson(p.polygon),
    }


def register_partners(coordinator: Actor, partners: list[PartnerSpec], report: LoadReport) -> None:
    """Every partner through the registry's schema and service; verified (paused when the spec
    is inactive) by the coordinator. Ids follow the specs' order on a fresh registry."""
    from partners.schemas import PartnerCreateSchema
    from partners.services import change_partner_status, register_partner

    schema = PartnerCreateSchema()
    for p in partners:
        data = schema.load(
            {
                **partner_fields(p),
                "capabilities": [
                    {
                        "capability": CODES[code],
                        "tasks_per_week": slot.tasks_per_week,
                        "volunteer_hours_per_week": slot.volunteer_hours_per_week,
                    }
                    for code, slot in p.capabilities.items()
                ],
            }
        )
        partner = register_partner(coordinator, data)
        if partner.id != p.id:
            raise SystemExit(f"partner {p.name} got id {partner.id}: the registry was not empty")
        change_partner_status(coordinator, p.id, "verify")
        if not p.active:
            change_partner_status(coordinator, p.id, "pause")
        report.counts["partners"] += 1


class HistoryReplay:
    """Lifecycle steps through `needs.services`, in time order, as the right actors."""

    def __init__(
        self, coordinator: Actor, partners: list[PartnerSpec], timezone: str, rng: random.Random
    ) -> None:
        self.coordinator = coordinator
        self.timezone = timezone
        self.rng = rng
        self.slots = {
            (p.id, CODES[code]): slot.tasks_per_week
            for p in partners
            for code, slot in p.capabilities.items()
        }
        self.doers: dict[str, list[int]] = defaultdict(list)
        for p in partners:
            if p.active:
                for code in p.capabilities:
                    self.doers[CODES[code]].append(p.id)
        self.names = {p.id: p.name for p in partners}
        self.taken: Counter[tuple[int, str, datetime]] = Counter()
        self.holders: dict[int, tuple[int, datetime]] = {}
        self.members: dict[int, Actor] = {}

    def member(self, partner_id: int) -> Actor:
        """A member of the partner (made the first time it acts), as the actor it acts as."""
        from accounts.actor import SYSTEM
        from accounts.services import actor_for, create_user

        if partner_id not in self.members:
            user = create_user(
                SYSTEM,
                email=f"crew{partner_id}@bench.example.test",
                name=f"Crew of {self.names[partner_id]}",
                role="partner",
                partner_id=partner_id,
            )
            self.members[partner_id] = actor_for(user)
        return self.members[partner_id]

    def claim(self, need_id: int, code: str, at: datetime, report: LoadReport) -> bool:
        """Claim as a member of a partner of the capability with room this week; False when
        none has (the need then keeps no history)."""
        from commonground.errors import ConflictError
        from needs.calendar import week_start
        from needs.services import claim_need

        week = week_start(at, self.timezone)
        doers = list(self.doers.get(code, ()))
        self.rng.shuffle(doers)
        for partner_id in doers:
            if self.taken[partner_id, code, week] >= self.slots[partner_id, code]:
                continue
            member = self.member(partner_id)
            try:
                claim_need(member, need_id, now=at)
            except ConflictError:
                report.counts["claims refused"] += 1
                continue
            self.taken[partner_id, code, week] += 1
            self.holders[need_id] = (partner_id, week)
            return True
        report.counts["no partner with room"] += 1
        return False

    def step(self, need_id: int, code: str, action: str, at: datetime, report: LoadReport) -> bool:
        """One lifecycle step of a need; False when the need's history stops here."""
        from needs import services

        if action == "claim":
            return self.claim(need_id, code, at, report)
        partner_id, week = self.holders[need_id]
        member = self.member(partner_id)
        if action == "start":
            services.start_need(member, need_id, now=at)
        elif action == "complete":
            work = {
                "volunteers": self.rng.randint(1, 8),
                "hours": round(self.rng.uniform(1, 12), 1),
            }
            services.complete_need(member, need_id, work, now=at)
        elif action == "release":
            services.release_need(member, need_id, "Bench: the crew could not get on site.", now=at)
            self.taken[partner_id, code, week] -= 1  # a released claim frees its week's slot
        elif action == "verify":
            services.verify_need(self.coordinator, need_id, "Bench: checked on site.", now=at)
        return True


def _file_weeks(
    needs: list[NeedSpec], shift: timedelta, now: datetime, timezone: str
) -> list[tuple[datetime, list[NeedSpec]]]:
    """The needs grouped by the city week they were observed in, each group with the moment its
    weekly export is imported (the week's end; the current week's at `now`)."""
    from needs.calendar import week_start

    weeks: dict[datetime, list[NeedSpec]] = defaultdict(list)
    for n in needs:
        weeks[week_start(n.opened_at + shift, timezone)].append(n)
    return [
        (min(now, week_start(start + timedelta(days=7, hours=12), timezone)), group)
        for start, group in sorted(weeks.items())
    ]


def import_and_replay(
    coordinator: Actor,
    needs: list[NeedSpec],
    partners: list[PartnerSpec],
    *,
    now: datetime,
    shift: timedelta,
    seed: int,
    report: LoadReport,
) -> None:
    """The weekly exports imported at their weeks' ends, and the histories between them, all in
    time order: `needs.services.capacity_used` counts a partner's claims from the start of the
    claim's week with no upper bound (in the present no claim lies ahead), so a claim replayed
    before later weeks' claims were made is the only order in which it counts its own week."""
    from flask import current_app
    from sqlalchemy import select

    from commonground.extensions import db
    from intake.profiles import apply_profile
    from intake.services import import_needs
    from needs.models import Need

    timezone = current_app.config["CITY_TIMEZONE"]
    options = apply_profile(IMPORT_PROFILE)
    rng = random.Random(seed)
    files = _file_weeks(needs, shift, now, timezone)
    eligible = sum(len(group) for at, group in files if at <= now - timedelta(days=1))
    share = min(1.0, HISTORY_SHARE * len(needs) / max(1, eligible))
    timeline: list[tuple[datetime, int, Any]] = []
    for at, group in files:
        timeline.append((at, len(timeline), ("import", group)))
        if at > now - timedelta(days=1):
            continue  # the current week's export: too recent for a history
        for n in group:
            if rng.random() < share:
                for moment, action in draw_history(rng, at, now):
                    timeline.append((moment, len(timeline), (action, n)))
    timeline.sort(key=lambda item: item[:2])
    replay = HistoryReplay(coordinator, partners, timezone, rng)
    ids: dict[str, int] = {}
    stopped: set[str] = set()
    last_id = 0
    shown = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as folder:
        for done_steps, (at, _, (action, payload)) in enumerate(timeline):
            if time.perf_counter() - shown > PROGRESS_S:
                shown = time.perf_counter()
                print(f"  ... {done_steps} of {len(timeline)} imports and steps: {report.line()}",
                      flush=True)  # fmt: skip
            if action == "import":
                path = Path(folder) / f"blight-survey-{at:%Y-%m-%d}.csv"
                write_export(path, export_rows(payload, shift, timezone, rng))
                imported = report.timed(
                    "needs import", import_needs, coordinator, path, options, now=at
                )
                if imported.created != len(payload) or imported.errors:
                    raise SystemExit(f"{path.name}: {imported.summary()}")
                report.counts["export files"] += 1
                report.counts["needs"] += imported.created
                report.counts["probable duplicates"] += imported.probable_duplicates
                new = db.session.execute(
                    select(Need.external_id, Need.id).where(Need.id > last_id)
                ).all()
                ids.update(new)
                last_id = max([last_id, *(i for _, i in new)])
                continue
            key = survey_id(payload)
            if key in stopped:
                continue
            code = CODES[payload.capability]
            done = report.timed(action, replay.step, ids[key], code, action, at, report)
            if done:
                report.counts[action] += 1
            else:
                stopped.add(key)


def load_through_product(
    coordinator: Actor, needs: list[NeedSpec], partners: list[PartnerSpec], *, now: datetime,
    shift: timedelta, seed: int,
) -> LoadReport:  # fmt: skip
    """Partners, needs and histories through the product's paths (module docstring), inside an
    app context whose database holds the taxonomy and neighbourhoods and no partner yet."""
    report = LoadReport()
    report.timed("partners", lambda: register_partners(coordinator, partners, report))
    import_and_replay(coordinator, needs, partners, now=now, shift=shift, seed=seed,
                      report=report)  # fmt: skip
    return report


def hood_centres(needs: list[NeedSpec]) -> list[tuple[str, float, float]]:
    """Each neighbourhood of the city at the mean of its needs' points."""
    hoods: dict[str, list[tuple[float, float]]] = {}
    for n in needs:
        if n.neighbourhood:
            hoods.setdefault(n.neighbourhood, []).append((n.lat, n.lon))
    return [
        (name, statistics.fmean(p[0] for p in pts), statistics.fmean(p[1] for p in pts))
        for name, pts in sorted(hoods.items())
    ]


# ---- in bulk (--quick-load) -------------------------------------------------------------------


def _copy(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a table through psycopg's copy protocol."""
    raw = connection.connection.driver_connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _bulk_history(
    rng: random.Random, need_id: int, opened: datetime, partner_id: int, code: str, now: datetime
) -> tuple[str, list[dict], list[tuple]]:
    """A need's status, its claim rows and its event rows for a drawn history."""
    events = [(need_id, "post", None, "open", opened, 0)]
    draw = rng.random()
    claimed = min(now - timedelta(hours=1), opened + timedelta(days=rng.uniform(0.2, 10)))
    done = min(now - timedelta(minutes=30), claimed + timedelta(days=rng.uniform(0.5, 14)))
    claim: dict[str, Any] = {
        "need_id": need_id,
        "partner_id": partner_id,
        "capability_code": code,
        "status": "active",
        "claimed_at": claimed,
        "started_at": None,
        "completed_at": None,
        "verified_at": None,
        "released_at": None,
        "volunteers": None,
        "hours": None,
    }
    events.append((need_id, "claim", "open", "claimed", claimed, partner_id))
    if draw < 0.15:
        return "claimed", [claim], events
    if draw < 0.25:
        claim["started_at"] = claimed + timedelta(hours=2)
        events.append((need_id, "start", "claimed", "in_progress", claim["started_at"], partner_id))
        return "in_progress", [claim], events
    if draw < 0.35:
        claim.update(status="released", released_at=done)
        events.append((need_id, "release", "claimed", "open", done, partner_id))
        return "open", [claim], events
    claim.update(status="done", completed_at=done, volunteers=rng.randint(1, 8))
    claim["hours"] = round(rng.uniform(1, 12), 1)
    events.append((need_id, "complete", "claimed", "completed", done, partner_id))
    if draw < 0.6:
        return "completed", [claim], events
    verified = min(now, done + timedelta(days=rng.uniform(0.1, 5)))
    claim["verified_at"] = verified
    events.append((need_id, "verify", "completed", "verified", verified, 0))
    return "verified", [claim], events


NEED_COLUMNS = ["id", "capability_code", "title", "description", "latitude", "longitude",
                "location_status", "neighbourhood", "priority", "effort_hours", "source",
                "external_id", "due_date", "status", "opened_at", "created_at",
                "updated_at"]  # fmt: skip
EVENT_COLUMNS = ["need_id", "action", "from_status", "to_status", "at", "partner_id",
                 "actor_label", "note"]  # fmt: skip


def load_in_bulk(
    needs: list[NeedSpec], partners: list[PartnerSpec], *, now: datetime, shift: timedelta,
    seed: int,
) -> LoadReport:  # fmt: skip
    """Not the product's paths; for iteration only: partners and capabilities by one insert,
    needs, claims and events by COPY of the columns the services write (PostgreSQL)."""
    from sqlalchemy import insert, text

    from commonground.extensions import db
    from partners.models import Partner, PartnerCapability

    report = LoadReport()
    started = time.perf_counter()
    partner_rows, capability_rows = [], []
    for p in partners:
        partner_rows.append(
            {
                "id": p.id,
                **partner_fields(p),
                "description": "",
                "status": "active" if p.active else "paused",
                "created_at": now,
                "updated_at": now,
            }
        )
        for code, slot in p.capabilities.items():
            capability_rows.append(
                {
                    "partner_id": p.id,
                    "capability_code": CODES[code],
                    "tasks_per_week": slot.tasks_per_week,
                    "volunteer_hours_per_week": slot.volunteer_hours_per_week,
                    "equipment": "",
                }
            )
    db.session.execute(insert(Partner), partner_rows)
    db.session.execute(insert(PartnerCapability), capability_rows)
    db.session.commit()
    report.seconds["partners (bulk)"] += time.perf_counter() - started
    started = time.perf_counter()
    rng = random.Random(seed)
    doers: dict[str, list[int]] = {}
    for p in partners:
        if p.active:
            for code in p.capabilities:
                doers.setdefault(CODES[code], []).append(p.id)
    need_rows, claim_rows, event_rows = [], [], []
    for n in needs:
        code = CODES[n.capability]
        opened = n.opened_at + shift
        status = "open"
        if rng.random() < HISTORY_SHARE and doers.get(code):
            status, claims, events = _bulk_history(
                rng, n.id, opened, rng.choice(doers[code]), code, now
            )
            claim_rows += claims
            event_rows += events
        else:
            event_rows.append((n.id, "post", None, "open", opened, 0))
        due = (n.due_at + shift).date() if n.due_at else None
        need_rows.append(
            (n.id, code, f"Bench need {n.id}", "", n.lat, n.lon, "ok", n.neighbourhood,
             n.priority, n.effort_hours, SOURCE, str(n.id), due, status, opened, opened, opened)
        )  # fmt: skip
    with db.engine.begin() as connection:
        _copy(connection, "need", NEED_COLUMNS, need_rows)
        claim_columns = list(claim_rows[0]) if claim_rows else []
        _copy(connection, "claim", claim_columns, [tuple(c.values()) for c in claim_rows])
        _copy(
            connection,
            "need_event",
            EVENT_COLUMNS,
            [(i, a, f, t, at, p or None, "bench", "") for i, a, f, t, at, p in event_rows],
        )
        for table in ("need", "claim", "need_event", "partner", "partner_capability"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    report.seconds["needs and histories (COPY)"] += time.perf_counter() - started
    report.counts.update(needs=len(needs), claims=len(claim_rows), events=len(event_rows),
                         partners=len(partners))  # fmt: skip
    return report


# ---- the bench's city -------------------------------------------------------------------------


def load_city(app, size: str, seed: int = 1, *, quick: bool = False) -> dict[str, Any]:
    """Empty the database, migrate it and load a clustered city of `size`, through the product's
    paths (or in bulk with `quick`); print the seconds of each phase; return what the timed
    calls need (ids, tokens)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from accounts.actor import SYSTEM
    from accounts.services import actor_for, create_api_token, create_user
    from bench.cities import make_family
    from commonground.db_types import utcnow
    from commonground.extensions import db
    from geo.services import add_neighbourhoods
    from seeds.demo import ensure_taxonomy

    started = time.perf_counter()
    needs, partners, city_now = make_family("clustered_colocated", size, seed)
    now = utcnow()
    shift = now - city_now
    setup = LoadReport()
    with app.app_context():

        def fresh_schema() -> None:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            upgrade()
            ensure_taxonomy()
            add_neighbourhoods(hood_centres(needs))

        setup.timed("schema, taxonomy, neighbourhoods", fresh_schema)
        coordinator = create_user(
            SYSTEM, email=COORDINATOR, name="Bench Coordinator", role="coordinator",
            password=PASSWORD,
        )  # fmt: skip
        staff = actor_for(coordinator)
        if quick:
            report = load_in_bulk(needs, partners, now=now, shift=shift, seed=seed)
        else:
            report = load_through_product(staff, needs, partners, now=now, shift=shift, seed=seed)
        # What autovacuum does on a live database (it is off on the bench machine's server): the
        # visibility map lets counts of the city's version scan indexes only, statistics are new.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
            setup.timed("vacuum analyze", lambda: vacuum.execute(text("VACUUM (ANALYZE)")))
        member_partner = next(p.id for p in partners if p.active and p.capabilities)
        member = create_user(
            SYSTEM, email=MEMBER, name="Bench Member", role="partner", password=PASSWORD,
            partner_id=member_partner,
        )  # fmt: skip
        _, coordinator_token = create_api_token(staff, name="bench")
        _, member_token = create_api_token(actor_for(member), name="bench")
    way = "in bulk (--quick-load: not the product's paths)" if quick else "through the product"
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
    print(f"{size}: loaded {way} in {time.perf_counter() - started:.1f} s: {counts}", flush=True)
    print(f"  load phases: {setup.line()}; {report.line()}", flush=True)
    return {
        "coordinator_token": coordinator_token,
        "member_token": member_token,
        "member_partner": member_partner,
    }
