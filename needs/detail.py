"""One need in full for its page: details, every claim, the history timeline. Plain data only."""

from __future__ import annotations

from typing import Any

from accounts.actor import Actor
from capabilities.models import Capability
from commonground.extensions import db
from media.services import photos_of
from needs.presenters import present_claim, present_event, present_need
from needs.services import active_claim, get_need, stale_after, stale_limits
from partners.queries import partner_names


def need_detail(actor: Actor, need_id: int) -> dict[str, Any]:
    """The need (redacted for the actor), its capability's label, claims and history, and for a
    claimed need when the claim turns stale (`stale_on`) unless it is started or completed
    (`stale_unless`)."""
    need = get_need(actor, need_id)
    partner_ids = {c.partner_id for c in need.claims} | {
        e.partner_id for e in need.events if e.partner_id
    }
    names = partner_names(partner_ids)
    data = present_need(actor, need, partner_names=names)
    capability = db.session.get(Capability, need.capability_code)
    data["capability_label"] = capability.label if capability else need.capability_code
    data["claims"] = [
        {**present_claim(c), "partner_name": names.get(c.partner_id, "")} for c in need.claims
    ]
    data["events"] = [
        {**present_event(e), "partner_name": names.get(e.partner_id, "")} for e in need.events
    ]
    data["photos"] = [{"id": p.id, "role": p.role} for p in photos_of([need.id])]
    held = active_claim(need)
    data["stale_on"], data["stale_unless"] = (
        stale_after(held.claimed_at, held.started_at, stale_limits(capability))
        if held is not None
        else (None, None)
    )
    holder = data["claim"]["partner_id"] if data["claim"] else None
    data["held_by_actor"] = actor.is_member_of(holder) and need.status in ("claimed", "in_progress")
    return data
