"""Open311 GeoReport v2 use cases over Common Ground's data, returning the spec's shapes.

Services are our active capabilities (service_code = capability code); service requests are
our needs (service_request_id = need id, as a string). A need is "open" while it is open,
claimed or in progress and "closed" otherwise; `status_notes` tells the partner's progress
(claimed by, started, completed and awaiting verification, verified) or why it was closed.

Reading is public, as the spec intends (no reporter contact ever leaves); posting goes through
`needs.services.post_need` with the actor behind the `api_key`.

Imports SQLAlchemy and the needs/capabilities services; must not import web code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from accounts.actor import Actor
from accounts.roles import Role
from capabilities.models import Capability
from commonground.db_types import utcnow
from commonground.errors import ValidationError
from commonground.extensions import db
from commonground.transaction import unit_of_work
from geo.geocoding import CachedGeocoder, configured_geocoder
from geo.services import city_bounds, within
from needs.models import Claim, Need, NeedEvent
from needs.services import post_need
from open311.errors import Open311Error
from partners.queries import partner_names
from reports.services import submit_report

__all__ = [
    "PUBLIC",
    "RequestFilters",
    "create_request",
    "discovery",
    "get_request",
    "list_requests",
    "list_services",
    "request_for_token",
    "service_definition",
]

PUBLIC = Actor(user_id=None, role=Role.VIEWER, label="Open311 (public)")
OPEN_STATUSES = frozenset({"reported", "open", "claimed", "in_progress"})
DEFAULT_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_ID = 2**31 - 1
TOKEN_PREFIX = "cg-"  # noqa: S105 - a public prefix for request tokens, not a secret
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def list_services(actor: Actor = PUBLIC) -> list[dict[str, Any]]:
    """The service list: one service per active capability."""
    actor.require("capability.read")
    rows = db.session.scalars(
        select(Capability).where(Capability.is_active.is_(True)).order_by(Capability.label)
    )
    return [
        {
            "service_code": c.code,
            "service_name": c.label,
            "description": c.description,
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(c.code.split("_")),
            "group": "Common Ground",
        }
        for c in rows
    ]


def service_definition(code: str, actor: Actor = PUBLIC) -> dict[str, Any]:
    """A service definition; ours ask no extra attributes."""
    actor.require("capability.read")
    capability = db.session.get(Capability, code)
    if capability is None or not capability.is_active:
        raise Open311Error.not_found(f"service_code {code!r} not found")
    return {"service_code": capability.code, "attributes": []}


def discovery(base_url: str) -> dict[str, Any]:
    """The discovery document for this endpoint."""
    changeset = "2026-11-21T00:00:00Z"
    return {
        "changeset": changeset,
        "contact": current_app.config.get("OPEN311_CONTACT", "The city's Common Ground team"),
        "key_service": current_app.config.get(
            "OPEN311_KEY_SERVICE", "API keys are Common Ground API tokens of city coordinators"
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


@dataclass(frozen=True)
class RequestFilters:
    """GET requests parameters, parsed."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = MAX_REQUESTS


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _claims_and_partners(need_ids: list[int]) -> tuple[dict[int, Claim], dict[int, str]]:
    claims: dict[int, Claim] = {}
    if need_ids:
        for claim in db.session.scalars(
            select(Claim).where(Claim.need_id.in_(need_ids)).order_by(Claim.id)
        ):
            if claim.status in ("active", "done"):
                claims[claim.need_id] = claim
    partner_ids = {c.partner_id for c in claims.values()}
    return claims, partner_names(partner_ids)


def _closing_notes(needs: list[Need]) -> dict[int, str]:
    ids = [n.id for n in needs if n.status not in OPEN_STATUSES | {"completed", "verified"}]
    notes: dict[int, str] = {}
    if ids:
        for need_id, note in db.session.execute(
            select(NeedEvent.need_id, NeedEvent.note)
            .where(NeedEvent.need_id.in_(ids))
            .order_by(NeedEvent.id)
        ):
            notes[need_id] = note  # the last event wins
    return notes


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "an unknown date"


def _status_notes(need: Need, claim: Claim | None, partner: str | None, closing: str) -> str:
    who = partner or "a partner"
    if need.status == "reported":
        return "Received; awaiting review by the city"
    if need.status == "open":
        if need.duplicate_of_id:
            return f"Open; probably the same as request {need.duplicate_of_id}"
        return "Open; waiting for a partner"
    if need.status == "claimed" and claim:
        return f"Claimed by {who} on {_day(claim.claimed_at)}"
    if need.status == "in_progress" and claim:
        return f"{who} started work on {_day(claim.started_at)}"
    if need.status == "completed" and claim:
        return f"Completed by {who} on {_day(claim.completed_at)}; awaiting city verification"
    if need.status == "verified" and claim:
        return f"Completed by {who}; verified by the city on {_day(claim.verified_at)}"
    label = need.status.replace("_", " ")
    return f"Closed ({label}): {closing}" if closing else f"Closed ({label})"


def _expected(need: Need) -> str | None:
    if need.due_date is None:
        return None
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    return datetime.combine(need.due_date, time(23, 59, 59), zone).isoformat()


def _present(needs: list[Need]) -> list[dict[str, Any]]:
    labels = {
        code: label for code, label in db.session.execute(select(Capability.code, Capability.label))
    }
    claims, partner_names = _claims_and_partners([n.id for n in needs])
    closing = _closing_notes(needs)
    result = []
    for need in needs:
        claim = claims.get(need.id)
        partner = partner_names.get(claim.partner_id) if claim else None
        result.append(
            {
                "service_request_id": str(need.id),
                "status": "open" if need.status in OPEN_STATUSES else "closed",
                "status_notes": _status_notes(need, claim, partner, closing.get(need.id, "")),
                "service_name": labels.get(need.capability_code, need.capability_code),
                "service_code": need.capability_code,
                "description": need.description or need.title,
                "agency_responsible": partner or "",
                "service_notice": "",
                "requested_datetime": _iso(need.opened_at),
                "updated_datetime": _iso(need.updated_at),
                "expected_datetime": _expected(need),
                "address": need.address or "",
                "address_id": "",
                "zipcode": need.zip_code or "",
                "lat": need.latitude,
                "long": need.longitude,
                "media_url": need.media_url or "",
            }
        )
    return result


def list_requests(filters: RequestFilters, actor: Actor = PUBLIC) -> list[dict[str, Any]]:
    """Service requests matching the filters; by default the last 90 days, at most 1000.

    Paging (our extension; the spec's defaults are kept): `page` (from 1) of `page_size`
    (1-1000) requests, newest first. A page shorter than `page_size` is the last. Requests
    opened while a peer pages only push older ones onto later pages: seen twice, never lost.
    """
    actor.require("need.read")
    query = select(Need).where(Need.status != "reported")  # accepted reports only
    if filters.ids:
        query = query.where(Need.id.in_(filters.ids))  # the spec: other filters are ignored
    else:
        end = filters.end or (filters.start + DEFAULT_SPAN if filters.start else utcnow())
        start = filters.start or end - DEFAULT_SPAN
        query = query.where(Need.opened_at >= start, Need.opened_at <= end)
        if filters.service_codes:
            query = query.where(Need.capability_code.in_(filters.service_codes))
        if filters.statuses:
            wanted = set()
            if "open" in filters.statuses:
                wanted |= OPEN_STATUSES
            if "closed" in filters.statuses:
                wanted |= {"completed", "verified", "cancelled", "duplicate", "not_actionable",
                           "closed"}  # fmt: skip
            query = query.where(Need.status.in_(sorted(wanted)))
    size = max(1, min(filters.page_size, MAX_REQUESTS))
    query = (
        query.order_by(Need.opened_at.desc(), Need.id.desc())
        .offset((max(filters.page, 1) - 1) * size)
        .limit(size)
    )
    return _present(list(db.session.scalars(query)))


def get_request(request_id: str, actor: Actor = PUBLIC) -> list[dict[str, Any]]:
    """One service request, as the spec's one-item list."""
    actor.require("need.read")
    need_id = _need_id(request_id)
    need = db.session.get(Need, need_id) if need_id else None
    if need is None:
        raise Open311Error.not_found(f"service_request_id {request_id!r} not found")
    return _present([need])


def _need_id(text: str) -> int | None:
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def request_for_token(token: str, actor: Actor = PUBLIC) -> list[dict[str, Any]]:
    """The service request a token stands for."""
    actor.require("need.read")
    need_id = _need_id(token[len(TOKEN_PREFIX) :]) if token.startswith(TOKEN_PREFIX) else None
    if need_id is None or db.session.get(Need, need_id) is None:
        raise Open311Error.not_found(f"token {token!r} not found")
    return [{"service_request_id": str(need_id), "token": token}]


def _title(description: str, label: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    title = first_line[:80].strip()
    return title if len(title) >= 3 else f"{label} (Open311 report)"


def _answer(need: Need) -> list[dict[str, Any]]:
    return [
        {
            "service_request_id": str(need.id),
            "token": f"{TOKEN_PREFIX}{need.id}",
            "service_notice": "",
            "account_id": None,
        }
    ]


def create_request(actor: Actor, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Post a request; answer with its id (and token).

    A resident app's key (scope "report") goes the web form's way: a report awaiting triage,
    in the city's bounds, its `media_url` kept (never fetched). A coordinator's key posts an
    accepted need directly (the city's own systems)."""
    if actor.scope is not None:
        return _create_report(actor, data)
    actor.require("need.post")
    capability = db.session.get(Capability, data["service_code"])
    if capability is None or not capability.is_active:
        raise Open311Error.not_found(f"service_code {data['service_code']!r} not found")
    latitude, longitude = data.get("lat"), data.get("long")
    address = data.get("address_string") or None
    bounds = city_bounds(current_app.config.get("CITY_BOUNDS"))
    if latitude is not None and bounds is not None and not within(bounds, latitude, longitude):
        raise Open311Error.bad_request(
            f"lat/long ({latitude}, {longitude}) is outside the city "
            f"(south, west, north, east = {', '.join(f'{b:.4f}' for b in bounds)})"
        )
    if latitude is None and address:
        result = CachedGeocoder(configured_geocoder()).lookup(address)
        if result.found:
            latitude, longitude = result.latitude, result.longitude
    name = " ".join(filter(None, (data.get("first_name"), data.get("last_name")))) or None
    description = data.get("description") or ""
    with unit_of_work():  # the need and its media link are stored together, or not at all
        need = post_need(
            actor,
            {
                "capability": capability.code,
                "title": _title(description, capability.label),
                "description": description,
                "address": address,
                "latitude": latitude,
                "longitude": longitude,
                "source": "open311",
                "reporter_name": name,
                "reporter_email": data.get("email"),
                "reporter_phone": data.get("phone"),
            },
        )
        if data.get("media_url"):
            # Kept and shown as a link; never fetched by us (a peer's URL may point anywhere).
            need.media_url = data["media_url"][:500]
    return _answer(need)


def _create_report(actor: Actor, data: dict[str, Any]) -> list[dict[str, Any]]:
    """A resident app's request, through `reports.services.submit_report`."""
    actor.require("report.submit")
    capability = db.session.get(Capability, data["service_code"])
    if capability is None or not capability.is_active or not capability.is_public:
        raise Open311Error.not_found(f"service_code {data['service_code']!r} not found")
    name = " ".join(filter(None, (data.get("first_name"), data.get("last_name")))) or None
    report = {
        "capability": capability.code,
        "description": data.get("description") or capability.label,
        "address": data.get("address_string") or None,
        "latitude": data.get("lat"),
        "longitude": data.get("long"),
        "reporter_name": name,
        "reporter_email": data.get("email"),
        "notify": bool(data.get("email")),  # the app asked its user before sending an email
        "media_url": data.get("media_url"),
    }
    try:
        submitted = submit_report(actor, report, source="open311")
    except ValidationError as exc:
        raise Open311Error.bad_request(exc.message) from exc
    return _answer(submitted.need)


def parse_ids(values: Iterable[str]) -> tuple[int, ...]:
    """Comma-separated service_request_ids; anything not an id is a 400."""
    ids = []
    for value in values:
        need_id = _need_id(value.strip())
        if need_id is None:
            raise Open311Error.bad_request(f"service_request_id {value!r} is not a valid id")
        ids.append(need_id)
    return tuple(ids)
