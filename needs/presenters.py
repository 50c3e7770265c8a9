"""Needs as plain data for output (API, pages, exports), redacted for the actor's role.

Templates and schemas never receive ORM objects; resident contact details are shown only to
roles that hold `need.read_reporter`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from accounts.actor import Actor
from geo.distance import haversine_km
from needs.lifecycle import allowed_actions
from needs.models import Claim, Need, NeedEvent
from needs.services import current_claim

NEED_FIELDS = (
    "id",
    "title",
    "description",
    "address",
    "latitude",
    "longitude",
    "location_status",
    "neighbourhood",
    "parcel_id",
    "zip_code",
    "media_url",
    "priority",
    "effort_hours",
    "source",
    "external_id",
    "due_date",
    "status",
    "duplicate_of_id",
    "opened_at",
    "created_at",
    "updated_at",
)
REPORTER_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")
CLAIM_FIELDS = (
    "id",
    "need_id",
    "partner_id",
    "status",
    "claimed_at",
    "started_at",
    "completed_at",
    "verified_at",
    "released_at",
    "release_reason",
    "volunteers",
    "hours",
    "units",
    "unit_kind",
    "report_notes",
)
EVENT_FIELDS = ("id", "need_id", "action", "from_status", "to_status", "actor_id")


def present_claim(claim: Claim) -> dict[str, Any]:
    """A claim and its report as plain data."""
    return {name: getattr(claim, name) for name in CLAIM_FIELDS}


def present_need(
    actor: Actor,
    need: Need | SimpleNamespace,
    *,
    near: tuple[float, float] | None = None,
    partner_names: dict[int, str] | None = None,
) -> dict[str, Any]:
    """A need as plain data: reporter contacts only for those allowed, claim summary, actions.

    `need` is a `Need` or a row of a list page (`needs.queries.page`: its columns and claims
    as attributes)."""
    data = {name: getattr(need, name) for name in NEED_FIELDS}
    data["capability"] = need.capability_code
    show_reporter = actor.can("need.read_reporter")
    for name in REPORTER_FIELDS:
        data[name] = getattr(need, name) if show_reporter else None
    claim = current_claim(need)
    data["claim"] = present_claim(claim) if claim else None
    if claim and partner_names is not None:
        data["claim"]["partner_name"] = partner_names.get(claim.partner_id)
    data["allowed_actions"] = allowed_actions(need.status)
    if near is not None and need.latitude is not None:
        data["distance_km"] = round(
            haversine_km(near[0], near[1], need.latitude, need.longitude), 3
        )
    return data


def present_event(event: NeedEvent) -> dict[str, Any]:
    """One history event as plain data."""
    data = {name: getattr(event, name) for name in EVENT_FIELDS}
    data.update(actor=event.actor_label, partner_id=event.partner_id, note=event.note, at=event.at)
    return data
