"""Use cases for city needs: post, read, claim and move through the lifecycle.

Every use case takes the acting user first, checks its permission, and commits or rolls back as
one unit (`commonground.transaction.unit_of_work`). Status changes are conditional UPDATEs
(`... WHERE status IN (allowed)`) checked by row count, so two people acting at once can never
both win (docs/field-notes.md, trap 1); the partial unique index on active claims backs that up
and its violation is a conflict too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, bindparam, false, func, or_, select, update
from sqlalchemy.orm import joinedload

from accounts.actor import Actor
from capabilities.models import Capability
from capabilities.services import require_known_capabilities
from commonground.db_types import utcnow
from commonground.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from commonground.transaction import unit_of_work
from geo import places
from geo.services import nearest_neighbourhood
from media.images import CleanPhoto
from media.services import get_photo, store_photo, stored_files
from needs import notices as resident_notices
from needs.calendar import week_start
from needs.lifecycle import TRANSITIONS, UNACCEPTED_STATUSES, transition
from needs.models import Claim, Need, NeedEvent
from notifications import notices
from partners.models import Partner, PartnerCapability

CHANGED = "This need changed meanwhile; try again."
"""What a broken constraint means in a lifecycle step: someone else acted first."""

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "address",
        "latitude",
        "longitude",
        "neighbourhood",
        "parcel_id",
        "priority",
        "effort_hours",
        "due_date",
        "capability_code",
    }
)


# --- reading ---------------------------------------------------------------------------------


def get_need(actor: Actor, need_id: int) -> Need:
    """One need with its claims (read in the same query: whoever reads a need presents its
    claim or checks it before acting), or NotFoundError. A resident's report the city has not
    accepted is not found for those who do not triage reports (`UNACCEPTED_STATUSES`)."""
    actor.require("need.read")
    missing = f"No need with id {need_id}."
    need = get_or_not_found(Need, need_id, missing, options=(joinedload(Need.claims),))
    if need.status in UNACCEPTED_STATUSES and not actor.can("report.triage"):
        raise NotFoundError(missing)
    return need


def need_photo(actor: Actor, need_id: int, photo_id: int):
    """A photo of a need for staff and partners (anyone who may read needs), or NotFoundError."""
    get_need(actor, need_id)
    return get_photo(need_id, photo_id)


def need_history(actor: Actor, need_id: int) -> list[NeedEvent]:
    """Every event of a need, oldest first."""
    return list(get_need(actor, need_id).events)


def list_probable_duplicates(
    actor: Actor, *, first: int = 0, size: int = 100
) -> tuple[int, list[Need]]:
    """(how many, one page of) open needs linked to another as probable duplicates, awaiting a
    coordinator, by id."""
    actor.require("need.close")
    where = (Need.status == "open", Need.duplicate_of_id.is_not(None))
    total = db.session.scalar(select(func.count(Need.id)).where(*where)) or 0
    rows = db.session.scalars(
        select(Need).where(*where).order_by(Need.id).offset(first).limit(size)
    )
    return total, list(rows)


def active_claim(need: Need) -> Claim | None:
    """The need's active claim, if any."""
    return next((c for c in need.claims if c.status == "active"), None)


def current_claim(need: Need) -> Claim | None:
    """The claim that holds the need now: the active one, or the one whose work is reported."""
    if need.status in ("completed", "verified"):
        return _latest_done_claim(need)
    return active_claim(need)


# --- posting ---------------------------------------------------------------------------------


def post_need(
    actor: Actor,
    data: dict[str, Any],
    *,
    now: datetime | None = None,
    wait_for_geocoder: bool = True,
    warnings: list[str] | None = None,
) -> Need:
    """Post a new need (coordinators), placed by `geo.places.locate`: at its pin, or at its
    address looked up now. An address not found waits as 'location pending' for the geocoder
    job (`wait_for_geocoder`, the API's way), or is refused on the address field (the page's
    way, where the person can correct it at once). A caller passing `warnings` has the pin
    checked against the address and gets told when they disagree."""
    actor.require("need.post")
    now = now or utcnow()
    fields = dict(data)
    capability = fields.pop("capability", None) or fields.pop("capability_code")
    kind = require_known_capabilities([capability])[capability]  # its default effort too
    try:
        place = places.locate(
            fields.get("address"),
            fields.get("latitude"),
            fields.get("longitude"),
            check_pin=warnings is not None,
        )
    except places.AddressNotFoundError:
        if not wait_for_geocoder:
            raise
        place = None
    if place is None:
        fields["latitude"] = fields["longitude"] = None
        fields["location_status"] = "pending"
    else:
        fields["latitude"], fields["longitude"] = place.latitude, place.longitude
        if place.warning and warnings is not None:
            warnings.append(place.warning)
        if not fields.get("neighbourhood"):
            fields["neighbourhood"] = nearest_neighbourhood(place.latitude, place.longitude)
    if fields.get("effort_hours") is None:
        fields["effort_hours"] = kind.default_effort_hours
    fields.setdefault("opened_at", now)
    need = Need(
        capability_code=capability,
        posted_by_id=actor.user_id,
        status="open",
        created_at=now,
        updated_at=now,
        **fields,
    )
    with unit_of_work("A need with that source and external id already exists."):
        db.session.add(need)
        db.session.flush()
        record_event(need.id, actor, "post", None, "open", now=now, note=fields.get("title", ""))
    return need


def update_need(
    actor: Actor, need_id: int, data: dict[str, Any], *, now: datetime | None = None
) -> Need:
    """Correct a need's details (coordinators). Status changes go through the lifecycle."""
    actor.require("need.edit")
    need = get_need(actor, need_id)
    refused = sorted(set(data) - EDITABLE_FIELDS - {"capability"})
    if refused:
        raise ValidationError(
            "These fields cannot be changed here.", {name: ["Not editable."] for name in refused}
        )
    if "capability" in data:
        data["capability_code"] = data.pop("capability")
        require_known_capabilities([data["capability_code"]])
    with unit_of_work(CHANGED):
        for key, value in data.items():
            setattr(need, key, value)
        if need.latitude is not None and need.longitude is not None:
            need.location_status = "ok"
        need.updated_at = now or utcnow()
        record_event(
            need.id,
            actor,
            "edit",
            need.status,
            need.status,
            now=need.updated_at,
            note="Changed: " + ", ".join(sorted(data)),
        )
    return need


# --- the lifecycle ---------------------------------------------------------------------------


def claim_need(actor: Actor, need_id: int, *, now: datetime | None = None) -> Claim:
    """A partner member claims an open need for their organisation.

    Refused (409) when the partner is not active, lacks the capability, has no capacity left
    this week, or someone else claimed first.
    """
    now = now or utcnow()
    need, step = need_step(actor, need_id, "claim")
    partner = db.session.get(Partner, actor.partner_id)
    _check_can_take(partner, need, now)
    with unit_of_work("Someone else claimed this need first."):
        _move(need, "claim", step.sources, step.target, now)
        claim = Claim(
            need_id=need.id,
            partner_id=partner.id,
            capability_code=need.capability_code,
            claimed_by_id=actor.user_id,
            claimed_at=now,
            status="active",
        )
        db.session.add(claim)
        record_event(
            need.id,
            actor,
            "claim",
            "open",
            step.target,
            now=now,
            partner_id=partner.id,
            note=f"Claimed by {partner.name}",
        )
        resident_notices.report_changed(need, "claim", now=now, partner=partner)
    return claim


def start_need(actor: Actor, need_id: int, *, now: datetime | None = None) -> Need:
    """The claiming partner starts work."""
    now = now or utcnow()
    need, claim, step = _own_claim_step(actor, need_id, "start")
    with unit_of_work(CHANGED):
        _move(need, "start", step.sources, step.target, now)
        claim.started_at = now
        record_event(
            need.id, actor, "start", "claimed", step.target, now=now, partner_id=claim.partner_id
        )
    return need


def complete_need(
    actor: Actor,
    need_id: int,
    report: dict[str, Any],
    *,
    now: datetime | None = None,
    photos: Sequence[tuple[str, CleanPhoto]] = (),
) -> Need:
    """The claiming partner reports the work done: volunteers, hours, units, notes (at least
    one measure of the work: volunteers, hours or units), and photos before and after
    (`photos`: (role, cleaned photo) pairs, already checked)."""
    now = now or utcnow()
    need, claim, step = _own_claim_step(actor, need_id, "complete")
    _require_a_measure(report)
    unknown = sorted({role for role, _ in photos} - {"before", "after"})
    if unknown:
        raise ValidationError("Photos are before or after.", {"photos": ["Before or after."]})
    with stored_files() as stored, unit_of_work(CHANGED):
        for role, photo in photos:
            stored.append(store_photo(need.id, photo, role=role, claim_id=claim.id))
        _move(need, "complete", step.sources, step.target, now)
        claim.completed_at = now
        claim.status = "done"
        claim.volunteers = report.get("volunteers")
        claim.hours = report.get("hours")
        claim.units = report.get("units")
        claim.unit_kind = report.get("unit_kind")
        claim.report_notes = report.get("notes")
        record_event(
            need.id,
            actor,
            "complete",
            "in_progress",
            step.target,
            now=now,
            partner_id=claim.partner_id,
            note=report.get("notes") or "",
        )
        partner = db.session.get(Partner, claim.partner_id)
        resident_notices.report_changed(need, "complete", now=now, partner=partner)
    return need


def release_need(actor: Actor, need_id: int, reason: str, *, now: datetime | None = None) -> Need:
    """The claiming partner gives the need back, with a reason; it is open again."""
    now = now or utcnow()
    need, claim, step = _own_claim_step(actor, need_id, "release")
    if step.needs_reason:
        _require_reason(reason)
    with unit_of_work(CHANGED):
        _release(actor, need, claim, step, reason, now)
    return need


def verify_need(actor: Actor, need_id: int, note: str = "", *, now: datetime | None = None) -> Need:
    """A coordinator confirms a completion."""
    now = now or utcnow()
    need, step = need_step(actor, need_id, "verify")
    with unit_of_work(CHANGED):
        _move(need, "verify", step.sources, step.target, now)
        claim = _latest_done_claim(need)
        if claim is not None:
            claim.verified_at = now
        record_event(
            need.id,
            actor,
            "verify",
            "completed",
            step.target,
            now=now,
            note=note,
            partner_id=claim.partner_id if claim else None,
        )
        if claim is not None:
            notices.tell_completion_reviewed(
                claim.partner_id, need.id, need.title, verified=True, note=note, reviewed_at=now
            )
        resident_notices.report_changed(need, "verify", now=now)
    return need


def reopen_need(actor: Actor, need_id: int, reason: str, *, now: datetime | None = None) -> Need:
    """A coordinator rejects a completion ("closed, not fixed"); the need is open again."""
    now = now or utcnow()
    need, step = need_step(actor, need_id, "reopen")
    if step.needs_reason:
        _require_reason(reason)
    with unit_of_work(CHANGED):
        _move(need, "reopen", step.sources, step.target, now)
        claim = _latest_done_claim(need)
        if claim is not None:
            claim.status = "rejected"
        record_event(
            need.id,
            actor,
            "reopen",
            "completed",
            "open",
            now=now,
            note=reason,
            partner_id=claim.partner_id if claim else None,
        )
        if claim is not None:
            notices.tell_completion_reviewed(
                claim.partner_id, need.id, need.title, verified=False, note=reason, reviewed_at=now
            )
        resident_notices.report_changed(need, "reopen", now=now, reason=reason)
    return need


CLOSING_ACTIONS = ("cancel", "mark_duplicate", "mark_not_actionable", "close_at_source")


def close_need(
    actor: Actor,
    need_id: int,
    action: str,
    reason: str,
    *,
    now: datetime | None = None,
    duplicate_of: int | None = None,
) -> Need:
    """Close a need without work: cancel, duplicate, not actionable, or closed at its source."""
    if action not in CLOSING_ACTIONS:
        raise ValidationError(f"Unknown closing action '{action}'.")
    now = now or utcnow()
    need, step = need_step(actor, need_id, action)
    if step.needs_reason:
        _require_reason(reason)
    if duplicate_of is not None:
        if duplicate_of == need.id:
            raise ValidationError(
                "A need cannot duplicate itself.", {"duplicate_of": ["Choose another need."]}
            )
        get_need(actor, duplicate_of)
    with unit_of_work(CHANGED):
        if duplicate_of is not None:
            need.duplicate_of_id = duplicate_of
        from_status = need.status
        _move(need, action, step.sources, step.target, now)
        claim = active_claim(need)
        if claim is not None:
            _mark_released(claim, reason, now)
        record_event(need.id, actor, action, from_status, step.target, now=now, note=reason)
        resident_notices.report_changed(need, action, now=now, reason=reason)
    return need


def release_stale_claims(actor: Actor, *, now: datetime | None = None) -> list[int]:
    """Release claims not started in N days or not completed in M days (per capability).

    Returns the ids of the needs released. Time is passed in, so this is testable.
    """
    actor.require("claim.release_stale")
    now = now or utcnow()
    released = []
    with unit_of_work(CHANGED):
        for claim, reason in stale_claims(now):
            need = claim.need
            step = transition(need.status, "release")
            _release(actor, need, claim, step, reason, now, automatic=True)
            released.append(need.id)
    return released


def stale_limits(capability: Capability | None) -> tuple[int, int]:
    """(days to start, days to complete) after a claim before it is stale: the capability's
    own limits, else STALE_START_DAYS and STALE_COMPLETE_DAYS."""
    config = current_app.config
    start_days = (capability.stale_start_days if capability else None) or config["STALE_START_DAYS"]
    complete_days = (capability.stale_complete_days if capability else None) or config[
        "STALE_COMPLETE_DAYS"
    ]
    return start_days, complete_days


def stale_after(
    claimed_at: datetime, started_at: datetime | None, limits: tuple[int, int]
) -> tuple[datetime, str]:
    """When a claim becomes stale and may be released, and what must happen before then
    ("start" or "complete"): the one staleness rule — not started within the start limit,
    else not completed within the completion limit, both counted from the claim."""
    start_days, complete_days = limits
    if started_at is None and start_days <= complete_days:
        return claimed_at + timedelta(days=start_days), "start"
    return claimed_at + timedelta(days=complete_days), "complete"


def stale_claims(now: datetime, *, limit: int | None = None) -> list[tuple[Claim, str]]:
    """Active claims past their capability's start or completion limit, with the reason, by
    claim id (the first `limit` of them): selected in SQL (`stale_condition`), so only the
    stale claims are read, not every active one."""
    query = _active_claims().where(stale_condition(now))
    if limit is not None:
        query = query.limit(limit)
    return [(claim, reason) for claim, _, _, reason in _deadlines(query)]


def stale_reasons(now: datetime, *, where: Sequence[ColumnElement[bool]] = ()) -> dict[int, str]:
    """need id -> why its active claim is stale (`stale_claims`'s rule and reasons), for the
    needs meeting the SQL conditions `where` on `need` (every need without): only the ids,
    dates and limits are read, no claim or need rows (a briefing asks this of its area)."""
    query = _active_with_capability(
        Claim.need_id, Claim.claimed_at, Claim.started_at, Capability
    ).where(stale_condition(now))
    if where:
        query = query.join(Need, Need.id == Claim.need_id).where(*where)
    found = {}
    for need_id, claimed_at, started_at, capability in db.session.execute(query):
        limits = stale_limits(capability)
        _, waits_for = stale_after(claimed_at, started_at, limits)
        found[need_id] = _stale_reason(limits, waits_for)
    return found


def count_stale_claims(now: datetime) -> int:
    """How many active claims are past their limit (`stale_claims`, counted in SQL)."""
    return (
        db.session.scalar(_active_with_capability(func.count(Claim.id)).where(stale_condition(now)))
        or 0
    )


def stale_condition(now: datetime) -> ColumnElement[bool]:
    """`stale_after`'s rule as a SQL condition on `claim`, true when it is past its deadline at
    `now` (now > claimed_at + limit, i.e. claimed_at < now - limit): one clause per capability
    with that capability's limits, computed here, so no date arithmetic runs in the database
    (SQLite and PostgreSQL have none in common)."""
    clauses = []
    for capability in db.session.scalars(select(Capability)):
        start_days, complete_days = stale_limits(capability)
        past_complete = Claim.claimed_at < now - timedelta(days=complete_days)
        if start_days <= complete_days:
            rule = or_(
                and_(
                    Claim.started_at.is_(None),
                    Claim.claimed_at < now - timedelta(days=start_days),
                ),
                and_(Claim.started_at.is_not(None), past_complete),
            )
        else:
            rule = past_complete
        clauses.append(and_(Claim.capability_code == capability.code, rule))
    return or_(false(), *clauses)


def _active_with_capability(*columns):
    """`columns` of the active claims, each joined to its capability, whose limits
    (`stale_limits`) decide when it is stale: one join for every reader of staleness."""
    return (
        select(*columns)
        .join(Capability, Capability.code == Claim.capability_code)
        .where(Claim.status == "active")
    )


def _active_claims():
    return (
        _active_with_capability(Claim, Capability)
        .options(joinedload(Claim.need))  # every caller shows the need: one query, not one each
        .order_by(Claim.id)
    )


def release_deadlines() -> list[tuple[Claim, datetime, str, str]]:
    """Every active claim with when it becomes stale: (claim, deadline, what it waits for —
    "start" or "complete" —, the reason it will be released with). The one staleness rule is
    `stale_after`, with each capability's limits (`stale_limits`)."""
    return _deadlines(_active_claims())


def _deadlines(query) -> list[tuple[Claim, datetime, str, str]]:
    found = []
    for claim, capability in db.session.execute(query):
        limits = stale_limits(capability)
        deadline, waits_for = stale_after(claim.claimed_at, claim.started_at, limits)
        found.append((claim, deadline, waits_for, _stale_reason(limits, waits_for)))
    return found


def _stale_reason(limits: tuple[int, int], waits_for: str) -> str:
    """The reason a stale claim is released with, told to its partner."""
    if waits_for == "start":
        return f"Stale: not started within {limits[0]} days of the claim."
    return f"Stale: not completed within {limits[1]} days."


def release_claims(
    actor: Actor, need_ids: Sequence[int], reason: str, *, now: datetime | None = None
) -> list[int]:
    """A coordinator releases the claims on these needs (stale ones, usually), with a reason
    the partner is told: each need is open again, and its members are told why (a notice
    queued in the same unit of work). Needs no longer claimed are skipped; the ids released."""
    actor.require("claim.release_stale")
    _require_reason(reason)
    now = now or utcnow()
    released: list[int] = []
    with unit_of_work(CHANGED):
        for need_id in dict.fromkeys(need_ids):
            need = get_need(actor, need_id)
            claim = active_claim(need)
            if claim is None or need.status not in TRANSITIONS["release"].sources:
                continue
            _release(actor, need, claim, TRANSITIONS["release"], reason, now)
            released.append(need.id)
    return released


def release_claim(actor: Actor, need_id: int, reason: str, *, now: datetime | None = None) -> Need:
    """A coordinator releases one need's claim, with a reason the partner is told; a need that
    is not claimed is a conflict."""
    actor.require("claim.release_stale")
    need = get_need(actor, need_id)
    transition(need.status, "release")  # a ConflictError in plain words when not claimed
    release_claims(actor, [need_id], reason, now=now)
    return need


# --- capacity --------------------------------------------------------------------------------


def capacity_used(partner_id: int, capability: str, now: datetime) -> int:
    """Claims this partner made for this capability this week that still count (not released)."""
    since = week_start(now, current_app.config["CITY_TIMEZONE"])
    return (
        db.session.scalar(
            select(func.count(Claim.id)).where(
                Claim.partner_id == partner_id,
                Claim.capability_code == capability,
                Claim.claimed_at >= since,
                Claim.status != "released",
            )
        )
        or 0
    )


def _check_can_take(partner: Partner | None, need: Need, now: datetime) -> None:
    if partner is None:
        raise PermissionDeniedError("You are not a member of a partner organisation.")
    if partner.status != "active":
        raise ConflictError(f"{partner.name} is {partner.status}, not active: it cannot claim.")
    # The capacity row is locked until the claim commits, so counting this week's claims and
    # inserting one are serialised per partner and capability (docs/field-notes.md, trap 13).
    # PostgreSQL takes the row lock; SQLite's transactions already begin IMMEDIATE (one writer).
    slot = db.session.scalar(
        select(PartnerCapability)
        .where(
            PartnerCapability.partner_id == partner.id,
            PartnerCapability.capability_code == need.capability_code,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if slot is None:
        raise ConflictError(
            f"{partner.name} does not list the capability "
            f"'{need.capability_code}' this need requires."
        )
    used = capacity_used(partner.id, need.capability_code, now)
    if used >= slot.tasks_per_week:
        raise ConflictError(
            f"{partner.name} has no capacity left this week for '{need.capability_code}' "
            f"({used} of {slot.tasks_per_week} weekly tasks taken)."
        )


# --- internals -------------------------------------------------------------------------------


def need_step(actor: Actor, need_id: int, action: str):
    """The need and the lifecycle step `action` takes from its status, once the actor is allowed
    that step: a PermissionDeniedError when the actor may not take it at all (before the need
    is looked up: a report waiting for triage is not found by those who do not triage), a
    ConflictError in plain words when the need's status does not allow it."""
    known = TRANSITIONS.get(action)
    if known is not None:
        actor.require(known.permission)
    need = get_need(actor, need_id)
    step = transition(need.status, action)
    actor.require(step.permission)
    return need, step


def _own_claim_step(actor: Actor, need_id: int, action: str):
    need, step = need_step(actor, need_id, action)
    claim = active_claim(need)
    if claim is None or not actor.is_member_of(claim.partner_id):
        raise PermissionDeniedError("Only the partner holding the claim may do this.")
    return need, claim, step


def _mark_released(claim: Claim, reason: str, now: datetime) -> None:
    claim.status = "released"
    claim.released_at = now
    claim.release_reason = reason


def _release(
    actor: Actor,
    need: Need,
    claim: Claim,
    step,
    reason: str,
    now: datetime,
    *,
    automatic: bool = False,
) -> None:
    """Give a claimed need back: open again, the claim released, the event recorded, and the
    partner's other members told (all of them when the release is automatic)."""
    from_status = need.status
    _move(need, "release", step.sources, step.target, now)
    _mark_released(claim, reason, now)
    record_event(
        need.id,
        actor,
        "release",
        from_status,
        step.target,
        now=now,
        partner_id=claim.partner_id,
        note=reason,
    )
    notices.tell_claim_released(
        claim.partner_id,
        need.id,
        need.title,
        reason=reason,
        automatic=automatic,
        by_city=not automatic and not actor.is_member_of(claim.partner_id),
        released_at=now,
        exclude_user_id=actor.user_id,
    )


def _latest_done_claim(need: Need) -> Claim | None:
    return next((c for c in reversed(need.claims) if c.status == "done"), None)


WORK_MEASURES = ("volunteers", "hours", "units")
"""A completion report says how much was done by at least one of these."""


def _require_a_measure(report: dict[str, Any]) -> None:
    """Refuse a completion report that measures nothing (a report of no work is not done)."""
    if not any((report.get(name) or 0) > 0 for name in WORK_MEASURES):
        message = "Fill in at least one of volunteers, hours or units."
        raise ValidationError(
            "Say how much work was done: the number of volunteers, their hours, or the units "
            "(bags, tons…) — at least one.",
            {name: [message] for name in WORK_MEASURES},
        )


def _require_reason(reason: str | None) -> None:
    if not reason or not reason.strip():
        raise ValidationError("A reason is required.", {"reason": ["Say why."]})


def _move(need: Need, action: str, sources: frozenset[str], target: str, now: datetime) -> None:
    """Change status only if it is still one of `sources`: one winner under concurrency."""
    result = db.session.execute(
        update(Need)
        .where(Need.id == need.id, Need.status.in_(sorted(sources)))
        .values(status=target, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        # Read what won (a fresh read, not the session's copy); the unit of work rolls back.
        current = db.session.scalar(select(Need.status).where(Need.id == need.id))
        raise ConflictError(
            f"This need changed meanwhile (now {current or 'gone'}); '{action}' no longer applies.",
            {"status": current},
        )
    need.status = target


def record_event(
    need_id: int,
    actor: Actor,
    action: str,
    from_status: str | None,
    to_status: str,
    *,
    now: datetime,
    note: str = "",
    partner_id: int | None = None,
) -> None:
    """Add one event to a need's history (committed with the caller's unit of work)."""
    row = need_event_row(
        need_id, actor, action, from_status, to_status, now=now, note=note, partner_id=partner_id
    )
    db.session.add(NeedEvent(**row))


# --- many needs at once (imports) ------------------------------------------------------------

BULK_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class Closing:
    """One need for `close_needs`: its status when the caller read it, and why it closes."""

    need_id: int
    from_status: str
    reason: str


@dataclass
class ClosedNeeds:
    """What `close_needs` did with each need it was given (ids in the order given)."""

    closed: list[int] = field(default_factory=list)
    not_applicable: list[int] = field(default_factory=list)  # the action does not apply: left
    changed: list[int] = field(default_factory=list)  # its status changed meanwhile: left


def need_event_row(
    need_id: int,
    actor: Actor,
    action: str,
    from_status: str | None,
    to_status: str,
    *,
    now: datetime,
    note: str = "",
    partner_id: int | None = None,
) -> dict[str, Any]:
    """One event of a need's history as column values, for bulk inserts (`record_event` adds
    one through the session)."""
    return {
        "need_id": need_id,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "partner_id": partner_id,
        "note": note or "",
        "at": now,
    }


def close_needs(
    actor: Actor, action: str, closings: Sequence[Closing], *, now: datetime
) -> ClosedNeeds:
    """Close many needs without work at once (e.g. `close_at_source` for an import's rows).

    The bulk form of `close_need`, in the caller's unit of work: it never commits, so a whole
    import stays one transaction. A need whose status the action does not apply to (finished
    here: completed, verified, cancelled...) is left alone; so is one whose status changed since
    the caller read it - one conditional `UPDATE ... WHERE status IN (...)` per chunk, its
    `RETURNING` saying which moved, so a concurrent change still has one winner. The closed
    needs' active claims are released with the need's reason, and each gets one event.
    """
    if action not in CLOSING_ACTIONS:
        raise ValidationError(f"Unknown closing action '{action}'.")
    result = ClosedNeeds()
    wanted: dict[int, Closing] = {}
    step = None
    for closing in closings:
        try:
            step = transition(closing.from_status, action)
        except ConflictError:
            result.not_applicable.append(closing.need_id)
            continue
        wanted[closing.need_id] = closing
    if step is None or not wanted:
        return result
    actor.require(step.permission)
    if step.needs_reason:
        for closing in wanted.values():
            _require_reason(closing.reason)
    need = Need.__table__
    ids = list(wanted)
    moved: set[int] = set()
    for start in range(0, len(ids), BULK_CHUNK):
        moved.update(
            db.session.execute(
                update(need)
                .where(need.c.id.in_(ids[start : start + BULK_CHUNK]))
                .where(need.c.status.in_(sorted(step.sources)))
                .values(status=step.target, updated_at=now)
                .returning(need.c.id)
            ).scalars()
        )
    for need_id in ids:
        (result.closed if need_id in moved else result.changed).append(need_id)
    if result.closed:
        reasons = {need_id: wanted[need_id].reason for need_id in result.closed}
        _release_claims_of(reasons, now)
        events = [
            need_event_row(nid, actor, action, wanted[nid].from_status, step.target, now=now,
                           note=wanted[nid].reason)
            for nid in result.closed
        ]  # fmt: skip
        db.session.connection().execute(NeedEvent.__table__.insert(), events)
        _tell_residents(action, reasons, now)
    return result


def _tell_residents(action: str, reasons: dict[int, str], now: datetime) -> None:
    """Queue the residents' emails for needs closed in bulk (need id -> reason), as `close_need`
    does for one: only the needs someone follows are read."""
    heard = resident_notices.followed(list(reasons), BULK_CHUNK)
    if not heard:
        return
    for need in db.session.scalars(select(Need).where(Need.id.in_(sorted(heard)))):
        resident_notices.report_changed(need, action, now=now, reason=reasons[need.id])


def _release_claims_of(reasons: dict[int, str], now: datetime) -> None:
    """Release the active claims of these needs (need id -> reason), in bulk: the bulk form of
    `_mark_released`, in the caller's unit of work."""
    claim = Claim.__table__
    need_ids = list(reasons)
    active: list[tuple[int, int]] = []
    for start in range(0, len(need_ids), BULK_CHUNK):
        rows = db.session.execute(
            select(claim.c.id, claim.c.need_id).where(
                claim.c.need_id.in_(need_ids[start : start + BULK_CHUNK]),
                claim.c.status == "active",
            )
        )
        active.extend((claim_id, need_id) for claim_id, need_id in rows)
    if not active:
        return
    db.session.connection().execute(
        update(claim)
        .where(claim.c.id == bindparam("claim_id"), claim.c.status == "active")
        .values(status="released", released_at=now, release_reason=bindparam("reason")),
        [{"claim_id": claim_id, "reason": reasons[need_id]} for claim_id, need_id in active],
    )
