"""What every page's template needs to know: the signed-in person's home, the navigation
groups of pages they may use (decided by permissions, not role names), status words and
capability labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, request
from flask_login import current_user

from capabilities.services import capability_labels
from geo.distance import display_distance
from partners.sectors import SECTOR_LABELS
from web.access import current_actor
from web.legend import STATUS_LEGEND, status_label

# (label, endpoint, permission that makes the link useful), in groups a person reads as one
# menu each: a group with one usable link is shown as that link.
NAV_GROUPS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Our organisation",
        (
            ("Tasks near us", "tasks.index", "need.claim"),
            ("Our claims", "tasks.claims", "need.work"),
            ("Our impact", "tasks.history", "need.work"),
            ("Our profile", "profile.edit", "partner.edit_own"),
            ("Members", "onboarding.members", "partner.manage_members"),
        ),
    ),
    (
        "Needs",
        (
            ("Needs attention", "dashboard.index", "need.review"),
            ("Reports to triage", "triage_pages.index", "report.triage"),
            ("All needs", "need_pages.index", "need.read"),
            ("Post a need", "need_pages.new", "need.post"),
            ("Import", "import_pages.upload", "import.run"),
        ),
    ),
    (
        "Plans",
        (
            ("City plans", "plan_pages.index", "plan.read"),
            ("Coverage gaps", "gaps.index", "plan.read"),
            ("Performance", "performance_pages.index", "dashboard.read"),
        ),
    ),
    (
        "Partners",
        (
            ("Directory", "directory.index", "partner.read_all"),
            ("Partner review", "partner_review.index", "partner.set_status"),
            ("Briefings", "briefing_pages.index", "briefing.generate"),
            ("City resources", "catalogue_pages.index", "catalogue.read"),
        ),
    ),
)
NAV_LINKS = tuple(link for _, links in NAV_GROUPS for link in links)
"""Every link of the navigation, groups flattened (label, endpoint, permission)."""

# The page each person starts from after signing in: the first their permissions open.
HOMES = (
    ("dashboard.index", "need.review"),  # coordinators: what needs attention
    ("tasks.index", "need.claim"),  # partner members: tasks near us
    ("home.outreach", "briefing.generate"),  # outreach: the directory and briefings
    ("need_pages.index", "need.read"),  # everyone else who may read needs
)


@dataclass(frozen=True)
class NavGroup:
    """One menu of the navigation: its label, its (label, endpoint) links, and whether the
    page shown now is one of them."""

    label: str
    links: list[tuple[str, str]]
    current: bool


def home_endpoint() -> str | None:
    """The endpoint of the signed-in person's home, or None (not signed in, or no page)."""
    if not current_user.is_authenticated:
        return None
    actor = current_actor()
    for endpoint, permission in HOMES:
        if actor.can(permission) and endpoint in current_app.view_functions:
            return endpoint
    return None


def nav_groups() -> list[NavGroup]:
    """The navigation groups with the pages the signed-in person may use (empty groups left
    out)."""
    if not current_user.is_authenticated:
        return []
    actor = current_actor()
    groups = []
    for label, links in NAV_GROUPS:
        usable = [
            (text, endpoint)
            for text, endpoint, perm in links
            if actor.can(perm) and endpoint in current_app.view_functions
        ]
        if usable:
            current = any(endpoint == request.endpoint for _, endpoint in usable)
            groups.append(NavGroup(label, usable, current))
    return groups


def nav_links() -> list[tuple[str, str]]:
    """(label, endpoint) of the pages the signed-in person may use."""
    return [link for group in nav_groups() for link in group.links]


def pluck_map(items: list[dict], key: str, value: str) -> dict:
    """{item[key]: item[value]} for a list of dicts (e.g. capability code -> badge)."""
    return {item[key]: item[value] for item in items}


def sector_label(code: str | None) -> str:
    """The words for a sector code ("faith_based" -> "Congregation or faith-based")."""
    if not code:
        return ""
    return SECTOR_LABELS.get(code, "Other" if code == "other" else code.replace("_", " "))


def capability_label(code: str | None) -> str:
    """The taxonomy's label for a capability code (read once per request or job)."""
    if not code:
        return ""
    if "capability_labels" not in g:
        g.capability_labels = capability_labels()
    return g.capability_labels.get(code, code.replace("_", " "))


def distance(km: float | None) -> str:
    """A distance in kilometres as the city reads it (DISTANCE_UNITS: "1.3 mi" or "2.1 km")."""
    if km is None:
        return ""
    return display_distance(km, current_app.config.get("DISTANCE_UNITS", "mi"))


def install(app: Flask) -> None:
    """Make the navigation, the status words and the label filters (`sector_label`,
    `capability_label`: labels, never codes, on pages and handouts; `distance`: the city's
    units) available to every template."""
    app.jinja_env.filters["sector_label"] = sector_label
    app.jinja_env.filters["capability_label"] = capability_label
    app.jinja_env.filters["distance"] = distance

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {
            "nav_groups": nav_groups,
            "nav_links": nav_links,
            "home_endpoint": home_endpoint,
            "status_label": status_label,
            "status_legend": STATUS_LEGEND,
            "status_words": {status: words for status, (_, words) in STATUS_LEGEND.items()},
            "status_shapes": {status: shape for status, (shape, _) in STATUS_LEGEND.items()},
            "pluck_map": pluck_map,
        }
