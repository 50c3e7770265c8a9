"""Test data built through the real services (no fixtures written to tables directly)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts.actor import SYSTEM, Actor
from accounts.models import User
from accounts.roles import Role
from accounts.services import actor_for, create_api_token, create_user
from needs.models import Need
from needs.services import claim_need, complete_need, post_need, start_need
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

    def partner_doing(
        self,
        capability: str,
        tasks_per_week: int,
        *,
        at: tuple[float, float] = DOWNTOWN,
        hours: float | None = None,
        **overrides: Any,
    ) -> Partner:
        """An active partner based `at` a point that does one capability `tasks_per_week` times
        a week (with `hours` volunteer hours a week when given)."""
        slot: dict[str, Any] = {"capability": capability, "tasks_per_week": tasks_per_week}
        if hours is not None:
            slot["volunteer_hours_per_week"] = hours
        return self.partner(
            base_latitude=at[0], base_longitude=at[1], capabilities=[slot], **overrides
        )

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

    def report(self, *, now: datetime | None = None, photos=None, **overrides: Any) -> Need:
        """A resident's report through the public path, awaiting triage (with an email to hear
        back unless `reporter_email=None`)."""
        from reports.services import RESIDENT, submit_report

        n = next(_counter)
        data = {
            "capability": "illegal_dumping",
            "description": f"A mattress and tyres dumped by the kerb ({n}).",
            "address": f"{n} Report Rd",
            "latitude": DOWNTOWN[0] + 0.002,
            "longitude": DOWNTOWN[1] + 0.002,
            "reporter_name": "Ren Resident",
            "reporter_email": f"resident{n}@home.example",
            "notify": True,
        }
        data.update(overrides)
        return submit_report(RESIDENT, data, photos or [], now=now).need

    def completed_need(
        self, member: Person, report: dict[str, Any] | None = None, **overrides: Any
    ) -> Need:
        """A need posted, then claimed, started and reported done (with `report`, by default
        one volunteer) by `member`."""
        need = self.need(**overrides)
        claim_need(member.actor, need.id)
        start_need(member.actor, need.id)
        complete_need(member.actor, need.id, report or {"volunteers": 1})
        return need


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
