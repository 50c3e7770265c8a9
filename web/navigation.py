"""What every page's template needs to know: the navigation links the signed-in person may
use (decided by permissions, not role names), status words and capability labels.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from web.access import current_actor
from web.legend import STATUS_LEGEND, status_label

# (label, endpoint, permission that makes the link useful)
NAV_LINKS = (
    ("Needs attention", "dashboard.index", "need.review"),
    ("Reports to triage", "triage_pages.index", "report.triage"),
    ("Tasks near us", "tasks.index", "need.claim"),
    ("Our claims", "tasks.claims", "need.work"),
    ("Our impact", "tasks.history", "need.work"),
    ("Our profile", "profile.edit", "partner.edit_own"),
    ("Needs", "need_pages.index", "need.read"),
    ("Post a need", "need_pages.new", "need.post"),
    ("Import", "import_pages.upload", "import.run"),
    ("Plans", "plan_pages.index", "plan.read"),
    ("Partners", "directory.index", "partner.read_all"),
    ("Partner review", "partner_review.index", "partner.set_status"),
    ("Briefings", "briefing_pages.index", "briefing.generate"),
    ("Coverage gaps", "gaps.index", "plan.read"),
    ("Performance", "performance_pages.index", "dashboard.read"),
    ("City resources", "catalogue_pages.index", "catalogue.read"),
    ("Members", "onboarding.members", "partner.manage_members"),
    ("Account", "account.profile", "need.read"),
)


def nav_links() -> list[tuple[str, str]]:
    """(label, endpoint) of the pages the signed-in person may use."""
    if not current_user.is_authenticated:
        return []
    actor = current_actor()
    return [
        (label, endpoint)
        for label, endpoint, perm in NAV_LINKS
        if actor.can(perm) and endpoint in current_app.view_functions
    ]


def pluck_map(items: list[dict], key: str, value: str) -> dict:
    """{item[key]: item[value]} for a list of dicts (e.g. capability code -> badge)."""
    return {item[key]: item[value] for item in items}


def install(app: Flask) -> None:
    """Make the navigation and the status words available to every template."""

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {
            "nav_links": nav_links,
            "status_label": status_label,
            "status_legend": STATUS_LEGEND,
            "status_words": {status: words for status, (_, words) in STATUS_LEGEND.items()},
            "status_shapes": {status: shape for status, (shape, _) in STATUS_LEGEND.items()},
            "pluck_map": pluck_map,
        }
