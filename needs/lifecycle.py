"""A need's lifecycle as a transition table. Pure: must not import Flask or SQLAlchemy.

open -> claimed -> in_progress -> completed -> verified
claimed | in_progress -> open       (release, by the claiming partner, with a reason)
completed -> open                   (reopen: "closed, not fixed", by a coordinator, reason)
open -> cancelled | duplicate | not_actionable   (coordinator, with a reason)
open | claimed | in_progress -> closed            (closed at the source system, e.g. 311)

A resident's report starts before all that, awaiting triage by a coordinator:
reported -> open            (accept: it becomes a need like any other)
reported -> duplicate       (merge into an existing need: the reporter follows that one)
reported -> not_actionable  (dismiss, with a reason shown publicly)
Matching, planning, tasks and suggestions read open needs only, so they ignore `reported`.
"""

from __future__ import annotations

from dataclasses import dataclass

from commonground.errors import ConflictError

STATUSES = (
    "reported",
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
STATUS_WORDS: dict[str, str] = {
    "reported": "Reported, awaiting triage",
    "open": "Open",
    "claimed": "Claimed",
    "in_progress": "In progress",
    "completed": "Completed, awaiting verification",
    "verified": "Verified",
    "cancelled": "Cancelled",
    "duplicate": "Duplicate",
    "not_actionable": "Not actionable",
    "closed": "Closed at source",
}
"""The words people read for each status (pages, messages)."""
TRIAGE_STATUSES = frozenset({"reported"})
"""A resident's report not yet accepted, merged or dismissed by a coordinator."""
UNACCEPTED_STATUSES = frozenset({"reported", "not_actionable"})
"""A resident's report the city has not accepted: waiting for triage, or dismissed. Its words
and photos are the resident's, unscreened: only staff who triage reports read it (partners,
outreach and viewers do not; the public status page says where it stands without them)."""
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
    "accept": Transition(frozenset({"reported"}), "open", "report.triage"),
    "merge": Transition(frozenset({"reported"}), "duplicate", "report.triage"),
    "dismiss": Transition(frozenset({"reported"}), "not_actionable", "report.triage", True),
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


ACTION_WORDS: dict[str, str] = {
    "accept": "accept it",
    "merge": "merge it into another need",
    "dismiss": "close it as not actionable",
    "claim": "claim it",
    "start": "start the work",
    "complete": "report it done",
    "release": "release it",
    "verify": "verify the work",
    "reopen": "reopen it as not fixed",
    "cancel": "cancel it",
    "mark_duplicate": "mark it a duplicate",
    "mark_not_actionable": "close it as not actionable",
    "close_at_source": "close it as closed at the source",
}
"""What each action is called in a sentence ("you can't claim it now")."""


_ALLOWED: dict[str, tuple[str, ...]] = {
    status: tuple(sorted(name for name, t in TRANSITIONS.items() if status in t.sources))
    for status in STATUSES
}
"""Status -> its allowed actions, sorted: worked out once (every need presented asks)."""


def allowed_actions(status: str) -> list[str]:
    """The actions that may be taken on a need in `status`, sorted."""
    return list(_ALLOWED.get(status, ()))


def transition(status: str, action: str) -> Transition:
    """The transition for `action` from `status`, or ConflictError naming the allowed ones."""
    found = TRANSITIONS.get(action)
    if found is not None and status in found.sources:
        return found
    allowed = allowed_actions(status)
    raise ConflictError(
        not_now_message(status, action, allowed), {"allowed": allowed, "status": status}
    )


def not_now_message(status: str, action: str, allowed: list[str]) -> str:
    """A refusal in plain words: where the need stands, and what can be done instead.

    ("This need is claimed now, so you can't claim it. It may have changed a moment ago:
    what can be done now is start the work, release it or close it as closed at the source.")
    """
    where = STATUS_WORDS.get(status, status.replace("_", " ")).lower()
    doing = ACTION_WORDS.get(action, action.replace("_", " "))
    options = [ACTION_WORDS.get(a, a) for a in allowed]
    if not options:
        rest = "nothing more can be done with it."
    elif len(options) == 1:
        rest = f"what can be done now is {options[0]}."
    else:
        rest = f"what can be done now is {', '.join(options[:-1])} or {options[-1]}."
    return (
        f"This need is {where} now, so you can't {doing}. It may have changed a moment ago: {rest}"
    )
