"""A report's public status in plain words: where it stands now and each step so far, with
its photos. Plain data, and never personal data: no reporter name, email or phone, no staff
names, no partner's release reasons or notes; a partner is named only when it agreed to be
shown (`Partner.show_name_publicly`).

Photos and words: a resident's description and photos are public once the city accepted the
report (never while it waits, nor when it was closed unseen); a partner's after photos once
the work is reported done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from capabilities.models import Capability
from commonground.errors import NotFoundError
from commonground.extensions import db
from media.models import Photo
from media.services import get_photo, photos_of
from needs.lifecycle import UNACCEPTED_STATUSES
from needs.models import Need, NeedEvent
from partners.models import Partner
from reports.services import get_report

HEADLINES = {
    "reported": "Received: a city coordinator will look at it soon",
    "open": "Accepted: waiting for a partner to take it on",
    "claimed": "A partner is on it",
    "in_progress": "Work has started",
    "completed": "Done: the city will check the work",
    "verified": "Fixed: the city checked the work",
    "duplicate": "Merged into a report already being followed",
    "not_actionable": "Closed: the city cannot act on it",
    "cancelled": "Closed",
    "closed": "Closed",
}
CLOSINGS = ("dismiss", "cancel", "mark_duplicate", "mark_not_actionable", "close_at_source")
HIDDEN_UNTIL_ACCEPTED = UNACCEPTED_STATUSES


def _partner_label(partner: Partner | None) -> str:
    if partner is not None and partner.show_name_publicly:
        return partner.name
    return "A partner"


def _step(event: NeedEvent, partners: dict[int, Partner]) -> dict[str, Any] | None:
    """One event as a step a resident reads; None for the ones they need not see."""
    who = _partner_label(partners.get(event.partner_id)) if event.partner_id else "A partner"
    words = {
        "report": "Received",
        "post": "Posted by the city",
        "accept": "Accepted by the city",
        "claim": f"{who} took it on",
        "start": f"{who} started the work",
        "release": "The partner gave it back: it is open for others again",
        "complete": f"{who} reported the work done",
        "verify": "The city checked the work: fixed",
        "reopen": "The city found it not fixed yet: open again",
        "merge": "Merged into a report already being followed",
    }
    if event.action in words:
        text = words[event.action]
        detail = event.note if event.action == "reopen" else ""
    elif event.action in CLOSINGS:
        text, detail = "Closed", event.note
    else:
        return None
    return {"action": event.action, "text": text, "detail": detail, "at": event.at}


def _public_roles(status: str) -> list[str]:
    """Which photos of a report the public sees at this status: the resident's once accepted,
    the partner's after photos once the work is done."""
    roles: list[str] = []
    if status not in HIDDEN_UNTIL_ACCEPTED:
        roles.append("report")
    if status in ("completed", "verified"):
        roles.append("after")
    return roles


def _public_photos(need: Need, status: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {"report": [], "after": []}
    for photo in photos_of([need.id], _public_roles(status)):
        found[photo.role].append(photo.id)
    return found


def report_status(report_id: int) -> dict[str, Any]:
    """Everything the public status page shows of one report."""
    need = get_report(report_id)
    events = list(need.events)
    partner_ids = {e.partner_id for e in events if e.partner_id}
    partners = (
        {p.id: p for p in db.session.scalars(select(Partner).where(Partner.id.in_(partner_ids)))}
        if partner_ids
        else {}
    )
    capability = db.session.get(Capability, need.capability_code)
    headline = HEADLINES.get(need.status, need.status.replace("_", " "))
    holder = next((e.partner_id for e in reversed(events) if e.action == "claim"), None)
    if need.status in ("claimed", "in_progress", "completed", "verified") and holder:
        label = _partner_label(partners.get(holder))
        if label != "A partner" and need.status == "claimed":
            headline = f"{label} is on it"
    closing = next((e.note for e in reversed(events) if e.action in CLOSINGS), "")
    return {
        "id": need.id,
        "title": need.title,
        "kind": capability.label if capability else need.capability_code,
        "status": need.status,
        "headline": headline,
        "closing_reason": closing
        if need.status in ("not_actionable", "cancelled", "closed")
        else "",
        "merged_into": need.duplicate_of_id if need.status == "duplicate" else None,
        "from_resident": need.source in ("resident", "open311"),
        # A resident's words, like their photos, are public once the city accepted the report.
        "description": need.description
        if need.source in ("resident", "open311") and need.status not in HIDDEN_UNTIL_ACCEPTED
        else "",
        "address": need.address,
        "neighbourhood": need.neighbourhood,
        "latitude": need.latitude,
        "longitude": need.longitude,
        "media_url": need.media_url,
        "steps": [s for s in (_step(e, partners) for e in events) if s is not None],
        "photos": _public_photos(need, need.status),
        "reported_at": need.created_at,
    }


def public_photo(report_id: int, photo_id: int) -> Photo:
    """A photo the public may see: of this public report, of a role shown at its status now."""
    need = get_report(report_id)
    photo = get_photo(need.id, photo_id)
    if photo.role not in _public_roles(need.status):
        raise NotFoundError("No such photo.")
    return photo
