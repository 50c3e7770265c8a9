"""Partner onboarding: an organisation registers itself with a first member, and partner
admins invite and remove the members of their own organisation.

Self-registration is open to anyone (it is how an organisation arrives); the organisation
starts pending verification and its first member is its partner admin. Everything else takes
the acting user first and checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from accounts.actor import Actor
from accounts.models import ApiToken, User
from accounts.outbox import queue_email
from accounts.passwords import check_password_policy
from accounts.roles import Role
from accounts.security_log import security_event
from accounts.services import INVITATION, _insert_user, issue_one_time_token
from accounts.web_sessions import revoke_user_sessions
from commonground.db_types import utcnow
from commonground.errors import ConflictError, PermissionDeniedError
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from commonground.transaction import unit_of_work
from partners.models import Partner
from partners.services import STAFF_EDITABLE, register_partner

# The registry's own use case is staff-only; self-registration acts through it as this actor,
# with the fields the registration form allows (the service forces status 'pending').
_SELF_REGISTRATION = Actor(user_id=None, role=Role.COORDINATOR, label="self-registration")

# What staff may set on a profile, but no service area or capabilities yet.
REGISTRATION_FIELDS = STAFF_EDITABLE - {
    "service_neighbourhoods",
    "service_area_geojson",
    "capabilities",
}


def register_organisation(
    organisation: dict[str, Any], member: dict[str, str], *, warnings: list[str] | None = None
) -> tuple[Partner, User]:
    """Register an organisation (pending verification) and its first member, a partner admin.

    `member` holds name, email and password. Only REGISTRATION_FIELDS of `organisation` are used.
    Both are stored in one unit of work: never an organisation without its first member.
    The base is placed as `partners.services.register_partner` places it (`warnings`: there).
    """
    email = member["email"].strip().lower()
    check_password_policy(member["password"], email=email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConflictError("A user with that email already exists.")
    data = {k: v for k, v in organisation.items() if k in REGISTRATION_FIELDS}
    with unit_of_work():
        partner = register_partner(_SELF_REGISTRATION, data, warnings=warnings)
        user = _insert_user(
            email=email,
            name=member["name"],
            role=Role.PARTNER.value,
            password=member["password"],
            partner_id=partner.id,
            is_partner_admin=True,
        )
    security_event("partner_registered", "pending", user_id=user.id, partner_id=partner.id)
    return partner, user


def _managed_partner(actor: Actor, partner_id: int) -> Partner:
    actor.require("partner.manage_members")
    partner = get_or_not_found(
        Partner,
        partner_id,
        f"No partner with id {partner_id}.",
        visible=lambda _: actor.role is Role.ADMIN or actor.is_member_of(partner_id),
    )
    if not actor.manages_members_of(partner_id):
        raise PermissionDeniedError("Only your organisation's partner admins manage members.")
    return partner


def list_members(actor: Actor, partner_id: int) -> list[dict[str, Any]]:
    """The organisation's members as plain data (partner admins of it, and admins)."""
    _managed_partner(actor, partner_id)
    users = db.session.scalars(
        select(User).where(User.partner_id == partner_id).order_by(User.name, User.id)
    )
    return [
        {
            "id": u.id,
            "name": u.name,
            "email": u.email,
            "is_partner_admin": u.is_partner_admin,
            "is_active": u.is_active,
            "invited": u.password_hash is None,
            "is_you": u.id == actor.user_id,
        }
        for u in users
    ]


def invite_member(
    actor: Actor,
    partner_id: int,
    *,
    email: str,
    name: str,
    link_for: Callable[[str], str],
    lifetime: timedelta,
    now: datetime | None = None,
) -> User:
    """Add a member (without a password) and mail them a single-use link to choose one."""
    now = now or utcnow()
    partner = _managed_partner(actor, partner_id)
    with unit_of_work():
        user = _insert_user(
            email=email,
            name=name,
            role=Role.PARTNER.value,
            password=None,
            partner_id=partner.id,
            is_partner_admin=False,
        )
        raw = issue_one_time_token(user, INVITATION, lifetime, now)
        queue_email(
            user.email,
            f"You are invited to {partner.name} on Common Ground",
            f"{actor.label} invited you to act for {partner.name} on Common Ground.\n\n"
            f"Choose your password here within {lifetime.days} days (the link works once):\n"
            f"{link_for(raw)}\n",
            now=now,
        )
    security_event(
        "member_invited", "success", user_id=actor.user_id, partner_id=partner.id, member=user.id
    )
    return user


def remove_member(
    actor: Actor, partner_id: int, member_id: int, *, now: datetime | None = None
) -> None:
    """Deactivate a member of the organisation: sessions and API tokens stop working at once."""
    now = now or utcnow()
    _managed_partner(actor, partner_id)
    member = get_or_not_found(
        User, member_id, "No such member.", visible=lambda user: user.partner_id == partner_id
    )
    if member.id == actor.user_id:
        raise ConflictError("You cannot remove yourself; ask another partner admin.")
    with unit_of_work():
        member.is_active = False
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == member.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        revoke_user_sessions(member.id, now=now)
    security_event(
        "member_removed", "success", user_id=actor.user_id, partner_id=partner_id, member=member.id
    )


REVIEW_STATUSES = ("pending", "active", "paused")


def pending_partners(
    actor: Actor, *, offset: int = 0, limit: int = 50
) -> tuple[int, list[dict[str, Any]]]:
    """Organisations for a coordinator to review, waiting ones first, then paused and active
    ones, newest first: how many in all, and one page of them as plain data, what they say
    they do (capabilities, tasks a week) and where (base address, radius, neighbourhoods). A
    page reads its own rows and their capabilities (a city of 5k partners took 11 s whole)."""
    actor.require("partner.set_status")
    reviewed = Partner.status.in_(REVIEW_STATUSES)
    total = db.session.scalar(select(func.count(Partner.id)).where(reviewed)) or 0
    rows = db.session.scalars(
        select(Partner)
        .where(reviewed)
        .options(selectinload(Partner.capabilities))
        .order_by(Partner.status.desc(), Partner.created_at.desc(), Partner.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, [
        {
            "id": p.id,
            "name": p.name,
            "sector": p.sector,
            "description": p.description,
            "website": p.website,
            "contact_name": p.contact_name,
            "contact_email": p.contact_email,
            "status": p.status,
            "created_at": p.created_at,
            "capabilities": [
                {"capability": c.capability_code, "tasks_per_week": c.tasks_per_week}
                for c in p.capabilities
            ],
            "base_address": p.base_address,
            "service_radius_km": p.service_radius_km,
            "service_neighbourhoods": list(p.service_neighbourhoods or []),
        }
        for p in rows
    ]
