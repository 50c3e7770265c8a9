"""Who wants which notifications: a person's choices per kind, the defaults otherwise.

The account page reads and sets them for the signed-in person; the unsubscribe page switches
one kind off for the person a signed link names (no sign-in).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from accounts.actor import Actor
from accounts.models import User
from accounts.roles import Role
from commonground.db_types import utcnow
from commonground.errors import PermissionDeniedError, ValidationError
from commonground.extensions import db
from commonground.transaction import unit_of_work
from notifications.kinds import COORDINATOR, KINDS, PARTNER, Kind, kinds_for
from notifications.models import NotificationPreference

COORDINATOR_ROLES = frozenset({Role.ADMIN.value, Role.COORDINATOR.value})
"""Roles that receive the coordinators' digest."""


def audiences_of(role: str, partner_id: int | None) -> set[str]:
    """The audiences a person belongs to: partner members, coordinators."""
    found = set()
    if partner_id is not None and role == Role.PARTNER.value:
        found.add(PARTNER)
    if role in COORDINATOR_ROLES:
        found.add(COORDINATOR)
    return found


def enabled_among(user_ids: Iterable[int], kind: str) -> set[int]:
    """Those of `user_ids` who receive `kind` (their choice, else the kind's default)."""
    ids = set(user_ids)
    if not ids:
        return set()
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.enabled).where(
                NotificationPreference.kind == kind, NotificationPreference.user_id.in_(ids)
            )
        ).all()
    )
    default = KINDS[kind].default
    return {uid for uid in ids if chosen.get(uid, default)}


def preferences_for(actor: Actor) -> list[dict[str, Any]]:
    """The kinds the acting person may receive, each with its label, default and their choice."""
    if actor.user_id is None:
        raise PermissionDeniedError("Only a signed-in person has notification preferences.")
    kinds = kinds_for(audiences_of(actor.role.value, actor.partner_id))
    on = {k.code for k in kinds if actor.user_id in enabled_among([actor.user_id], k.code)}
    return [
        {"code": k.code, "label": k.label, "default": k.default, "enabled": k.code in on}
        for k in kinds
    ]


def set_preferences(actor: Actor, enabled: Iterable[str]) -> list[dict[str, Any]]:
    """Switch on exactly the `enabled` kinds among those the acting person may receive."""
    if actor.user_id is None:
        raise PermissionDeniedError("Only a signed-in person has notification preferences.")
    wanted = set(enabled)
    kinds = kinds_for(audiences_of(actor.role.value, actor.partner_id))
    unknown = wanted - {k.code for k in kinds}
    if unknown:
        raise ValidationError(
            "Unknown notification kind.",
            {"notifications": [f"Unknown: {', '.join(sorted(unknown))}."]},
        )
    with unit_of_work():
        for kind in kinds:
            _choose(actor.user_id, kind, kind.code in wanted)
    return preferences_for(actor)


def unsubscribe(user_id: int, kind: str) -> bool:
    """Switch `kind` off for a person (the signed unsubscribe link is the authority); False when
    the person no longer exists."""
    if kind not in KINDS or db.session.get(User, user_id) is None:
        return False
    with unit_of_work():
        _choose(user_id, KINDS[kind], False)
    return True


def _choose(user_id: int, kind: Kind, enabled: bool) -> None:
    row = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind.code
        )
    )
    if row is None:
        db.session.add(
            NotificationPreference(
                user_id=user_id, kind=kind.code, enabled=enabled, updated_at=utcnow()
            )
        )
    elif row.enabled != enabled:
        row.enabled = enabled
        row.updated_at = utcnow()
