"""Use cases for the capability taxonomy: list, look up, add or change entries (admins)."""

from __future__ import annotations

from sqlalchemy import select

from accounts.actor import Actor
from capabilities.models import Capability
from commonground.errors import ConflictError, ValidationError
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from commonground.transaction import unit_of_work


def list_capabilities(actor: Actor, *, include_inactive: bool = False) -> list[Capability]:
    """Every capability in the taxonomy, by label."""
    actor.require("capability.read")
    query = select(Capability).order_by(Capability.label)
    if not include_inactive:
        query = query.where(Capability.is_active.is_(True))
    return list(db.session.scalars(query))


def get_capability(actor: Actor, code: str) -> Capability:
    """One capability by code, or NotFoundError."""
    actor.require("capability.read")
    return get_or_not_found(Capability, code, f"No capability with code '{code}'.")


def capability_labels() -> dict[str, str]:
    """code -> label for every capability, for reasons and pages."""
    return {
        code: label for code, label in db.session.execute(select(Capability.code, Capability.label))
    }


def require_known_capabilities(
    codes: list[str], field: str = "capability"
) -> dict[str, Capability]:
    """The active capabilities of `codes`, by code (a caller needing one's defaults reads it
    here, not again); ValidationError naming any code that is not an active capability."""
    active = select(Capability).where(
        Capability.code.in_(set(codes)), Capability.is_active.is_(True)
    )
    known = {c.code: c for c in db.session.scalars(active)}
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ValidationError(
            "Unknown capability code.",
            {field: [f"Unknown capability code: {', '.join(unknown)}."]},
        )
    return known


def add_capability(actor: Actor, data: dict) -> Capability:
    """Add an entry to the taxonomy (admins)."""
    actor.require("capability.manage")
    taken = f"Capability '{data['code']}' already exists."
    if db.session.get(Capability, data["code"]) is not None:
        raise ConflictError(taken)
    with unit_of_work(taken):
        capability = Capability(**data)
        db.session.add(capability)
    return capability


def update_capability(actor: Actor, code: str, data: dict) -> Capability:
    """Change an entry's label, description, effort, staleness thresholds or activity."""
    actor.require("capability.manage")
    capability = get_capability(actor, code)
    with unit_of_work():
        for key, value in data.items():
            setattr(capability, key, value)
    return capability
