"""Triage of residents' reports: a coordinator accepts one (it becomes an open need), merges it
into an existing need (the reporter then follows that one), or dismisses it as not actionable
with a reason shown publicly. The moves are in the lifecycle table (`needs.lifecycle`); each
use case takes the acting user, checks the permission and commits as one unit, with the
reporter's email (`needs.notices`) in the same unit.
"""

from __future__ import annotations

from datetime import datetime

from accounts.actor import Actor
from commonground.db_types import utcnow
from commonground.errors import ValidationError
from commonground.transaction import unit_of_work
from needs import notices
from needs.models import Need
from needs.services import CHANGED, _move, _require_reason, get_need, need_step, record_event

MERGE_TARGETS = frozenset({"open", "claimed", "in_progress", "completed", "verified"})
"""A report is merged into an accepted need someone follows (fixed already counts): not
another waiting report, a duplicate or a need closed without work."""


def accept_report(
    actor: Actor, need_id: int, note: str = "", *, now: datetime | None = None
) -> Need:
    """Accept a resident's report: it becomes an open need that matching and partners see."""
    now = now or utcnow()
    need, step = need_step(actor, need_id, "accept")
    with unit_of_work(CHANGED):
        _move(need, "accept", step.sources, step.target, now)
        need.opened_at = now
        record_event(need.id, actor, "accept", "reported", step.target, now=now, note=note)
        notices.report_changed(need, "accept", now=now)
    return need


def merge_report(
    actor: Actor, need_id: int, into: int, note: str = "", *, now: datetime | None = None
) -> Need:
    """Merge a report into an existing need: it closes as a duplicate pointing there, and its
    reporter hears about that need from now on."""
    now = now or utcnow()
    need, step = need_step(actor, need_id, "merge")
    if into == need.id:
        raise ValidationError(
            "A report cannot be merged into itself.", {"into": ["Choose another need."]}
        )
    target = get_need(actor, into)
    if target.status not in MERGE_TARGETS:
        raise ValidationError(
            f"Need #{into} is {target.status.replace('_', ' ')}: "
            "merge into an accepted need instead.",
            {"into": ["Choose an accepted need."]},
        )
    with unit_of_work(CHANGED):
        _move(need, "merge", step.sources, step.target, now)
        need.duplicate_of_id = target.id
        record_event(
            need.id, actor, "merge", "reported", step.target, now=now,
            note=note or f"Merged into #{target.id}",
        )  # fmt: skip
        notices.report_changed(need, "merge", now=now, target=target)
    return need


def dismiss_report(actor: Actor, need_id: int, reason: str, *, now: datetime | None = None) -> Need:
    """Close a report as not actionable; the reason is shown on its public status page."""
    now = now or utcnow()
    need, step = need_step(actor, need_id, "dismiss")
    _require_reason(reason)
    with unit_of_work(CHANGED):
        _move(need, "dismiss", step.sources, step.target, now)
        record_event(need.id, actor, "dismiss", "reported", step.target, now=now, note=reason)
        notices.report_changed(need, "dismiss", now=now, reason=reason)
    return need
