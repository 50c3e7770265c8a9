"""A need's lifecycle as a transition table. Pure: must not import Flask or SQLAlchemy.

open -> claimed -> in_progress -> completed -> verified
claimed | in_progress -> open       (release, by the claiming partner, with a reason)
completed -> open                   (reopen: "closed, not fixed", by a coordinator, reason)
open -> cancelled | duplicate | not_actionable   (coordinator, with a reason)
open | claimed | in_progress -> closed            (closed at the source system, e.g. 311)
"""

from __future__ import annotations

from dataclasses import dataclass

from commonground.errors import ConflictError

STATUSES = (
    "open",
    "claimed",
    "in_progress",
    "completed",
    "verified",
    "cancelled",
    "duplicate",
    "not_actionable",
    "closed",
)
ACTIVE_CLAIM_STATUSES = frozenset({"claimed", "in_progress"})
TERMINAL_STATUSES = frozenset({"verified", "cancelled", "duplicate", "not_actionable", "closed"})


@dataclass(frozen=True)
class Transition:
    """One allowed move: from which statuses, to which, needing which permission."""

    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    "claim": Transition(frozenset({"open"}), "claimed", "need.claim"),
    "start": Transition(frozenset({"claimed"}), "in_progress", "need.work"),
    "complete": Transition(frozenset({"in_progress"}), "completed", "need.work"),
    "release": Transition(frozenset({"claimed", "in_progress"}), "open", "need.work", True),
    "verify": Transition(frozenset({"completed"}), "verified", "need.review"),
    "reopen": Transition(frozenset({"completed"}), "open", "need.review", True),
    "cancel": Transition(frozenset({"open"}), "cancelled", "need.close", True),
    "mark_duplicate": Transition(frozenset({"open"}), "duplicate", "need.close", True),
    "mark_not_actionable": Transition(frozenset({"open"}), "not_actionable", "need.close", True),
    "close_at_source": Transition(
        frozenset({"open", "claimed", "in_progress"}), "closed", "need.edit", True
    ),
}


def allowed_actions(status: str) -> list[str]:
    """The actions that may be taken on a need in `status`, sorted."""
    return sorted(name for name, t in TRANSITIONS.items() if status in t.sources)


def transition(status: str, action: str) -> Transition:
    """The transition for `action` from `status`, or ConflictError naming the allowed ones."""
    found = TRANSITIONS.get(action)
    if found is not None and status in found.sources:
        return found
    allowed = allowed_actions(status)
    raise ConflictError(
        f"A need that is {status} cannot be '{action}'. Allowed now: "
        f"{', '.join(allowed) or 'none'}.",
        {"allowed": allowed, "status": status},
    )
