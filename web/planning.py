"""The one place the pages reach the matching engine's planning services.

"Who can act here" suggestions, the engine's ranking of tasks near a partner, and city plans
come from the `planning` package when it is installed. Until then each function returns None
and the pages say plainly that suggestions appear when the matching engine is enabled; nothing
here invents suggestions.
"""

from __future__ import annotations

from typing import Any

from accounts.actor import Actor


def engine_enabled() -> bool:
    """Whether the matching engine's planning services are installed."""
    try:
        import planning.services  # noqa: F401
    except ImportError:
        return False
    return True


def suggestions_for_need(actor: Actor, need_id: int) -> list[dict[str, Any]] | None:
    """Partners the engine suggests for a need, with reasons; None without the engine."""
    actor.require("need.read")
    if not engine_enabled():
        return None
    return None  # wired by the integrator once planning.services lands


def plans_overview(actor: Actor) -> dict[str, Any] | None:
    """The latest city plan grouped by partner; None without the engine."""
    actor.require("plan.read")
    if not engine_enabled():
        return None
    return None
