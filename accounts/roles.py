"""Roles and what each may do: a pure table, checked by services before they act.

Must not import Flask, SQLAlchemy or any feature package.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The kinds of user Common Ground knows."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    OUTREACH = "outreach"
    PARTNER = "partner"  # a member of one partner organisation
    VIEWER = "viewer"


STAFF = frozenset({Role.ADMIN, Role.COORDINATOR, Role.OUTREACH})
EVERYONE = frozenset(Role)

# permission -> roles that hold it. Partner-scoped permissions (the `own_` ones) are further
# limited by the service to the member's own organisation.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "capability.read": EVERYONE,
    "capability.manage": frozenset({Role.ADMIN}),
    "partner.read_all": frozenset({Role.ADMIN, Role.COORDINATOR, Role.OUTREACH, Role.VIEWER}),
    "partner.read_contacts": frozenset({Role.ADMIN, Role.COORDINATOR, Role.OUTREACH}),
    "partner.read_own": frozenset({Role.PARTNER}),
    "partner.create": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "partner.edit_any": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "partner.edit_own": frozenset({Role.PARTNER}),
    "partner.set_status": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "need.read": EVERYONE,
    "need.read_reporter": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "need.post": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "need.edit": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "need.claim": frozenset({Role.PARTNER}),
    "need.work": frozenset({Role.PARTNER}),  # start, complete, release own claims
    "need.review": frozenset({Role.ADMIN, Role.COORDINATOR}),  # verify, reopen
    "need.close": frozenset({Role.ADMIN, Role.COORDINATOR}),  # cancel, duplicate, ...
    "report.submit": EVERYONE,  # residents, through the public form or an Open311 app
    "report.triage": frozenset({Role.ADMIN, Role.COORDINATOR}),  # accept, merge, dismiss
    "claim.release_stale": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "plan.run": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "plan.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.OUTREACH}),
    "briefing.generate": frozenset({Role.ADMIN, Role.COORDINATOR, Role.OUTREACH}),
    "catalogue.read": EVERYONE,
    "catalogue.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "dashboard.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.OUTREACH, Role.VIEWER}),
    "import.run": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "partner.manage_members": frozenset({Role.ADMIN, Role.PARTNER}),  # partner admins only
    "user.manage": frozenset({Role.ADMIN}),
    "job.read_all": frozenset({Role.ADMIN, Role.COORDINATOR}),  # every job and routine run
}


def allows(role: Role | str, permission: str) -> bool:
    """Whether `role` holds `permission`; an unknown permission is held by no one."""
    return Role(role) in PERMISSIONS.get(permission, frozenset())
