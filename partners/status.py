"""A partner's status lifecycle as a pure table.

pending (verification) -> active <-> paused; any -> archived. Must not import Flask or SQLAlchemy.
"""

from __future__ import annotations

from commonground.errors import ConflictError

STATUSES = ("pending", "active", "paused", "archived")

# action -> (allowed from-statuses, to-status)
STATUS_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "verify": (frozenset({"pending"}), "active"),
    "pause": (frozenset({"active"}), "paused"),
    "resume": (frozenset({"paused"}), "active"),
    "archive": (frozenset({"pending", "active", "paused"}), "archived"),
}


def next_status(current: str, action: str) -> str:
    """The status after `action`, or ConflictError naming the actions allowed from `current`."""
    allowed_from, target = STATUS_ACTIONS.get(action, (frozenset(), ""))
    if current in allowed_from:
        return target
    allowed = sorted(a for a, (sources, _) in STATUS_ACTIONS.items() if current in sources)
    raise ConflictError(
        f"A partner that is {current} cannot be '{action}'; "
        f"allowed: {', '.join(allowed) or 'none'}.",
        {"allowed": allowed},
    )
