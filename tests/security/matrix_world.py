"""The world the authorization matrix (and the mass-assignment test) send requests into.

Built through the services, as tests/security/route_permissions.py describes it: partners A and
B, a need in each state, a plain member of A, one signed-up person per role with an API token,
a saved city plan (one assignment offered to A, one only proposed), one catalogue entry, and on
request one stored neighbourhood briefing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, func, select

from accounts.actor import SYSTEM, Actor
from accounts.models import ApiToken
from accounts.roles import Role
from briefings.catalogue import add_catalogue_entry
from briefings.services import generate_neighbourhood_briefing
from commonground.extensions import db
from jobs.services import start_job
from media.models import Photo
from media.services import Upload
from needs.services import claim_need, complete_need, start_need
from planning.services import offer_assignment, run_city_plan
from tests.factories import Factory
from tests.photos import phone_photo
from tests.security.route_permissions import ANONYMOUS, PARAMS, ROLES, Route

PLAIN_MEMBER = "plain member of A"  # a key of World.people: a member of A, no partner admin
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")
CATALOGUE_ENTRY = {
    "title": "Bags and gloves",
    "description": "Litter bags and gloves for a cleanup day.",
    "lead_time_days": 2,
    "capabilities": ["litter_cleanup"],
}


@dataclass(frozen=True)
class Caller:
    """A signed-up person, as plain values (they outlive the session that made them)."""

    id: int
    email: str
    token: str


@dataclass
class World:
    partner_a: int
    partner_b: int
    plain_member_of_a: int
    needs: dict[str, int] = field(default_factory=dict)
    people: dict[str, Caller] = field(default_factory=dict)  # each role but anonymous, and
    # PLAIN_MEMBER
    token_ids: dict[str, int] = field(default_factory=dict)
    plan_id: int = 0
    proposed_assignment: int = 0
    offered_assignment: int = 0
    entry_id: int = 0
    briefing_id: int = 0
    job_id: int = 0
    photo_id: int = 0  # a photo of the resident's report awaiting triage ("reported")


def build_world(make: Factory) -> World:
    """Partners, needs in each state, a plan, a catalogue entry and one person per role."""
    roomy = [{"capability": "litter_cleanup", "tasks_per_week": 20}]
    greening = [{"capability": "greening", "tasks_per_week": 5}]
    a, b = make.partner(capabilities=roomy + greening), make.partner(capabilities=roomy)
    plain = make.user("partner", partner=a)
    member = Actor(user_id=None, role=Role.PARTNER, partner_id=a.id, label="A")
    needs = {"open": make.need().id}
    for state in ("claimed", "in_progress", "completed"):
        need_id = make.need().id
        claim_need(member, need_id)
        if state != "claimed":
            start_need(member, need_id)
        if state == "completed":
            complete_need(member, need_id, {"volunteers": 2})
        needs[state] = need_id
    report = make.report(photos=[Upload("photo.jpg", phone_photo(400, 300))])
    needs["reported"] = report.id
    world = World(partner_a=a.id, partner_b=b.id, plain_member_of_a=plain.id, needs=needs)
    _add_plan(make, world)
    world.photo_id = db.session.scalar(select(Photo.id).where(Photo.need_id == report.id))
    world.entry_id = add_catalogue_entry(SYSTEM, CATALOGUE_ENTRY).id
    world.job_id = start_job(SYSTEM, "city_plan").id
    world.people[PLAIN_MEMBER] = Caller(id=plain.id, email=plain.user.email, token=plain.token)
    world.token_ids[ANONYMOUS] = world.token_ids[PLAIN_MEMBER] = _token_id(plain.id)
    for role in ROLES:
        if role != ANONYMOUS:
            world.people[role] = _person(make, world, role)
            world.token_ids[role] = _token_id(world.people[role].id)
    return world


def add_briefing(world: World) -> None:
    """One stored briefing (generating one renders its document: only where a route opens one)."""
    world.briefing_id = generate_neighbourhood_briefing(SYSTEM, "Downtown", weekly_tasks=2).id


def wants_briefing(route: Route) -> bool:
    return "briefing_id" in ARGUMENT.findall(route.rule)


def _add_plan(make: Factory, world: World) -> None:
    """A stored plan with two greening tasks only partner A can do: one offered, one not."""
    for _ in range(2):
        make.need(capability="greening")
    plan = run_city_plan(SYSTEM)
    greening = sorted(
        a.id
        for a in plan.assignments
        if a.partner_id == world.partner_a and a.need_id not in world.needs.values()
    )
    world.plan_id = plan.id
    world.offered_assignment, world.proposed_assignment = greening[0], greening[1]
    offer_assignment(SYSTEM, plan.id, world.offered_assignment)


def _token_id(user_id: int) -> int:
    return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user_id))


def _person(make: Factory, world: World, role: str) -> Caller:
    """partner_own is a partner admin of A, partner_other one of B; other roles have no partner."""
    from partners.models import Partner

    if role in ("partner_own", "partner_other"):
        partner_id = world.partner_a if role == "partner_own" else world.partner_b
        person = make.user(
            "partner", partner=db.session.get(Partner, partner_id), is_partner_admin=True
        )
    else:
        person = make.user(role)
    return Caller(id=person.id, email=person.user.email, token=person.token)


def resolve(value, world: World):
    """A row's value, or its function of the world."""
    return value(world) if callable(value) else value


def path_for(route: Route, world: World, role: str) -> str:
    """The route's rule with every path argument filled in from the world (and its query)."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name in route.params:
            return str(resolve(route.params[name], world))
        assert name in PARAMS, f"no filler for path argument <{name}> in route_permissions.PARAMS"
        return str(PARAMS[name](world, route, role))

    path = ARGUMENT.sub(fill, route.rule)
    return f"{path}?{route.query}" if route.query else path


def row_counts() -> dict[str, int]:
    """Rows in every table, read afresh (one query: the matrix asks two or three times a cell)."""
    db.session.expire_all()
    return dict(db.session.execute(_counts()).one()._mapping)


@cache
def _counts() -> Select:
    return select(
        *(
            select(func.count()).select_from(table).scalar_subquery().label(table.name)
            for table in db.metadata.sorted_tables
        )
    )
