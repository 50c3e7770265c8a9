"""Event notices: the emails a change tells about, queued in the caller's unit of work.

The feature services (needs, planning, partners) call the `tell_*` functions inside their own
`unit_of_work`, so a notice commits with the change or not at all (transactional outbox); the
routines call them for the clock-driven notices. Each message is plain text plus HTML from
`templates/email/`, names the city, gives every time in the city's zone, links absolutely
(PUBLIC_BASE_URL) and carries a signed one-click unsubscribe link for its kind. People who
switched a kind off are skipped.

Imports `commonground`, `accounts` and `partners` only (the services below call it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from accounts.models import OutboxEmail, User
from accounts.outbox import queue_email
from accounts.roles import Role
from commonground.citytime import city_date, city_time
from commonground.extensions import db
from commonground.links import public_url
from notifications import kinds
from notifications.preferences import enabled_among
from notifications.unsubscribe import unsubscribe_url


def when(moment: datetime | None) -> str:
    """A time as the city reads it: '2026-11-30 21:05 CST'."""
    return city_time(moment, current_app.config["CITY_TIMEZONE"])


def on_day(moment: datetime | None) -> str:
    """A day as the city reads it: '2026-11-30'."""
    return city_date(moment, current_app.config["CITY_TIMEZONE"])


def partner_members(partner_id: int) -> list[User]:
    """The active members of a partner organisation, by id."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.partner_id == partner_id,
                User.role == Role.PARTNER.value,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def queue_notice(
    user: User,
    kind: str,
    template: str,
    subject: str,
    context: dict[str, Any],
    *,
    now: datetime | None = None,
) -> OutboxEmail:
    """Render `templates/email/<template>.txt` and `.html` for one person and queue them.

    The caller has checked the person's preference (see `tell_members`, or the routines).
    """
    link = unsubscribe_url(user.id, kind)
    city = current_app.config["CITY_NAME"]
    values = {
        **context,
        "city_name": city,
        "recipient_name": user.name,
        "kind_label": kinds.KINDS[kind].label,
        "unsubscribe_url": link,
        "preferences_url": public_url("account.profile"),
    }
    return queue_email(
        user.email,
        f"{city}: {subject}",
        render_template(f"email/{template}.txt", **values),
        html=render_template(f"email/{template}.html", **values),
        unsubscribe_url=link,
        kind=kind,
        now=now,
    )


def tell_members(
    partner_id: int,
    kind: str,
    template: str,
    subject: str,
    context: dict[str, Any],
    *,
    exclude_user_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Queue one notice to each member of a partner who receives `kind` (but the person who
    acted, `exclude_user_id`); how many were queued."""
    members = [m for m in partner_members(partner_id) if m.id != exclude_user_id]
    wanted = enabled_among((m.id for m in members), kind)
    for member in members:
        if member.id in wanted:
            queue_notice(member, kind, template, subject, context, now=now)
    return len(wanted)


def _need_link(need_id: int) -> str:
    return public_url("need_pages.show", need_id=need_id)


def tell_task_offered(
    partner_id: int,
    need_id: int,
    title: str,
    *,
    address: str | None,
    offered_at: datetime,
    due: str = "",
) -> int:
    """The city offered a planned task to the partner."""
    context = {
        "title": title,
        "address": address or "",
        "due": due,
        "offered_at": when(offered_at),
        "need_url": _need_link(need_id),
        "tasks_url": public_url("tasks.index"),
    }
    return tell_members(
        partner_id, kinds.TASK_OFFERED, "task_offered", f"The city offers you a task: {title}",
        context, now=offered_at,
    )  # fmt: skip


def tell_claim_released(
    partner_id: int,
    need_id: int,
    title: str,
    *,
    reason: str,
    automatic: bool,
    released_at: datetime,
    exclude_user_id: int | None = None,
    by_city: bool = False,
) -> int:
    """A claim of the partner's was released: by one of its members, by the city (a
    coordinator, with the reason) or automatically."""
    context = {
        "title": title,
        "reason": reason,
        "automatic": automatic,
        "by_city": by_city,
        "released_at": when(released_at),
        "need_url": _need_link(need_id),
        "tasks_url": public_url("tasks.index"),
    }
    return tell_members(
        partner_id, kinds.CLAIM_RELEASED, "claim_released", f"Your claim was released: {title}",
        context, exclude_user_id=exclude_user_id, now=released_at,
    )  # fmt: skip


def tell_completion_reviewed(
    partner_id: int,
    need_id: int,
    title: str,
    *,
    verified: bool,
    note: str,
    reviewed_at: datetime,
) -> int:
    """A coordinator verified the partner's completed work, or reopened it with a reason."""
    context = {
        "title": title,
        "verified": verified,
        "note": note,
        "reviewed_at": when(reviewed_at),
        "need_url": _need_link(need_id),
        "history_url": public_url("tasks.history"),
    }
    subject = f"Your work was verified: {title}" if verified else f"Your work was reopened: {title}"
    return tell_members(
        partner_id, kinds.COMPLETION_REVIEWED, "completion_reviewed", subject, context,
        now=reviewed_at,
    )  # fmt: skip


def tell_organisation_reviewed(
    partner_id: int, name: str, *, verified: bool, reason: str, reviewed_at: datetime
) -> int:
    """A coordinator verified a registered organisation, or declined it with a reason."""
    context = {
        "name": name,
        "verified": verified,
        "reason": reason,
        "reviewed_at": when(reviewed_at),
        "tasks_url": public_url("tasks.index"),
    }
    subject = f"{name} is verified" if verified else f"{name} was not verified"
    return tell_members(
        partner_id, kinds.ORGANISATION_REVIEWED, "organisation_reviewed", subject, context,
        now=reviewed_at,
    )  # fmt: skip
