"""Load the demo city through the same schemas and services as the API.

Deterministic: the same `today` and seed give the same city. Idempotent: a second run changes
nothing unless `reset` is given. If anything fails half-way, everything loaded is removed again,
so the database is never left half-seeded.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from accounts.actor import SYSTEM, Actor
from accounts.roles import Role
from accounts.services import create_user
from briefings.catalogue import add_catalogue_entry
from capabilities.models import Capability
from capabilities.services import add_capability
from commonground.db_types import utcnow
from commonground.errors import ConflictError
from commonground.extensions import db
from geo.distance import haversine_km
from geo.services import add_neighbourhoods
from needs import services as needs
from needs.schemas import NeedCreateSchema
from partners.models import Partner
from partners.schemas import PartnerCreateSchema
from partners.services import change_partner_status, register_partner
from reports.services import RESIDENT, submit_report
from seeds.baton_rouge import NEIGHBOURHOODS, ORGANISATIONS, STREETS, TITLES
from seeds.catalogue import CATALOGUE
from seeds.taxonomy import CAPABILITIES

NEED_COUNT = 600
# Final states and how often they occur among demo needs.
STATE_WEIGHTS = {
    "open": 50,
    "claimed": 9,
    "in_progress": 8,
    "completed": 8,
    "verified": 15,
    "cancelled": 3,
    "duplicate": 2,
    "not_actionable": 2,
    "reopened": 3,
}
DEMO_USERS = [
    ("admin@demo.commonground.test", "Ada Admin", Role.ADMIN),
    ("coordinator@demo.commonground.test", "Cora Coordinator", Role.COORDINATOR),
    ("outreach@demo.commonground.test", "Otis Outreach", Role.OUTREACH),
    ("partner@demo.commonground.test", "Pat Partner", Role.PARTNER),
    ("viewer@demo.commonground.test", "Vic Viewer", Role.VIEWER),
]


@dataclass
class SeedResult:
    """What a seed run did."""

    loaded: bool
    partners: int = 0
    needs: int = 0
    neighbourhoods: list[str] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)


def wipe_all() -> None:
    """Delete every row of every table (children first)."""
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def ensure_taxonomy() -> int:
    """Add the starting capabilities that are missing. Returns how many were added."""
    existing = set(db.session.scalars(select(Capability.code)))
    added = 0
    for entry in CAPABILITIES:
        if entry["code"] not in existing:
            add_capability(SYSTEM, dict(entry))
            added += 1
    return added


def load_demo_city(
    *, reset: bool = False, today: date | None = None, seed: int = 2026
) -> SeedResult:
    """Load the demo city unless it is already there."""
    if reset:
        wipe_all()
    if db.session.scalar(select(func.count(Partner.id))):
        return SeedResult(loaded=False)
    today = today or date.today()
    # The demo's "now" is 17:00 UTC on `today`, but never later than the clock: no demo event
    # may come after the moment it is loaded (a need cancelled "at 17:00" seen at 00:30).
    now = min(datetime.combine(today, time(17, 0), tzinfo=UTC), utcnow())
    rng = random.Random(seed)
    try:
        ensure_taxonomy()
        add_neighbourhoods(NEIGHBOURHOODS)
        partners = _load_partners(rng)
        users = _load_users(partners[0].id)
        count = _load_needs(rng, partners, now)
        _load_resident_reports(rng, now)
        _load_catalogue()
    except Exception:
        wipe_all()
        raise
    return SeedResult(
        loaded=True,
        partners=len(partners),
        needs=count,
        neighbourhoods=[n for n, _, _ in NEIGHBOURHOODS],
        users=users,
    )


RESIDENT_REPORTS = (
    ("illegal_dumping", "Mid City", "Old sofa and bags of trash dumped by the alley."),
    ("lot_mowing", "Eden Park", "The grass on the empty lot is taller than the fence."),
    ("litter_cleanup", "Downtown", "Litter all around the bus shelter."),
)
"""Fictional residents' reports the demo keeps waiting for triage (the coordinator's queue)."""


def _load_resident_reports(rng: random.Random, now: datetime) -> None:
    """A few reports from the public form, awaiting triage, through the same service."""
    for index, (capability, home, text) in enumerate(RESIDENT_REPORTS):
        lat, lon = _centre(home)
        data = {
            "capability": capability,
            "description": text,
            "address": f"{200 + index * 11} {STREETS[home][0]}",
            "latitude": round(lat + rng.uniform(-0.003, 0.003), 6),
            "longitude": round(lon + rng.uniform(-0.003, 0.003), 6),
            "notify": False,
        }
        submit_report(RESIDENT, data, now=now - timedelta(hours=3 * (index + 1)))


def _load_catalogue() -> None:
    """What the city offers partners, through the catalogue service (briefings show it)."""
    for entry in CATALOGUE:
        add_catalogue_entry(SYSTEM, dict(entry))


def _centre(name: str) -> tuple[float, float]:
    return next((lat, lon) for n, lat, lon in NEIGHBOURHOODS if n == name)


def _load_partners(rng: random.Random) -> list[Partner]:
    schema = PartnerCreateSchema()
    partners = []
    for index, (name, sector, home, radius, caps) in enumerate(ORGANISATIONS):
        lat, lon = _centre(home)
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        data = schema.load(
            {
                "name": name,
                "sector": sector,
                "description": f"Fictional demo organisation based in {home}.",
                "website": f"https://{slug}.example.org",
                "contact_name": f"Contact {index + 1}",
                "contact_email": f"hello@{slug}.example.org",
                "contact_phone": f"225-555-{1000 + index:04d}",
                "base_address": f"{100 + index * 7} {STREETS[home][0]}",
                "base_latitude": round(lat + rng.uniform(-0.004, 0.004), 6),
                "base_longitude": round(lon + rng.uniform(-0.004, 0.004), 6),
                "service_radius_km": radius,
                "service_neighbourhoods": [home],
                "capabilities": [
                    {"capability": c, "tasks_per_week": t, "volunteer_hours_per_week": h}
                    for c, t, h in caps
                ],
            }
        )
        partner = register_partner(SYSTEM, data)
        # Most are verified; a few show every other state.
        if index not in (36, 37):
            change_partner_status(SYSTEM, partner.id, "verify")
        if index in (38, 39):
            change_partner_status(SYSTEM, partner.id, "pause")
        if index == 35:
            change_partner_status(SYSTEM, partner.id, "archive")
        partners.append(partner)
    return partners


def _load_users(partner_id: int) -> list[tuple[str, str, str]]:
    users = []
    for email, name, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        create_user(
            SYSTEM,
            email=email,
            name=name,
            role=role.value,
            password=password,
            partner_id=partner_id if role is Role.PARTNER else None,
            is_partner_admin=role is Role.PARTNER,
        )
        users.append((email, role.value, password))
    return users


@dataclass(frozen=True)
class _Able:
    """What the seed needs to know of a partner, read once (ORM rows expire on each commit)."""

    id: int
    name: str
    lat: float
    lon: float
    radius_km: float
    capabilities: frozenset[str]


def _able_partners(partners: list[Partner]) -> list[_Able]:
    return [
        _Able(
            p.id,
            p.name,
            p.base_latitude,
            p.base_longitude,
            p.service_radius_km,
            frozenset(c.capability_code for c in p.capabilities),
        )
        for p in partners
        if p.status == "active"
    ]


def _nearest_able_partner(
    able: list[_Able], capability: str, lat: float, lon: float
) -> _Able | None:
    candidates = [
        (distance, p.id, p)
        for p in able
        if capability in p.capabilities
        for distance in [haversine_km(lat, lon, p.lat, p.lon)]
        if distance <= p.radius_km
    ]
    return min(candidates)[2] if candidates else None


def _load_needs(rng: random.Random, partners: list[Partner], now: datetime) -> int:
    schema = NeedCreateSchema()
    coordinator = Actor(user_id=None, role=Role.COORDINATOR, label="Demo coordinator")
    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
    codes = [c["code"] for c in CAPABILITIES]
    able = _able_partners(partners)
    for index in range(NEED_COUNT):
        home, lat0, lon0 = NEIGHBOURHOODS[index % len(NEIGHBOURHOODS)]
        capability = codes[rng.randrange(len(codes))]
        lat = round(lat0 + rng.uniform(-0.009, 0.009), 6)
        lon = round(lon0 + rng.uniform(-0.009, 0.009), 6)
        opened = now - timedelta(days=rng.uniform(0.5, 150))
        data = schema.load(
            {
                "capability": capability,
                "title": rng.choice(TITLES[capability]),
                "description": "Demo need generated for the demo city.",
                "address": f"{rng.randrange(100, 9900)} {rng.choice(STREETS[home])}",
                "latitude": lat,
                "longitude": lon,
                "neighbourhood": home,
                "priority": rng.choice([1, 2, 3, 3, 3, 4, 4, 5]),
                "source": rng.choice(["coordinator", "311", "311", "blight_survey"]),
                "external_id": f"DEMO-{index + 1:05d}",
            }
        )
        data["opened_at"] = opened
        need = needs.post_need(coordinator, data, now=opened)
        state = rng.choices(states, weights)[0]
        partner = _nearest_able_partner(able, capability, lat, lon)
        _advance(rng, coordinator, need.id, state, partner, opened, now)
    return NEED_COUNT


def _advance(
    rng: random.Random,
    coordinator: Actor,
    need_id: int,
    state: str,
    partner: _Able | None,
    opened: datetime,
    now: datetime,
) -> None:
    """Move a demo need to `state` through the lifecycle services, at plausible past times."""
    if state in ("cancelled", "duplicate", "not_actionable"):
        action = {
            "cancelled": "cancel",
            "duplicate": "mark_duplicate",
            "not_actionable": "mark_not_actionable",
        }[state]
        needs.close_need(
            coordinator,
            need_id,
            action,
            "Demo: closed by the coordinator.",
            now=min(now, opened + timedelta(days=2)),
        )
        return
    if state == "open" or partner is None:
        return
    member = Actor(user_id=None, role=Role.PARTNER, partner_id=partner.id, label=partner.name)
    moment = opened
    steps = {"claimed": 1, "in_progress": 2, "completed": 3, "verified": 4, "reopened": 4}[state]
    for step in range(steps):
        moment = min(
            now - timedelta(hours=steps - step), moment + timedelta(days=rng.uniform(0.5, 8))
        )
        try:
            _step(rng, coordinator, member, need_id, step, state, moment)
        except ConflictError:
            return  # e.g. the partner's weekly capacity was used up: the need stays as it is


def _step(
    rng: random.Random,
    coordinator: Actor,
    member: Actor,
    need_id: int,
    step: int,
    state: str,
    moment: datetime,
) -> None:
    if step == 0:
        needs.claim_need(member, need_id, now=moment)
    elif step == 1:
        needs.start_need(member, need_id, now=moment)
    elif step == 2:
        needs.complete_need(
            member,
            need_id,
            {
                "volunteers": rng.randrange(1, 15),
                "hours": round(rng.uniform(1, 30), 1),
                "units": rng.randrange(1, 40),
                "unit_kind": "bags",
                "notes": "Demo report.",
            },
            now=moment,
        )
    elif state == "reopened":
        needs.reopen_need(coordinator, need_id, "Demo: closed, not fixed.", now=moment)
    else:
        needs.verify_need(coordinator, need_id, "Demo: checked on site.", now=moment)
