"""The kinds of notification, who receives each, and whether it is on by default.

A pure table: must not import Flask, SQLAlchemy or any of our packages. docs/notifications.md
describes the same list for people; keep them together.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTNER = "partner"
COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Kind:
    """One kind of notification a person can switch on or off."""

    code: str
    audience: str  # PARTNER (members of an organisation) or COORDINATOR
    label: str  # as on the account page and the unsubscribe page
    default: bool


TASK_OFFERED = "task_offered"
CLAIM_WARNING = "claim_warning"
CLAIM_RELEASED = "claim_released"
COMPLETION_REVIEWED = "completion_reviewed"
ORGANISATION_REVIEWED = "organisation_reviewed"
TASKS_DIGEST = "tasks_digest"
COORDINATOR_DIGEST = "coordinator_digest"

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(TASK_OFFERED, PARTNER, "The city offers us a task", True),
        Kind(CLAIM_WARNING, PARTNER, "A claim of ours will soon be released as stale", True),
        Kind(CLAIM_RELEASED, PARTNER, "A claim of ours was released", True),
        Kind(COMPLETION_REVIEWED, PARTNER, "Our completed work was verified or reopened", True),
        Kind(ORGANISATION_REVIEWED, PARTNER, "Our organisation was verified (or not)", True),
        Kind(TASKS_DIGEST, PARTNER, "Weekly digest of new tasks near us", True),
        Kind(COORDINATOR_DIGEST, COORDINATOR, "Daily digest of what waits for coordinators", True),
    )
}


def kinds_for(audiences: set[str]) -> list[Kind]:
    """The kinds a person in these audiences may receive, in table order."""
    return [k for k in KINDS.values() if k.audience in audiences]
