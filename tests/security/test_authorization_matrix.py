"""The authorization matrix: every route of the app x every role, anonymous included.

Expectations live in tests/security/route_permissions.py (one row per method and rule). A
route without a row fails `test_every_route_has_an_expectation_row`, naming it. Each cell runs
in a fresh world: allowed roles get the row's status; everyone else is refused (401/403/404, or
a redirect to sign-in for pages) and the database keeps exactly the rows it had.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from accounts.actor import SYSTEM, Actor
from accounts.models import ApiToken
from accounts.roles import Role
from briefings.catalogue import add_catalogue_entry
from briefings.services import generate_neighbourhood_briefing
from commonground.extensions import db
from needs.services import claim_need, complete_need, start_need
from planning.services import offer_assignment, run_city_plan
from tests.factories import ApiClient, WebClient
from tests.security.route_permissions import ANONYMOUS, PARAMS, ROLES, ROUTES, Route

DENIED = {401, 403, 404}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")
CATALOGUE_ENTRY = {
    "title": "Bags and gloves",
    "description": "Litter bags and gloves for a cleanup day.",
    "lead_time_days": 2,
    "capabilities": ["litter_cleanup"],
}


def _app_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_has_an_expectation_row(app):
    declared = {(r.method, r.rule) for r in ROUTES}
    assert len(declared) == len(ROUTES), "a (method, rule) has two rows"
    missing = sorted(_app_routes(app) - declared)
    assert not missing, (
        "Routes without an authorization row in tests/security/route_permissions.py "
        "(add one Route(...) per method): " + "; ".join(f"{m} {r}" for m, r in missing)
    )
    stale = sorted(declared - _app_routes(app))
    assert not stale, "Rows for routes that do not exist: " + "; ".join(
        f"{m} {r}" for m, r in stale
    )


@dataclass
class World:
    partner_a: int
    partner_b: int
    plain_member_of_a: int
    needs: dict[str, int] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    plan_id: int = 0
    proposed_assignment: int = 0
    offered_assignment: int = 0
    entry_id: int = 0
    briefing_id: int = 0


def _build_world(make, route: Route | None = None) -> World:
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
    world = World(partner_a=a.id, partner_b=b.id, plain_member_of_a=plain.id, needs=needs)
    _add_plan(make, world)
    world.entry_id = add_catalogue_entry(SYSTEM, CATALOGUE_ENTRY).id
    if route is not None and "briefing_id" in ARGUMENT.findall(route.rule):
        # Generating a briefing renders its document: only for the routes that open one.
        world.briefing_id = generate_neighbourhood_briefing(SYSTEM, "Downtown", weekly_tasks=2).id
    world.token_ids[ANONYMOUS] = _token_id(plain.id)
    return world


def _add_plan(make, world: World) -> None:
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


def _person(make, world: World, role: str):
    from partners.models import Partner

    if role == ANONYMOUS:
        return None
    if role in ("partner_own", "partner_other"):
        partner_id = world.partner_a if role == "partner_own" else world.partner_b
        person = make.user(
            "partner", partner=db.session.get(Partner, partner_id), is_partner_admin=True
        )
    else:
        person = make.user(role)
    world.token_ids[role] = _token_id(person.id)
    return person


def _resolve(value, world: World):
    return value(world) if callable(value) else value


def _path(route: Route, world: World, role: str) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name in route.params:
            return str(_resolve(route.params[name], world))
        assert name in PARAMS, f"no filler for path argument <{name}> in route_permissions.PARAMS"
        return str(PARAMS[name](world, route, role))

    path = ARGUMENT.sub(fill, route.rule)
    return f"{path}?{route.query}" if route.query else path


def _row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _is_api(route: Route) -> bool:
    """API routes get a bearer token and JSON; Open311 is an API too (it never redirects)."""
    if route.rule.startswith("/open311/"):
        return True
    return route.rule.startswith("/api/v1/") and not route.rule.startswith(
        ("/api/v1/docs", "/api/v1/openapi")
    )


def _send(app, route: Route, world: World, role: str, person):
    path = _path(route, world, role)
    body = {k: _resolve(v, world) for k, v in (route.body or {}).items()} or None
    if _is_api(route):
        client = ApiClient(app.test_client(), person.token if person else None)
        before = _row_counts()
        call = getattr(client, route.method.lower())
        response = call(path) if route.method in ("GET", "DELETE") else call(path, json=body)
        return response, before
    web = WebClient(app.test_client())
    if person is not None:
        assert web.login(person.user.email).status_code == 302
    before = _row_counts()
    if route.method == "GET":
        return web.get(path), before
    return web.post(path, body), before


CELLS = [
    pytest.param(route, role, id=f"{route.method} {route.rule} as {role}")
    for route in ROUTES
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role"), CELLS)
def test_route_as_role(app, make, route: Route, role: str):
    world = _build_world(make, route)
    person = _person(make, world, role)
    response, before = _send(app, route, world, role, person)
    where = f"{route.method} {_path(route, world, role)} as {role}"
    if role in route.allowed:
        assert response.status_code == route.status, (
            f"{where}: expected {route.status}, got {response.status_code} "
            f"{response.get_data(as_text=True)[:300]}"
        )
        return
    if role == ANONYMOUS and not _is_api(route) and response.status_code != 401:
        # Pages send people to sign in; their JSON endpoints answer 401.
        assert response.status_code == 302, where
        assert "/login" in response.headers["Location"], where
    else:
        assert response.status_code in DENIED, (
            f"{where}: should be refused, got {response.status_code} "
            f"{response.get_data(as_text=True)[:300]}"
        )
    assert _row_counts() == before, f"{where}: a refused request changed the database"


def test_matrix_size():
    """The matrix has one cell per route and role (reported in the closing note)."""
    assert len(CELLS) == len(ROUTES) * len(ROLES)
    print(f"\nauthorization matrix: {len(ROUTES)} routes x {len(ROLES)} roles = {len(CELLS)} cells")
