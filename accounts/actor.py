"""The acting user, as plain data: what every service receives and checks.

Must not import Flask or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import Role, allows
from commonground.errors import PermissionDeniedError


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user's id, role and (for partner members) organisation."""

    user_id: int | None
    role: Role
    partner_id: int | None = None
    label: str = ""
    is_partner_admin: bool = False
    # A limited key (e.g. a resident app's Open311 key): only these permissions, whatever the
    # role behind it holds. None: the role's permissions.
    scope: frozenset[str] | None = None

    def can(self, permission: str) -> bool:
        """Whether this actor's role holds `permission` (and its key's scope, if limited)."""
        if self.scope is not None and permission not in self.scope:
            return False
        return allows(self.role, permission)

    def require(self, permission: str) -> None:
        """Raise PermissionDeniedError unless the actor's role holds `permission`."""
        if not self.can(permission):
            raise PermissionDeniedError(f"Your role ({self.role.value}) may not do this.")

    def is_member_of(self, partner_id: int | None) -> bool:
        """True when the actor is a member of the given partner organisation."""
        return (
            self.role is Role.PARTNER and partner_id is not None and self.partner_id == partner_id
        )

    def manages_members_of(self, partner_id: int | None) -> bool:
        """True for admins, and for a partner admin of the given organisation."""
        if self.role is Role.ADMIN:
            return True
        return self.is_partner_admin and self.is_member_of(partner_id)


SYSTEM = Actor(user_id=None, role=Role.ADMIN, label="system")
"""The actor for command-line jobs (seed, release-stale, imports run by an operator)."""
