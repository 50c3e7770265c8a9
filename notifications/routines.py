"""The clock-driven notices: claim release warnings, the partners' weekly digest of new tasks
near them, and the coordinators' daily digest. `send_scheduled_notices` runs all three; the job
queue calls it on a schedule (daily is enough), and `flask send-notices` runs it by hand.

Each notice is sent at most once per person, kind and period (a `SentNotice` row, unique on the
three, written in the same unit of work as the queued email): a second run the same day sends
nothing. Periods: the claim and its deadline for a warning, the ISO week in the city's zone for
the partners' digest, the city's date for the coordinators' digest.

Reads the feature packages (needs, planning, partners); they never import this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from accounts.actor import SYSTEM
from accounts.models import User
from accounts.services import actor_for
from commonground.citytime import city_day
from commonground.db_types import utcnow
from commonground.errors import ConflictError
from commonground.extensions import db
from commonground.links import public_url
from commonground.transaction import unit_of_work
from needs.attention import awaiting_verification
from needs.models import Need
from needs.queries import count_reports_awaiting_triage
from needs.services import count_stale_claims, release_deadlines
from notifications import kinds
from notifications.models import SentNotice
from notifications.notices import on_day, partner_members, queue_notice, when
from notifications.preferences import COORDINATOR_ROLES, enabled_among
from partners.models import Partner
from planning.services import tasks_near

DIGEST_TASK_LIMIT = 20
"""The most tasks one weekly digest lists."""


def send_scheduled_notices(now: datetime | None = None) -> dict[str, int]:
    """Queue every clock-driven notice due at `now`; how many of each kind were queued."""
    now = now or utcnow()
    return {
        kinds.CLAIM_WARNING: send_claim_warnings(now),
        kinds.TASKS_DIGEST: send_tasks_digests(now),
        kinds.COORDINATOR_DIGEST: send_coordinator_digests(now),
    }


def _send_once(
    user: User, kind: str, period: str, template: str, subject: str, context: dict[str, Any],
    now: datetime,
) -> bool:  # fmt: skip
    """Queue one notice unless this person already had this kind for this period."""
    already = db.session.scalar(
        select(SentNotice.id).where(
            SentNotice.user_id == user.id, SentNotice.kind == kind, SentNotice.period == period
        )
    )
    if already is not None:
        return False
    try:
        with unit_of_work():
            db.session.add(SentNotice(user_id=user.id, kind=kind, period=period, sent_at=now))
            queue_notice(user, kind, template, subject, context, now=now)
    except ConflictError:  # another run sent it meanwhile (the unique key)
        return False
    return True


def _receivers(users: list[User], kind: str) -> list[User]:
    wanted = enabled_among((u.id for u in users), kind)
    return [u for u in users if u.id in wanted]


def send_claim_warnings(now: datetime) -> int:
    """Warn each member of a partner whose active claim will be released as stale within
    CLAIM_WARNING_DAYS, once per claim and deadline."""
    ahead = timedelta(days=current_app.config["CLAIM_WARNING_DAYS"])
    sent = 0
    for claim, deadline, waiting_for, reason in release_deadlines():
        if not deadline - ahead <= now <= deadline:
            continue
        need = claim.need
        context = {
            "title": need.title,
            "deadline": when(deadline),
            "waiting_for": waiting_for,
            "reason": reason,
            "need_url": public_url("need_pages.show", need_id=need.id),
            "claims_url": public_url("tasks.claims"),
        }
        period = f"claim-{claim.id}-{waiting_for}"
        subject = f"Your claim will be released on {on_day(deadline)}: {need.title}"
        for member in _receivers(partner_members(claim.partner_id), kinds.CLAIM_WARNING):
            sent += _send_once(
                member, kinds.CLAIM_WARNING, period, "claim_warning", subject, context, now
            )
    return sent


def week_period(now: datetime) -> str:
    """The ISO week `now` falls in, in the city's zone: '2026-W49'."""
    year, week, _ = city_day(now, current_app.config["CITY_TIMEZONE"]).isocalendar()
    return f"{year}-W{week:02d}"


def new_tasks_near(member: User, partner: Partner, since: datetime, now: datetime) -> list[dict]:
    """The open needs the partner can do, ranked as on its tasks page (`tasks_near`: the
    engine's ranking, else its area nearest first), that were posted since `since`."""
    found = tasks_near(actor_for(member), partner.id, now=now)
    ids = [t["id"] for t in found["tasks"]]
    fresh = set(
        db.session.scalars(select(Need.id).where(Need.id.in_(ids), Need.created_at >= since))
    ) if ids else set()  # fmt: skip
    return [t for t in found["tasks"] if t["id"] in fresh][:DIGEST_TASK_LIMIT]


def send_tasks_digests(now: datetime) -> int:
    """Each active partner's members get, once a week, the new tasks near them they can do —
    only when there are some."""
    since = now - timedelta(days=7)
    period = week_period(now)
    sent = 0
    partners = db.session.scalars(
        select(Partner).where(Partner.status == "active").order_by(Partner.id)
    )
    had = set(  # this week's digest already sent: skip them before ranking anything (daily run)
        db.session.scalars(
            select(SentNotice.user_id).where(
                SentNotice.kind == kinds.TASKS_DIGEST, SentNotice.period == period
            )
        )
    )
    for partner in list(partners):
        members = [
            m for m in _receivers(partner_members(partner.id), kinds.TASKS_DIGEST)
            if m.id not in had
        ]  # fmt: skip
        if not members:
            continue
        tasks = new_tasks_near(members[0], partner, since, now)
        if not tasks:
            continue
        context = {
            "partner_name": partner.name,
            "since": on_day(since),
            "tasks": [{**t, "url": public_url("need_pages.show", need_id=t["id"])} for t in tasks],
            "tasks_url": public_url("tasks.index"),
        }
        subject = f"{len(tasks)} new task{'s' if len(tasks) != 1 else ''} near {partner.name}"
        for member in members:
            sent += _send_once(
                member, kinds.TASKS_DIGEST, period, "tasks_digest", subject, context, now
            )
    return sent


def coordinator_counts(now: datetime) -> dict[str, int]:
    """What waits for the coordinators: completions to verify, organisations to review, stale
    claims, resident reports to triage."""
    return {
        "awaiting": awaiting_verification(SYSTEM, limit=0)["count"],
        "organisations": db.session.scalar(
            select(func.count(Partner.id)).where(Partner.status == "pending")
        )
        or 0,
        "stale": count_stale_claims(now),
        "reports": count_reports_awaiting_triage(),
    }


def send_coordinator_digests(now: datetime) -> int:
    """Each coordinator (and admin) gets, once a city day, what waits for them — when anything
    does."""
    counts = coordinator_counts(now)
    if not any(counts.values()):
        return 0
    day = city_day(now, current_app.config["CITY_TIMEZONE"]).isoformat()
    staff = list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(sorted(COORDINATOR_ROLES)), User.is_active.is_(True))
            .order_by(User.id)
        )
    )
    context = {
        **counts,
        "day": day,
        "dashboard_url": public_url("dashboard.index"),
        "review_url": public_url("partner_review.index"),
    }
    subject = (
        f"Waiting for you: {counts['awaiting']} to verify, {counts['organisations']} to review, "
        f"{counts['stale']} stale"
    )
    sent = 0
    for person in _receivers(staff, kinds.COORDINATOR_DIGEST):
        sent += _send_once(
            person, kinds.COORDINATOR_DIGEST, day, "coordinator_digest", subject, context, now
        )
    return sent
