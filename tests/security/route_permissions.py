"""Who may use which route: the expectation table of the authorization matrix.

EVERY route of the app (API and pages) needs one row per method, or
tests/security/test_authorization_matrix.py fails and names the missing (method, rule).
Adding a route? Append a `Route(...)` here: the roles that may use it and the status they get;
every other role must be refused and the database must be left unchanged. The API refuses with
401, 403 or 404. Pages are stricter: anonymous people are sent to sign in (302 to /login; a
page's JSON endpoint answers 401: `anonymous=401`), and a signed-in role gets 403, or 404 where
the record is not theirs to see (`hidden_from`). On GET pages a plain (non-admin) member of
partner A gets what "partner_own" gets, unless the row says `admins_only`.

The world each cell runs in (see the test): partner organisations A and B (active); the
"partner_own" column is a partner admin of A, "partner_other" a partner admin of B; a need in
each state ("open", or claimed / in_progress / completed by A); a plain member of A; the acting
user's own API token; a saved city plan (one assignment offered to A, one only proposed); one
catalogue entry; and, only for routes with a <briefing_id>, one stored neighbourhood briefing
for Downtown. PARAMS says how each path argument is filled; add a filler for a new argument
name there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "anonymous"
ROLES = ("anonymous", "admin", "coordinator", "outreach", "partner_own", "partner_other", "viewer")
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"admin", "coordinator", "outreach"})
COORDINATORS = frozenset({"admin", "coordinator"})
PARTNERS = frozenset({"partner_own", "partner_other"})
READERS_OF_PARTNER_A = frozenset({"admin", "coordinator", "outreach", "viewer", "partner_own"})

NID = "<id:need_id>"
SIZE = "<any(full, thumb):size>"
OPEN311 = "/open311/v2"
FMT = "<any(json, xml):fmt>"
PID = "<id:partner_id>"
TID = "<id:token_id>"
MID = "<id:member_id>"
PLAN = "<id:plan_id>"
ASSIGNMENT = f"/plans/{PLAN}/assignments/<id:assignment_id>"
READERS_OF_ALL_PARTNERS = frozenset({"admin", "coordinator", "outreach", "viewer"})
Value = Any | Callable[[Any], Any]  # a value, or a function of the World


@dataclass(frozen=True)
class Route:
    """One (method, rule) and who may use it."""

    method: str
    rule: str
    allowed: frozenset[str]
    status: int = 200  # what an allowed role gets
    need: str = "open"  # which need fills <need_id>
    body: dict[str, Value] | None = None  # JSON for the API, a form for pages (CSRF added)
    params: dict[str, Value] = field(default_factory=dict)  # fixed path arguments
    query: str = ""  # a query string for GET routes that need one
    anonymous: int = 302  # pages only: what anonymous people get (302 to sign in, or 401)
    hidden_from: frozenset[str] = frozenset()  # pages only: refused with 404 rather than 403
    admins_only: bool = False  # partner roles: only partner admins; a plain member gets 403


def _api(path: str) -> str:
    return "/api/v1" + path


NEED_BODY = {
    "capability": "litter_cleanup",
    "title": "Tyres dumped on lot",
    "latitude": 30.45,
    "longitude": -91.18,
}
PARTNER_BODY = {
    "name": "A New Partner",
    "sector": "business",
    "base_latitude": 30.45,
    "base_longitude": -91.18,
}
REGISTRATION = {
    "name": "Self Registered Org",
    "sector": "nonprofit",
    "base_latitude": "30.45",
    "base_longitude": "-91.17",
    "service_radius_km": "3",
    "member_name": "First Member",
    "email": "first@selfreg.example",
    "password": "a long enough password",
    "confirm": "a long enough password",
}

ROUTES: list[Route] = [
    # --- public pages and files ---------------------------------------------------------------
    Route("GET", "/", EVERYONE),
    Route("GET", "/home", SIGNED_IN, 302),
    Route("GET", "/outreach", STAFF),
    Route("GET", "/login", EVERYONE),
    Route(
        "POST", "/login", EVERYONE, 401, body={"email": "nobody@x.example", "password": "x" * 12}
    ),
    Route("POST", "/logout", EVERYONE, 302),
    Route("GET", "/password/forgot", EVERYONE),
    Route("POST", "/password/forgot", EVERYONE, 302, body={"email": "nobody@x.example"}),
    Route("GET", "/password/reset/<string(maxlength=100):token>", EVERYONE, 404),
    Route(
        "POST",
        "/password/reset/<string(maxlength=100):token>",
        EVERYONE,
        404,
        body={"password": "x" * 14, "confirm": "x" * 14},
    ),
    # A signed unsubscribe link is its own authority (no sign-in); a forged one is 404.
    Route("GET", "/unsubscribe/<token>", EVERYONE, 404, params={"token": "forged"}),
    Route("POST", "/unsubscribe/<token>", EVERYONE, 404, params={"token": "forged"}),
    Route("GET", "/register", EVERYONE),
    Route("POST", "/register", EVERYONE, 302, body=REGISTRATION),
    Route("GET", "/static/<path:filename>", EVERYONE, params={"filename": "css/app.css"}),
    Route("GET", "/api/v1/docs", EVERYONE),
    Route(
        "GET",
        "/api/v1/docs/assets/<path:filename>",
        EVERYONE,
        params={"filename": "swagger-ui.css"},
    ),
    Route("GET", "/api/v1/openapi.json", EVERYONE),
    # --- the signed-in user's own account (pages) ---------------------------------------------
    Route("GET", "/account", SIGNED_IN),
    Route(
        "POST", "/account/tokens", SIGNED_IN, 201, body={"name": "matrix", "expires_in_days": "7"}
    ),
    Route("POST", f"/account/tokens/{TID}/revoke", SIGNED_IN, 302),
    Route(
        "POST",
        "/account/password",
        SIGNED_IN,
        302,
        body={
            "current_password": "correct horse battery staple",
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    ),
    Route("POST", "/account/logout-everywhere", SIGNED_IN, 302),
    Route("POST", "/account/notifications", SIGNED_IN, 302, body={}),
    # --- partner admins manage their own organisation's members -------------------------------
    Route("GET", "/organisation/members", PARTNERS, admins_only=True),
    Route(
        "POST",
        "/organisation/members",
        PARTNERS,
        302,
        body={"name": "Invited Person", "email": "invited@matrix.example"},
        admins_only=True,
    ),
    Route(
        "POST",
        f"/organisation/members/{MID}/remove",
        frozenset({"partner_own"}),
        302,
        hidden_from=frozenset({"partner_other"}),
        admins_only=True,
    ),
    # --- coordinators review organisations ----------------------------------------------------
    Route("GET", "/review/partners", COORDINATORS),
    Route(
        "POST",
        f"/review/partners/{PID}/<any(archive, pause, resume, verify):action>",
        COORDINATORS,
        302,
        params={"action": "pause"},
    ),
    # --- API: the caller -----------------------------------------------------------------------
    Route("GET", _api("/me"), SIGNED_IN),
    Route("GET", _api("/me/tokens"), SIGNED_IN),
    Route("POST", _api("/me/tokens"), SIGNED_IN, 201, body={"name": "matrix"}),
    Route("DELETE", _api(f"/me/tokens/{TID}"), SIGNED_IN),
    # --- API: capabilities --------------------------------------------------------------------
    Route("GET", _api("/capabilities/"), SIGNED_IN),
    Route(
        "POST",
        _api("/capabilities/"),
        frozenset({"admin"}),
        201,
        body={"code": "matrix_check", "label": "Matrix check"},
    ),
    Route("GET", _api("/capabilities/<string:code>"), SIGNED_IN, params={"code": "litter_cleanup"}),
    Route(
        "PATCH",
        _api("/capabilities/<string:code>"),
        frozenset({"admin"}),
        params={"code": "litter_cleanup"},
        body={"label": "Litter pick-up"},
    ),
    # --- API: partners ------------------------------------------------------------------------
    Route("GET", _api("/partners/"), SIGNED_IN),
    Route("POST", _api("/partners/"), COORDINATORS, 201, body=PARTNER_BODY),
    Route("GET", _api(f"/partners/{PID}"), READERS_OF_PARTNER_A),
    Route(
        "PATCH",
        _api(f"/partners/{PID}"),
        frozenset({"admin", "coordinator", "partner_own"}),
        body={"description": "Updated by the matrix."},
    ),
    Route("POST", _api(f"/partners/{PID}/status"), COORDINATORS, body={"action": "pause"}),
    # --- API: needs ---------------------------------------------------------------------------
    Route("GET", _api("/needs/"), SIGNED_IN),
    Route("POST", _api("/needs/"), COORDINATORS, 201, body=NEED_BODY),
    Route("GET", _api(f"/needs/{NID}"), SIGNED_IN),
    Route("PATCH", _api(f"/needs/{NID}"), COORDINATORS, body={"title": "A corrected title"}),
    Route("GET", _api(f"/needs/{NID}/events"), SIGNED_IN),
    Route("POST", _api(f"/needs/{NID}/claim"), PARTNERS, 201),
    Route("POST", _api(f"/needs/{NID}/start"), frozenset({"partner_own"}), need="claimed"),
    Route(
        "POST",
        _api(f"/needs/{NID}/complete"),
        frozenset({"partner_own"}),
        need="in_progress",
        body={"volunteers": 3, "hours": 6},
    ),
    Route(
        "POST",
        _api(f"/needs/{NID}/release"),
        frozenset({"partner_own"}),
        need="claimed",
        body={"reason": "Rain all week."},
    ),
    Route("POST", _api(f"/needs/{NID}/verify"), COORDINATORS, need="completed", body={"note": ""}),
    Route(
        "POST",
        _api(f"/needs/{NID}/reopen"),
        COORDINATORS,
        need="completed",
        body={"reason": "Still littered."},
    ),
    Route("POST", _api(f"/needs/{NID}/cancel"), COORDINATORS, body={"reason": "Fixed by owner."}),
    Route(
        "POST",
        _api(f"/needs/{NID}/mark-duplicate"),
        COORDINATORS,
        body={"reason": "Same lot.", "duplicate_of": lambda world: world.needs["claimed"]},
    ),
    Route(
        "POST",
        _api(f"/needs/{NID}/mark-not-actionable"),
        COORDINATORS,
        body={"reason": "Private land."},
    ),
]

ROUTES += [
    # --- API: the matching engine (planning) --------------------------------------------------
    Route("GET", _api(f"/needs/{NID}/suggestions"), READERS_OF_ALL_PARTNERS),
    Route("GET", _api(f"/partners/{PID}/suggestions"), READERS_OF_PARTNER_A),
    Route("GET", _api(f"/partners/{PID}/offers"), READERS_OF_PARTNER_A),
    Route("GET", _api("/plans"), STAFF),
    Route("POST", _api("/plans"), COORDINATORS, 202, body={}),
    Route("GET", _api(f"/plans/{PLAN}"), STAFF),
    Route("GET", _api(f"/plans/{PLAN}/assignments"), STAFF),
    Route(
        "POST",
        _api(f"{ASSIGNMENT}/offer"),
        COORDINATORS,
        params={"assignment_id": lambda world: world.proposed_assignment},
    ),
    Route(
        "POST",
        _api(f"{ASSIGNMENT}/accept"),
        frozenset({"partner_own"}),
        params={"assignment_id": lambda world: world.offered_assignment},
    ),
    Route(
        "POST",
        _api(f"{ASSIGNMENT}/decline"),
        frozenset({"partner_own"}),
        body={"note": "Not this week."},
        params={"assignment_id": lambda world: world.offered_assignment},
    ),
    # --- API: intake and exports ---------------------------------------------------------------
    Route("GET", _api("/needs/export.csv"), SIGNED_IN),
    Route("GET", _api("/needs/export.geojson"), SIGNED_IN),
    Route("GET", _api("/partners/export.csv"), SIGNED_IN),
    Route("GET", _api("/partners/export.geojson"), SIGNED_IN),
    Route("POST", _api("/imports"), COORDINATORS, 422, body={}),  # JSON here: no file -> 422
    Route("GET", _api("/needs/probable-duplicates"), COORDINATORS),
    Route(  # the open need is no probable duplicate: 409
        "POST", _api(f"/needs/{NID}/separate"), COORDINATORS, 409, body={"note": "Two piles."}
    ),
    # --- Open311 GeoReport v2: public reads; posting takes an api_key form field, never a
    # session or a bearer header, so no role posts here through those.
    Route("GET", f"{OPEN311}/discovery.{FMT}", EVERYONE, params={"fmt": "json"}),
    Route("GET", f"{OPEN311}/services.{FMT}", EVERYONE, params={"fmt": "xml"}),
    Route(
        "GET",
        f"{OPEN311}/services/<string(maxlength=40):code>.{FMT}",
        EVERYONE,
        params={"fmt": "json", "code": "litter_cleanup"},
    ),
    Route("GET", f"{OPEN311}/requests.{FMT}", EVERYONE, params={"fmt": "json"}),
    Route(
        "POST",
        f"{OPEN311}/requests.{FMT}",
        frozenset(),
        params={"fmt": "json"},
        body={"service_code": "litter_cleanup", "lat": "30.45", "long": "-91.18"},
    ),
    Route(
        "GET",
        f"{OPEN311}/requests/<string(maxlength=20):request_id>.{FMT}",
        EVERYONE,
        params={"fmt": "xml", "request_id": lambda world: world.needs["open"]},
    ),
    Route(
        "GET",
        f"{OPEN311}/tokens/<string(maxlength=40):token>.{FMT}",
        EVERYONE,
        params={"fmt": "json", "token": lambda world: f"cg-{world.needs['open']}"},
    ),
    Route("GET", _api("/coverage/gaps"), STAFF),
    Route("GET", _api("/coverage/recruitment"), STAFF),
    Route("GET", _api("/partnerships"), STAFF),
]

PLAN_PAGE = "<id:plan_id>"
OFFER_PAGE = f"/tasks/offers/{PLAN_PAGE}/<id:assignment_id>"
NEED_FORM = {
    "capability": "litter_cleanup",
    "title": "Tyres dumped on lot",
    "latitude": "30.45",
    "longitude": "-91.18",
    "priority": "3",
}
PROFILE_FORM = {
    "description": "Updated from the profile page.",
    "base_latitude": "30.4515",
    "base_longitude": "-91.1871",
    "service_radius_km": "5",
    "capability": "litter_cleanup",
    "tasks_per_week-litter_cleanup": "20",
}

ROUTES += [
    # --- pages: coordinators ------------------------------------------------------------------
    Route("GET", "/coordinator/", COORDINATORS),
    Route(
        "POST",
        "/coordinator/release-stale",
        COORDINATORS,
        302,
        body={"need": lambda world: str(world.needs["claimed"]), "reason": "Not started in time."},
    ),
    Route("GET", "/needs/", SIGNED_IN),
    Route("GET", "/needs/new", COORDINATORS),
    Route("POST", "/needs/new", COORDINATORS, 302, body=NEED_FORM),
    Route("GET", "/imports/", COORDINATORS),
    Route("POST", "/imports/", COORDINATORS, 422, body={}),  # no file: the form says so
    Route("GET", f"/needs/{NID}", SIGNED_IN),
    Route("POST", f"/needs/{NID}/verify", COORDINATORS, 302, need="completed", body={"note": ""}),
    Route(
        "POST",
        f"/needs/{NID}/release",
        COORDINATORS,
        302,
        need="claimed",
        body={"reason": "Not started in time."},
    ),
    Route(
        "POST",
        f"/needs/{NID}/reopen",
        COORDINATORS,
        302,
        need="completed",
        body={"reason": "Still littered."},
    ),
    Route(
        "POST",
        f"/needs/{NID}/close",
        COORDINATORS,
        302,
        body={"action": "cancel", "reason": "Fixed by the owner."},
    ),
    Route("GET", "/plans/", STAFF),
    Route("POST", "/plans/run", COORDINATORS, 303),
    Route("GET", f"/plans/{PLAN_PAGE}", STAFF),
    Route("GET", f"/plans/{PLAN_PAGE}/unassigned", STAFF),
    Route("POST", f"/plans/{PLAN_PAGE}/partners/{PID}/offer", COORDINATORS, 302),
    Route(
        "POST",
        f"/plans/{PLAN_PAGE}/offer",
        COORDINATORS,
        302,
        body={"assignment": lambda world: str(world.proposed_assignment)},
    ),
    # --- pages: the map and its data ----------------------------------------------------------
    Route("GET", "/map/needs.geojson", SIGNED_IN, anonymous=401),
    Route("GET", "/map/export.csv", SIGNED_IN),
    Route("GET", "/map/export.geojson", SIGNED_IN),
    Route(
        "GET",
        "/map/geocode",
        COORDINATORS,
        200,
        query="q=1234 Plank Rd, Baton Rouge",
        anonymous=401,
    ),
    Route(
        "GET",
        "/map/vendor/<any(leaflet, markercluster):package>/<path:filename>",
        EVERYONE,
        params={"package": "leaflet", "filename": "leaflet.js"},
    ),
    # --- pages: partner members ---------------------------------------------------------------
    Route("GET", "/tasks/", PARTNERS),
    Route("GET", "/tasks/near.geojson", PARTNERS, anonymous=401),
    Route("GET", "/tasks/claims", PARTNERS),
    Route("GET", "/tasks/history", PARTNERS),
    Route("POST", f"/tasks/{NID}/claim", PARTNERS, 302),
    Route("POST", f"/tasks/{NID}/start", frozenset({"partner_own"}), 302, need="claimed"),
    Route(
        "POST",
        f"/tasks/{NID}/release",
        frozenset({"partner_own"}),
        302,
        need="claimed",
        body={"reason": "Rain all week."},
    ),
    Route("GET", f"/tasks/{NID}/complete", PARTNERS, need="in_progress"),
    Route(
        "POST",
        f"/tasks/{NID}/complete",
        frozenset({"partner_own"}),
        302,
        need="in_progress",
        body={"volunteers": "3", "hours": "6"},
    ),
    Route(
        "POST",
        f"{OFFER_PAGE}/accept",
        frozenset({"partner_own"}),
        302,
        params={"assignment_id": lambda world: world.offered_assignment},
    ),
    Route(
        "POST",
        f"{OFFER_PAGE}/decline",
        frozenset({"partner_own"}),
        302,
        body={"note": "Not this week."},
        params={"assignment_id": lambda world: world.offered_assignment},
    ),
    Route("GET", "/profile/", PARTNERS),
    Route("POST", "/profile/", PARTNERS, 302, body=PROFILE_FORM),
    # --- pages: the partner directory ---------------------------------------------------------
    Route("GET", "/partners/", SIGNED_IN),
    Route("GET", "/partners/map.geojson", SIGNED_IN, anonymous=401),
    Route(
        "GET", f"/partners/{PID}", READERS_OF_PARTNER_A, hidden_from=frozenset({"partner_other"})
    ),
]

BRIEFING = "<id:briefing_id>"
ENTRY = "<id:entry_id>"
YEAR = "<int(min=2000, max=2999):year>"
DASHBOARD_READERS = frozenset({"admin", "coordinator", "outreach", "viewer"})
PROSPECT = {
    "name": "Hope Chapel",
    "sector": "faith_based",
    "neighbourhood": "Downtown",
    "radius_km": "2",
    "capabilities": ["litter_cleanup"],
    "tasks_per_week": "1",
    "volunteer_hours_per_week": "4",
}
CATALOGUE_FORM = {
    "title": "Tool lending",
    "description": "Mowers on loan.",
    "lead_time_days": "3",
    "capabilities": ["lot_mowing"],
}

ROUTES += [
    # --- pages: briefings (staff) -------------------------------------------------------------
    Route("GET", "/briefings/", STAFF),
    Route(
        "POST",
        "/briefings/partner",
        STAFF,
        303,
        body={"partner_id": lambda world: str(world.partner_a)},
    ),
    Route("POST", "/briefings/prospect", STAFF, 303, body=PROSPECT),
    Route(
        "POST",
        "/briefings/neighbourhood",
        STAFF,
        303,
        body={"neighbourhood": "Downtown", "weekly_tasks": "2"},
    ),
    Route("GET", f"/briefings/{BRIEFING}", STAFF),
    Route("GET", f"/briefings/{BRIEFING}/document", STAFF),
    Route("GET", f"/briefings/{BRIEFING}.pdf", STAFF),
    Route("GET", "/briefings/batch", STAFF),
    Route("POST", "/briefings/batch", STAFF, 303),
    # --- pages: the city resources catalogue --------------------------------------------------
    Route("GET", "/catalogue/", SIGNED_IN),
    Route("POST", "/catalogue/", COORDINATORS, 303, body=CATALOGUE_FORM),
    Route("GET", f"/catalogue/{ENTRY}/edit", COORDINATORS),
    Route(
        "POST",
        f"/catalogue/{ENTRY}/edit",
        COORDINATORS,
        303,
        body={"title": "Tool library", "lead_time_days": "1", "is_active": "y"},
    ),
    Route("POST", f"/catalogue/{ENTRY}/delete", COORDINATORS, 303),
    # --- pages: coverage gaps, the performance dashboard, the public open-data report ---------
    Route("GET", "/coverage/gaps", STAFF),
    Route("GET", "/performance/", DASHBOARD_READERS),
    Route("GET", "/open-data/", EVERYONE, 302),
    Route("GET", f"/open-data/{YEAR}", EVERYONE, params={"year": 2025}),
    Route("GET", f"/open-data/{YEAR}.json", EVERYONE, params={"year": 2025}),
    # --- pages: residents' reports (public), their triage (coordinators) ----------------------
    # The report is a resident's, awaiting triage: its photo is not public until accepted.
    Route("GET", "/report", EVERYONE),
    Route("POST", "/report", EVERYONE, 422, body={"description": "No kind, no place"}),
    Route("GET", "/report/geocode", EVERYONE, query="q=1000+North+St"),
    Route(
        "GET", "/report/nearby", EVERYONE, query="capability=litter_cleanup&lat=30.45&lon=-91.18"
    ),
    Route("GET", "/reports", EVERYONE),
    Route("GET", "/reports.geojson", EVERYONE),
    Route("GET", "/reports/<id:report_id>", EVERYONE, need="reported"),
    Route(
        "GET",
        f"/reports/<id:report_id>/photos/<id:photo_id>/{SIZE}.jpg",
        EVERYONE,
        404,
        need="reported",
    ),
    Route("GET", "/reports/stop/<token>", EVERYONE, 404),
    Route("POST", "/reports/stop/<token>", EVERYONE, 404),
    # Staff's view of a report's photo: only those who triage it; others do not find it.
    Route(
        "GET",
        f"/needs/{NID}/photos/<id:photo_id>/{SIZE}.jpg",
        COORDINATORS,
        need="reported",
        hidden_from=SIGNED_IN - COORDINATORS,
    ),
    Route("GET", "/coordinator/triage/", COORDINATORS),
    Route("POST", f"/coordinator/triage/{NID}/accept", COORDINATORS, 302, need="reported"),
    Route(
        "POST",
        f"/coordinator/triage/{NID}/merge",
        COORDINATORS,
        302,
        need="reported",
        body={"into": lambda world: str(world.needs["open"])},
    ),
    Route(
        "POST",
        f"/coordinator/triage/{NID}/dismiss",
        COORDINATORS,
        302,
        need="reported",
        body={"reason": "Private land"},
    ),
    # --- operations: liveness and readiness for load balancers (no data, no sign-in) ----------
    Route("GET", "/healthz", EVERYONE),
    Route("GET", "/readyz", EVERYONE),
    # /metrics: the matrix's clients call from 127.0.0.1 with no METRICS_TOKEN set, so everyone
    # is let in here; from elsewhere, through a proxy or with a token configured it is refused
    # (tests/security/test_monitoring.py).
    Route("GET", "/metrics", EVERYONE),
    # --- API: briefings (staff) ---------------------------------------------------------------
    Route("GET", _api("/briefings/"), STAFF),
    Route(
        "POST",
        _api("/briefings/partner"),
        STAFF,
        201,
        body={"partner_id": lambda world: world.partner_a},
    ),
    Route(
        "POST",
        _api("/briefings/prospect"),
        STAFF,
        201,
        body={
            "name": "Hope Chapel",
            "neighbourhood": "Downtown",
            "capabilities": ["litter_cleanup"],
        },
    ),
    Route(
        "POST",
        _api("/briefings/neighbourhood"),
        STAFF,
        201,
        body={"neighbourhood": "Downtown", "weekly_tasks": 2},
    ),
    Route(
        "POST",
        _api("/briefings/batch"),
        STAFF,
        202,
        body={"partner_ids": lambda world: [world.partner_a, world.partner_b]},
    ),
    Route("GET", _api(f"/briefings/{BRIEFING}"), STAFF),
    Route("GET", _api(f"/briefings/{BRIEFING}/html"), STAFF),
    Route("GET", _api(f"/briefings/{BRIEFING}/pdf"), STAFF),
    # --- API: the city resources catalogue ----------------------------------------------------
    Route("GET", _api("/catalogue/"), SIGNED_IN),
    Route(
        "POST",
        _api("/catalogue/"),
        COORDINATORS,
        201,
        body={"title": "Roll-off dumpster", "lead_time_days": 14, "capabilities": []},
    ),
    Route("GET", _api(f"/catalogue/{ENTRY}"), SIGNED_IN),
    Route("PATCH", _api(f"/catalogue/{ENTRY}"), COORDINATORS, body={"lead_time_days": 10}),
    Route("DELETE", _api(f"/catalogue/{ENTRY}"), COORDINATORS, 204),
    # --- API: programme performance -----------------------------------------------------------
    Route("GET", _api("/performance/"), DASHBOARD_READERS),
]

JOB = "<id:job_id>"

ROUTES += [
    # --- jobs: anyone signed in lists the jobs they may see; the world's job is a city plan
    # started by the system, seen by those who may run plans ------------------------------------
    Route("GET", "/jobs/", SIGNED_IN),
    Route("GET", f"/jobs/{JOB}", COORDINATORS),
    Route("GET", _api("/jobs/"), SIGNED_IN),
    Route("POST", _api("/jobs/"), COORDINATORS, 202, body={"kind": "geocode_pending"}),
    Route("GET", _api(f"/jobs/{JOB}"), COORDINATORS),
]

# How each path argument is filled, from the world and the acting role.
PARAMS: dict[str, Callable[[Any, Route, str], Any]] = {
    "need_id": lambda world, route, role: world.needs[route.need],
    "partner_id": lambda world, route, role: world.partner_a,
    "token_id": lambda world, route, role: world.token_ids[role],
    "member_id": lambda world, route, role: world.plain_member_of_a,
    "token": lambda world, route, role: "not-a-real-reset-token",
    "plan_id": lambda world, route, role: world.plan_id,
    "briefing_id": lambda world, route, role: world.briefing_id,
    "entry_id": lambda world, route, role: world.entry_id,
    "job_id": lambda world, route, role: world.job_id,
    "report_id": lambda world, route, role: world.needs[route.need],
    "photo_id": lambda world, route, role: world.photo_id,
    "size": lambda world, route, role: "thumb",
}
