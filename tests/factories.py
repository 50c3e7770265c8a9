"""Test data built through the real services (no fixtures written to tables directly)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_app_context

from accounts.actor import SYSTEM, Actor
from accounts.models import User
from accounts.roles import Role
from accounts.services import actor_for, create_api_token, create_user
from needs.models import Need
from needs.services import post_need
from partners.models import Partner
from partners.services import change_partner_status, register_partner

DOWNTOWN = (30.4515, -91.1871)
_counter = itertools.count(1)


@dataclass
class Person:
    """A user, the Actor they act as, and an API token for them."""

    user: User
    actor: Actor
    token: str

    @property
    def id(self) -> int:
        return self.user.id


class Factory:
    """Builders used by tests; each goes through the services, so validation applies."""

    def user(self, role: str, partner: Partner | None = None, **extra: Any) -> Person:
        n = next(_counter)
        user = create_user(
            SYSTEM,
            email=f"{role}{n}@test.example",
            name=f"{role.title()} {n}",
            role=role,
            password=PASSWORD,
            partner_id=partner.id if partner else None,
            **extra,
        )
        actor = actor_for(user)
        _, token = create_api_token(actor, name="test")
        return Person(user, actor, token)

    def partner(
        self, *, status: str = "active", capabilities: list[dict] | None = None, **overrides: Any
    ) -> Partner:
        n = next(_counter)
        data = {
            "name": f"Test Partner {n}",
            "sector": "nonprofit",
            "description": "A partner made by a test.",
            "contact_name": "Pat Contact",
            "contact_email": f"contact{n}@partner.example",
            "contact_phone": "225-555-0100",
            "base_latitude": DOWNTOWN[0],
            "base_longitude": DOWNTOWN[1],
            "service_radius_km": 5.0,
            "capabilities": capabilities
            if capabilities is not None
            else [
                {
                    "capability": "litter_cleanup",
                    "tasks_per_week": 3,
                    "volunteer_hours_per_week": 10.0,
                    "equipment": "bags",
                },
            ],
        }
        data.update(overrides)
        partner = register_partner(SYSTEM, data)
        if status != "pending":
            change_partner_status(SYSTEM, partner.id, "verify")
        if status == "paused":
            change_partner_status(SYSTEM, partner.id, "pause")
        if status == "archived":
            change_partner_status(SYSTEM, partner.id, "archive")
        return partner

    def need(self, *, now: datetime | None = None, **overrides: Any) -> Need:
        n = next(_counter)
        data = {
            "capability": "litter_cleanup",
            "title": f"Litter on lot {n}",
            "description": "Bags of litter.",
            "address": f"{n} North St",
            "latitude": DOWNTOWN[0] + 0.001,
            "longitude": DOWNTOWN[1] + 0.001,
            "priority": 3,
            "reporter_name": "Rita Resident",
            "reporter_phone": "225-555-0199",
        }
        data.update(overrides)
        coordinator = Actor(user_id=None, role=Role.COORDINATOR, label="test")
        return post_need(coordinator, data, now=now)


class ApiClient:
    """The Flask test client with a bearer token on every request."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs):
        return self.client.post(path, json=json, headers=self.headers, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs):
        return self.client.patch(path, json=json, headers=self.headers, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs):
        return self.client.put(path, json=json, headers=self.headers, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(path, headers=self.headers, **kwargs)


PASSWORD = "correct horse battery staple"
# A form's hidden CSRF input, whichever order its attributes come in.
_CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def fresh_request_globals() -> None:
    """Empty `flask.g` before a request made inside the test's application context.

    Requests in tests reuse the test's app context, so `g` would carry one browser's cached CSRF
    token (and one caller's actor, Flask-Login's user) into the next request; a server gives
    each request a new one.
    """
    if has_app_context():
        g.__dict__.clear()


class _FreshGlobalsClient:
    """Wraps a Flask test client so every request starts with an empty `flask.g`."""

    def __init__(self, client) -> None:
        self._client = client

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if name in {"get", "post", "put", "patch", "delete", "open", "head", "options"}:

            def request(*args, **kwargs):
                fresh_request_globals()
                return attribute(*args, **kwargs)

            return request
        return attribute


class WebClient:
    """The one browser-like test client: signs in through the login form and sends the CSRF
    token its pages carry (CSRF protection stays on in tests)."""

    def __init__(self, client) -> None:
        self.client = _FreshGlobalsClient(client)

    def csrf_token(self, page: str = "/login") -> str:
        """A valid CSRF token for this browser's session, read from a form on `page`."""
        return csrf_token(self.client.get(page).get_data(as_text=True))

    def login(self, email: str, password: str = PASSWORD, **kwargs):
        """Post the sign-in form (with a valid CSRF token)."""
        token = self.csrf_token("/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs
        )

    def sign_in(self, who: Person | str) -> WebClient:
        """Sign in as a person (or an email); fails the test if the form refuses."""
        email = who if isinstance(who, str) else who.user.email
        response = self.login(email)
        assert response.status_code == 302, f"sign-in failed: {response.status_code}"
        return self

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        """Post a form, with a valid CSRF token unless it has one or `csrf` is False."""
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf_token("/login")
        return self.client.post(path, data=data, **kwargs)

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def text(self, path: str, status: int = 200) -> str:
        """The page at `path` as text, asserting its status."""
        response = self.get(path)
        assert response.status_code == status, (path, response.status_code)
        return response.get_data(as_text=True)

    def session_cookie(self) -> str | None:
        """The current session cookie's value (to replay it later)."""
        cookie = self.client.get_cookie("cg_session")
        return cookie.value if cookie else None
