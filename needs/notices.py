"""What residents who reported a problem hear back, by email: one module, so the messages can
later be routed through the shared notification system without hunting for them.

Each message is queued with `accounts.outbox.queue_email` inside the caller's unit of work, so
it is sent exactly when the status change it tells of commits. A report's followers are its own
reporter and the reporters of the reports merged into it, each only while they asked to hear
back (`Need.reporter_notices`); every message carries the status page link and a one-click
unsubscribe for the report that person filed (a signed token: reporters have no account).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select

from accounts.outbox import queue_email
from commonground.errors import NotFoundError
from commonground.extensions import db
from commonground.links import public_url
from commonground.signing import signed, unsigned
from commonground.transaction import unit_of_work
from needs.models import Need
from partners.models import Partner

STATUS_PAGE = "report_pages.status"
STOP_PAGE = "report_pages.stop_notices_page"
_SALT = "report-notices"
REPORT_UPDATE = "report_update"
"""The outbox kind of these emails (reporters have no account, so no preference row: each
report's own signed link stops them)."""

HEADLINES: dict[str, str] = {
    "receive": "We received your report",
    "accept": "Your report was accepted",
    "merge": "Your report joins one already being followed",
    "claim": "Someone is taking care of it",
    "complete": "The work is reported done",
    "verify": "The city checked the work: fixed",
    "reopen": "It is not fixed yet: open again",
    "dismiss": "Your report was closed",
    "cancel": "The report was closed",
    "mark_duplicate": "The report was closed as a duplicate",
    "mark_not_actionable": "The report was closed",
    "close_at_source": "The report was closed",
}
"""The subject of each message, by the action that changed the report."""


def stop_token(report_id: int) -> str:
    """The signed token of one report's unsubscribe link."""
    return signed(report_id, _SALT)


def report_for_token(token: str) -> int:
    """The report id a token stands for, or NotFoundError."""
    report_id = unsigned(token, _SALT)
    if not isinstance(report_id, int) or isinstance(report_id, bool):
        raise NotFoundError("This link is not valid.")
    return report_id


def stop_notices(token: str) -> int:
    """Stop the emails about the report the token names (idempotent); returns its id."""
    report_id = report_for_token(token)
    need = db.session.get(Need, report_id)
    if need is None:
        raise NotFoundError("This link is not valid.")
    with unit_of_work():
        need.reporter_notices = False
    return report_id


def _followers(need: Need) -> list[Need]:
    """The reports whose reporter hears about `need`: itself and those merged into it."""
    return list(
        db.session.scalars(
            select(Need)
            .where(
                Need.reporter_notices.is_(True),
                Need.reporter_email.is_not(None),
                or_(
                    Need.id == need.id,
                    (Need.duplicate_of_id == need.id) & (Need.status == "duplicate"),
                ),
            )
            .order_by(Need.id)
        )
    )


def followed(need_ids: Sequence[int], chunk: int = 1000) -> set[int]:
    """Those of `need_ids` someone hears about: a reporter of the need itself, or of a report
    merged into it, asked for emails. In chunks of ids, for the bulk closings of an import."""
    ids = list(need_ids)
    found: set[int] = set()
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        found.update(
            db.session.scalars(
                select(func.coalesce(Need.duplicate_of_id, Need.id)).where(
                    Need.reporter_notices.is_(True),
                    Need.reporter_email.is_not(None),
                    or_(
                        Need.id.in_(part),
                        Need.duplicate_of_id.in_(part) & (Need.status == "duplicate"),
                    ),
                )
            )
        )
    return found & set(ids)


def _what_happened(need: Need, action: str, partner: Partner | None, reason: str) -> str:
    who = partner.name if partner is not None and partner.show_name_publicly else "A partner"
    lines = {
        "receive": "Thank you. A city coordinator will look at it soon.",
        "accept": "A city coordinator accepted it. Partners who can fix it can now take it on.",
        "claim": f"{who} has taken it on.",
        "complete": f"{who} reports the work done. The city will check it.",
        "verify": "The city checked the work. It is fixed.",
        "reopen": f"The city found it is not fixed yet{': ' + reason if reason else ''}.",
    }
    if action in lines:
        return lines[action]
    return f"It was closed{': ' + reason if reason else ''}."


def report_changed(
    need: Need,
    action: str,
    *,
    now: datetime,
    target: Need | None = None,
    partner: Partner | None = None,
    reason: str = "",
) -> int:
    """Queue one email to each follower of `need` about `action`; returns how many."""
    if target is not None:  # merged: tell this reporter where to follow now
        followers = [need] if need.reporter_notices and need.reporter_email else []
        text = (
            f"It is about the same problem as report #{target.id}, which is already being "
            f"followed. You will hear about that one from now on:\n"
            f"{public_url(STATUS_PAGE, report_id=target.id)}"
        )
    else:
        followers = _followers(need)
        text = _what_happened(need, action, partner, reason)
    headline = HEADLINES.get(action, "Your report changed")
    for report in followers:
        stop_url = public_url(STOP_PAGE, token=stop_token(report.id))
        body = (
            f"Hello{(' ' + report.reporter_name) if report.reporter_name else ''},\n\n"
            f"{headline} (report #{report.id}: {need.title}).\n\n{text}\n\n"
            f"Where it stands: {public_url(STATUS_PAGE, report_id=need.id)}\n\n"
            f"To stop these emails about report #{report.id}, open:\n"
            f"{stop_url}\n"
        )
        queue_email(
            report.reporter_email,
            f"{headline} (#{report.id})",
            body,
            now=now,
            unsubscribe_url=stop_url,
            kind=REPORT_UPDATE,
        )
    return len(followers)
