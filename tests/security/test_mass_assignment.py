"""Mass assignment: privileged fields sent in a body (role, partner_id, status, claimed_by...)
are refused with 422 by every API write endpoint that takes a body, and ignored where the
endpoint takes none; web forms ignore them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.models import ApiToken, User
from commonground.extensions import db
from needs.models import Claim, Need
from partners.models import Partner
from tests.factories import ApiClient
from tests.security.matrix_world import build_world, path_for, resolve
from tests.security.route_permissions import ROUTES

SMUGGLED = {
    "role": "admin",
    "partner_id": 999,
    "status": "verified",
    "claimed_by": 1,
    "claimed_by_id": 1,
    "is_partner_admin": True,
    "user_id": 1,
    "id": 424242,
}
API_WRITES = [
    r for r in ROUTES if r.rule.startswith("/api/v1/") and r.method in {"POST", "PATCH", "PUT"}
]
PREFERRED = ("partner_own", "coordinator", "admin")


def _acting_role(route) -> str:
    return next(role for role in PREFERRED if role in route.allowed)


def test_every_api_write_endpoint_is_checked(app):
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods & {"POST", "PATCH", "PUT"}
    }
    assert rules == {(r.method, r.rule) for r in API_WRITES}


@pytest.mark.parametrize("route", API_WRITES, ids=lambda r: f"{r.method} {r.rule}")
def test_privileged_fields_in_a_body_are_refused_or_ignored(app, make, route):
    world = build_world(make)
    role = _acting_role(route)
    person = world.people[role]
    body = {k: resolve(v, world) for k, v in (route.body or {}).items()}
    client = ApiClient(app.test_client(), person.token)
    call = client.patch if route.method == "PATCH" else client.post
    response = call(path_for(route, world, role), json={**body, **SMUGGLED})
    if route.body is not None:
        assert response.status_code == 422, response.get_data(as_text=True)
        # Every smuggled field is refused, except one the route legitimately takes as input.
        smuggled = set(SMUGGLED) - {"status"} - set(route.body)
        assert smuggled <= set(response.json["errors"])
        return
    # No input schema (claim, start): the body is ignored.
    assert response.status_code == route.status, response.get_data(as_text=True)
    db.session.expire_all()
    claims = db.session.scalars(select(Claim)).all()
    assert {c.partner_id for c in claims} == {world.partner_a}
    assert db.session.get(User, person.id).role == (
        "partner" if role.startswith("partner") else role
    )
    assert db.session.get(Partner, 999) is None
    assert db.session.scalar(select(Need.id).where(Need.status == "verified")) is None


def test_self_registration_ignores_role_status_and_admin_fields(browser):
    web = browser()
    response = web.post(
        "/register",
        {
            "name": "Sneaky Org",
            "sector": "business",
            "base_latitude": "30.45",
            "base_longitude": "-91.17",
            "service_radius_km": "3",
            "member_name": "Sneaky",
            "email": "sneaky@x.example",
            "password": "a long enough password",
            "confirm": "a long enough password",
            **{k: str(v) for k, v in SMUGGLED.items()},
        },
    )
    assert response.status_code == 302
    partner = db.session.scalar(select(Partner).where(Partner.name == "Sneaky Org"))
    user = db.session.scalar(select(User).where(User.email == "sneaky@x.example"))
    assert partner.status == "pending"
    assert partner.id != 424242
    assert (user.role, user.partner_id) == ("partner", partner.id)


def test_an_invitation_cannot_make_an_admin_or_join_another_organisation(make, browser):
    partner, other = make.partner(), make.partner()
    admin = make.user("partner", partner=partner, is_partner_admin=True)
    web = browser()
    web.login(admin.user.email)
    web.post(
        "/organisation/members",
        {"name": "New", "email": "new@x.example", **{**SMUGGLED, "partner_id": str(other.id)}},
    )
    user = db.session.scalar(select(User).where(User.email == "new@x.example"))
    assert (user.role, user.partner_id, user.is_partner_admin) == ("partner", partner.id, False)


def test_a_token_made_on_the_profile_page_belongs_to_its_maker(make, browser):
    maker, other = make.user("viewer"), make.user("admin")
    web = browser()
    web.login(maker.user.email)
    web.post("/account/tokens", {"name": "mine", "expires_in_days": "7", "user_id": other.id})
    owner = db.session.scalar(select(ApiToken.user_id).where(ApiToken.name == "mine"))
    assert owner == maker.id
