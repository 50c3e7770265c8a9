"""Use cases for the partner registry. Each takes the acting user first and checks it, and
writes in one unit of work (`commonground.transaction`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from accounts.actor import Actor
from capabilities.services import require_known_capabilities
from commonground.db_types import utcnow
from commonground.errors import ConflictError, PermissionDeniedError
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from commonground.transaction import unit_of_work
from geo import places
from notifications import notices
from partners.models import Partner, PartnerCapability
from partners.status import next_status

CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
SERVICE_AREA_FIELDS = (
    "base_address",
    "base_latitude",
    "base_longitude",
    "service_radius_km",
    "service_neighbourhoods",
    "service_area_geojson",
)
# Fields a partner member may change on their own organisation's profile.
MEMBER_EDITABLE = frozenset(
    {
        "description",
        "website",
        *CONTACT_FIELDS,
        *SERVICE_AREA_FIELDS,
        "capabilities",
        "show_name_publicly",
    }
)
STAFF_EDITABLE = MEMBER_EDITABLE | {"name", "sector"}


def get_partner(actor: Actor, partner_id: int) -> Partner:
    """One partner the actor may see; another organisation's profile is 'not found' to members."""
    return get_or_not_found(
        Partner,
        partner_id,
        f"No partner with id {partner_id}.",
        visible=lambda _: actor.can("partner.read_all") or actor.is_member_of(partner_id),
    )


def list_partners(
    actor: Actor,
    *,
    status: str | None = None,
    sector: str | None = None,
    capability: str | None = None,
    neighbourhood: str | None = None,
    name: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Partner], int]:
    """Partners matching the filters (`name`: part of the name, any case), by name, and the
    total count. Members see only their own."""
    query = select(Partner)
    if not actor.can("partner.read_all"):
        if actor.partner_id is None:
            raise PermissionDeniedError("Your role may not list partners.")
        query = query.where(Partner.id == actor.partner_id)
    if status:
        query = query.where(Partner.status == status)
    if sector:
        query = query.where(Partner.sector == sector)
    if name and name.strip():
        words = name.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Partner.name).like(f"%{words}%", escape="\\"))
    if capability:
        query = query.where(
            Partner.capabilities.any(PartnerCapability.capability_code == capability)
        )
    query = query.order_by(Partner.name, Partner.id)
    if neighbourhood:
        # Neighbourhood lists are JSON, filtered here before paging (a city has few partners).
        matching = [
            p
            for p in db.session.scalars(query)
            if neighbourhood in (p.service_neighbourhoods or [])
        ]
        return matching[offset : offset + limit], len(matching)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return list(db.session.scalars(query.offset(offset).limit(limit))), total


def register_partner(
    actor: Actor, data: dict[str, Any], *, warnings: list[str] | None = None
) -> Partner:
    """Add an organisation to the registry, pending verification. Its base is its point, or
    its base address looked up now (`geo.places.locate`); a caller passing `warnings` has the
    point checked against the address and is told when they disagree."""
    actor.require("partner.create")
    _check_unique_name(data["name"])
    data = dict(data)
    _place_base(data, data.get("base_latitude"), data.get("base_longitude"), warnings)
    capabilities = data.pop("capabilities", [])
    with unit_of_work(_name_taken(data["name"])):
        partner = Partner(status="pending", **data)
        _set_capabilities(partner, capabilities)
        db.session.add(partner)
    return partner


def update_partner(
    actor: Actor, partner_id: int, data: dict[str, Any], *, warnings: list[str] | None = None
) -> Partner:
    """Change a profile: staff any partner, a member only their own and only profile fields.

    A changed base address moves the base to it (looked up now) unless the base point was
    moved too; a moved point is kept, with a warning in `warnings` (when a caller passes it)
    if it lies far from the address (`geo.places.locate`)."""
    partner = get_partner(actor, partner_id)
    if actor.can("partner.edit_any"):
        allowed = STAFF_EDITABLE
    elif actor.can("partner.edit_own") and actor.is_member_of(partner_id):
        allowed = MEMBER_EDITABLE
    else:
        raise PermissionDeniedError("You may not change this partner's profile.")
    refused = sorted(set(data) - allowed)
    if refused:
        raise PermissionDeniedError(f"You may not change: {', '.join(refused)}.")
    if "name" in data and data["name"] != partner.name:
        _check_unique_name(data["name"])
    data = dict(data)
    _relocate_base(partner, data, warnings)
    with unit_of_work(_name_taken(data.get("name", partner.name))):
        if "capabilities" in data:
            _set_capabilities(partner, data.pop("capabilities"))
        for key, value in data.items():
            setattr(partner, key, value)
    return partner


def change_partner_status(
    actor: Actor, partner_id: int, action: str, *, reason: str = "", now: datetime | None = None
) -> Partner:
    """verify / pause / resume / archive a partner (coordinators and admins).

    A registered organisation's members are told when it is verified, or when it is archived
    while still waiting for verification (not verified), with `reason`.
    """
    actor.require("partner.set_status")
    partner = get_partner(actor, partner_id)
    with unit_of_work():
        was = partner.status
        partner.status = next_status(partner.status, action)
        if was == "pending" and partner.status in ("active", "archived"):
            notices.tell_organisation_reviewed(
                partner.id,
                partner.name,
                verified=partner.status == "active",
                reason=reason,
                reviewed_at=now or utcnow(),
            )
    return partner


def _place_base(
    data: dict[str, Any],
    latitude: float | None,
    longitude: float | None,
    warnings: list[str] | None,
    address: str | None = None,
) -> None:
    """Set data's base point from the pin or the base address, through `geo.places`."""
    place = places.locate(
        address if address is not None else data.get("base_address"),
        latitude,
        longitude,
        field="base_address",
        check_pin=warnings is not None,
    )
    assert place is not None  # a base is required
    data["base_latitude"], data["base_longitude"] = place.latitude, place.longitude
    if place.warning and warnings is not None:
        warnings.append(place.warning)


def _moved(before: float | None, after: float | None) -> bool:
    return after is not None and (before is None or abs(after - before) > 1e-7)


def _relocate_base(partner: Partner, data: dict[str, Any], warnings: list[str] | None) -> None:
    """A changed base address moves the base point unless the point was moved by hand too."""
    address = (data.get("base_address") or "").strip()
    address_changed = "base_address" in data and address != (partner.base_address or "").strip()
    pin_moved = _moved(partner.base_latitude, data.get("base_latitude")) or _moved(
        partner.base_longitude, data.get("base_longitude")
    )
    if address_changed and address and not pin_moved:
        _place_base(data, None, None, warnings)
    elif pin_moved:
        _place_base(
            data,
            data.get("base_latitude", partner.base_latitude),
            data.get("base_longitude", partner.base_longitude),
            warnings,
            address=address if "base_address" in data else partner.base_address,
        )


def _check_unique_name(name: str) -> None:
    # SQLite's lower() folds ASCII only: compare the exact name too.
    taken = db.session.scalar(
        select(Partner.id).where(
            or_(func.lower(Partner.name) == name.lower(), Partner.name == name)
        )
    )
    if taken is not None:
        raise ConflictError(_name_taken(name))


def _name_taken(name: str) -> str:
    """The conflict when a name is taken, also meanwhile (or differing only in case)."""
    return f"A partner named '{name}' is already registered."


def _set_capabilities(partner: Partner, capabilities: list[dict[str, Any]]) -> None:
    codes = [c["capability"] for c in capabilities]
    require_known_capabilities(codes, "capabilities")
    if len(set(codes)) != len(codes):
        raise ConflictError("A capability is listed twice.")
    existing = {c.capability_code: c for c in partner.capabilities}
    keep = []
    for item in capabilities:
        row = existing.get(item["capability"]) or PartnerCapability(
            capability_code=item["capability"]
        )
        row.tasks_per_week = item.get("tasks_per_week", 1)
        row.volunteer_hours_per_week = item.get("volunteer_hours_per_week", 0.0)
        row.equipment = item.get("equipment", "")
        keep.append(row)
    partner.capabilities = keep


def present_partner(actor: Actor, partner: Partner) -> dict[str, Any]:
    """A partner as plain data for output; contacts hidden from those who may not see them."""
    show_contacts = actor.can("partner.read_contacts") or actor.is_member_of(partner.id)
    data = {
        column: getattr(partner, column)
        for column in (
            "id",
            "name",
            "sector",
            "description",
            "website",
            *SERVICE_AREA_FIELDS,
            "show_name_publicly",
            "status",
            "created_at",
            "updated_at",
        )
    }
    for column in CONTACT_FIELDS:
        data[column] = getattr(partner, column) if show_contacts else None
    data["contacts_redacted"] = not show_contacts
    data["capabilities"] = [
        {
            "capability": c.capability_code,
            "tasks_per_week": c.tasks_per_week,
            "volunteer_hours_per_week": c.volunteer_hours_per_week,
            "equipment": c.equipment,
        }
        for c in partner.capabilities
    ]
    return data
