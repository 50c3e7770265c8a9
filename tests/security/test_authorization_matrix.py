"""The authorization matrix: every route of the app x every role, anonymous included.

Expectations live in tests/security/route_permissions.py (one row per method and rule). A
route without a row fails `test_every_route_has_an_expectation_row`, naming it. Allowed roles
get the row's status; everyone else is refused (the API: 401/403/404; pages: 403, 404 for a
hidden record, and anonymous people are sent to sign in) and the database keeps exactly the rows
it had. A plain member of partner A opens the GET pages A's admin opens, admin pages aside.

The world (tests/security/matrix_world.py) is built once for the module inside a transaction
that is rolled back at the end, and every person signs in through the login form once, in it.
Routes that open a briefing add one in a SAVEPOINT of their own, and every cell runs in a
SAVEPOINT of its own that is rolled back after it, services' commits included
(tests/transactions.py): each cell starts from the same world, which every cell checks by its
row counts and `test_a_cell_leaves_nothing_behind_for_the_next` by content. Rebuilding the world
and signing in for every cell cost about 50 ms a cell on SQLite and 130 ms on PostgreSQL; a cell
now costs about 10 ms and 20-30 ms (2 shared cores).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from capabilities.models import Capability
from commonground.extensions import db, limiter
from tests.browser import Browser
from tests.conftest import add_starting_taxonomy, empty_all_tables
from tests.factories import ApiClient, Factory
from tests.security.matrix_world import (
    PLAIN_MEMBER,
    World,
    add_briefing,
    build_world,
    path_for,
    resolve,
    row_counts,
    wants_briefing,
)
from tests.security.route_permissions import ANONYMOUS, ROLES, ROUTES, Route
from tests.transactions import outer_transaction, rolled_back

DENIED = {401, 403, 404}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


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


@dataclass(frozen=True)
class SignedIn:
    """A browser session of the world: its cookie (None: no session yet) and a CSRF token."""

    cookie: str | None
    csrf_token: str


class Matrix:
    """The module's world, and a rolled-back cell to send one request in."""

    def __init__(self, app, connection: Connection, world: World) -> None:
        self.app = app
        self.connection = connection
        self.world = world
        self.sessions = self._sign_in_once()
        with app.app_context():
            self.rows = row_counts()
        self._briefing = None  # the SAVEPOINT holding the briefing, while routes need one

    def _sign_in_once(self) -> dict[str, SignedIn]:
        """Each person signs in through the form once, in the world: their web session row is
        part of it, so a cell that signs out (or changes the password) is rolled back too."""
        sessions = {}
        with self.app.app_context():
            for role in (ANONYMOUS, *self.world.people):
                limiter.reset()  # eight sign-ins from one address in a second
                web = Browser(self.app.test_client())
                if role != ANONYMOUS:
                    assert web.login(self.world.people[role].email).status_code == 302
                token = web.csrf_token()  # anonymous: this opens the session holding the token
                sessions[role] = SignedIn(web.session_cookie(), token)
            limiter.reset()
            db.session.remove()
        return sessions

    def _prepare(self, route: Route) -> None:
        """Add the briefing for the routes that open one; take it away for the others."""
        if wants_briefing(route) == (self._briefing is not None):
            return
        if self._briefing is None:
            self._briefing = self.connection.begin_nested()
            with self.app.app_context():
                add_briefing(self.world)
                self.rows = row_counts()
                db.session.remove()
        else:
            self._briefing.rollback()
            self._briefing, self.world.briefing_id = None, 0
            with self.app.app_context():
                self.rows = row_counts()

    @contextmanager
    def cell(self, route: Route) -> Iterator[World]:
        """One request's worth of changes, rolled back afterwards; checks nothing leaked."""
        self._prepare(route)
        with rolled_back(self.app, self.connection):
            limiter.reset()
            yield self.world
        with self.app.app_context():
            assert row_counts() == self.rows, "a cell's changes outlived it"


@pytest.fixture(scope="module")
def matrix(app) -> Iterator[Matrix]:
    """The world, built once and rolled back when the module is done."""
    with app.app_context():
        empty_all_tables()
        db.session.remove()
        with outer_transaction() as connection:
            add_starting_taxonomy()
            world = build_world(Factory())
            db.session.remove()
            yield Matrix(app, connection, world)


def _is_api(route: Route) -> bool:
    """API routes get a bearer token and JSON; Open311 is an API too (it never redirects)."""
    if route.rule.startswith("/open311/"):
        return True
    return route.rule.startswith("/api/v1/") and not route.rule.startswith(
        ("/api/v1/docs", "/api/v1/openapi")
    )


def _send(matrix: Matrix, route: Route, role: str):
    """The row's request as `role`, and the row counts just before it."""
    app, world = matrix.app, matrix.world
    person = world.people.get(role)
    path = path_for(route, world, role)
    body = {k: resolve(v, world) for k, v in (route.body or {}).items()} or None
    if _is_api(route):
        client = ApiClient(app.test_client(), person.token if person else None)
        before = row_counts()
        call = getattr(client, route.method.lower())
        response = call(path) if route.method in ("GET", "DELETE") else call(path, json=body)
        return _finished(response), before
    web, session = Browser(app.test_client()), matrix.sessions[role]
    if session.cookie is not None:
        web.client.set_cookie("cg_session", session.cookie)  # signed in (see _sign_in_once)
    before = row_counts()
    if route.method == "GET":
        return _finished(web.get(path)), before
    return _finished(web.post(path, {**(body or {}), "csrf_token": session.csrf_token})), before


def _finished(response):
    """Read and close a response inside its cell.

    A streamed download (stream_with_context) keeps its request context and its query open
    until it is read or closed; left to the garbage collector, that would happen inside a later
    cell, after this cell's SAVEPOINT is gone.
    """
    response.get_data()
    response.close()
    return response


CELLS = [
    pytest.param(route, role, id=f"{route.method} {route.rule} as {role}")
    for route in ROUTES
    for role in ROLES
]


def _refusals(route: Route, role: str) -> set[int]:
    """What a refused role may get: the API any of 401/403/404; pages one status."""
    if _is_api(route):
        return DENIED
    if role == ANONYMOUS:
        return {route.anonymous}  # 302 to sign in, or 401 from a page's JSON endpoint
    member = "partner_own" if role == PLAIN_MEMBER else role  # hidden from A's members alike
    return {404} if member in route.hidden_from else {403}


def _check(route: Route, role: str, allowed: bool, response, before, where: str) -> None:
    """Allowed: the row's status. Refused: a refusal, and the database as it was."""
    got = f"got {response.status_code} {response.get_data()[:300]!r}"
    if allowed:
        assert response.status_code == route.status, f"{where}: expected {route.status}, {got}"
        return
    refusals = _refusals(route, role)
    assert response.status_code in refusals, f"{where}: should be refused {refusals}, {got}"
    if response.status_code == 302:
        assert "/login" in response.headers["Location"], f"{where}: sent elsewhere than sign-in"
    assert row_counts() == before, f"{where}: a refused request changed the database"


@pytest.mark.parametrize(("route", "role"), CELLS)
def test_route_as_role(app, matrix: Matrix, route: Route, role: str):
    with matrix.cell(route) as world:
        response, before = _send(matrix, route, role)
        where = f"{route.method} {path_for(route, world, role)} as {role}"
        _check(route, role, role in route.allowed, response, before, where)


GET_PAGES = [r for r in ROUTES if r.method == "GET" and not _is_api(r)]


@pytest.mark.parametrize("route", GET_PAGES, ids=lambda route: f"GET {route.rule}")
def test_get_page_as_a_plain_member_of_a(app, matrix: Matrix, route: Route):
    """A member of A who is not a partner admin opens what A's admin opens, admin pages aside."""
    with matrix.cell(route) as world:
        response, before = _send(matrix, route, PLAIN_MEMBER)
        where = f"GET {path_for(route, world, PLAIN_MEMBER)} as a plain member of A"
        allowed = "partner_own" in route.allowed and not route.admins_only
        _check(route, PLAIN_MEMBER, allowed, response, before, where)


def test_matrix_size():
    """The matrix has one cell per route and role (reported in the closing note)."""
    assert len(CELLS) == len(ROUTES) * len(ROLES)
    print(f"\nauthorization matrix: {len(ROUTES)} routes x {len(ROLES)} roles = {len(CELLS)} cells")


def _row(method: str, rule: str) -> Route:
    return next(r for r in ROUTES if (r.method, r.rule) == (method, rule))


def test_a_cell_leaves_nothing_behind_for_the_next(app, matrix: Matrix):
    """A cell whose services commit (a DELETE, a PATCH, signing out everywhere) is undone
    before the next cell."""
    entry = "/api/v1/catalogue/<id:entry_id>"
    capability = "/api/v1/capabilities/<string:code>"
    everywhere, account = _row("POST", "/account/logout-everywhere"), _row("GET", "/account")
    commits = []

    def committed(session) -> None:
        commits.append(session)

    event.listen(Session, "after_commit", committed)
    try:
        with matrix.cell(_row("DELETE", entry)):
            assert _send(matrix, _row("DELETE", entry), "coordinator")[0].status_code == 204
            assert _send(matrix, _row("GET", entry), "coordinator")[0].status_code == 404
            assert row_counts() != matrix.rows, "the row counts see the deletion"
        with matrix.cell(_row("PATCH", capability)):
            assert _send(matrix, _row("PATCH", capability), "admin")[0].status_code == 200
            assert db.session.get(Capability, "litter_cleanup").label == "Litter pick-up"
        with matrix.cell(everywhere):
            assert _send(matrix, everywhere, "coordinator")[0].status_code == 302
            assert _send(matrix, account, "coordinator")[0].status_code == 302, "signed out"
    finally:
        event.remove(Session, "after_commit", committed)
    assert commits, "the services committed inside the cells"
    with matrix.cell(_row("GET", entry)):
        response = _send(matrix, _row("GET", entry), "coordinator")[0]
        assert response.status_code == 200, "the deleted entry is back"
        assert db.session.get(Capability, "litter_cleanup").label != "Litter pick-up", (
            "the patched label is back"
        )
    with matrix.cell(account):
        assert _send(matrix, account, "coordinator")[0].status_code == 200, "signed in again"
