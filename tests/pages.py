"""Every page each role reaches from the menu or a link, for the page tests in the browser
(tests/e2e/test_pages.py) and the page bench at city scale (bench/pages_bench.py).

`{need}` (open), `{claimed}` (the partner's started claim), `{partner}` (the partner member's
own), `{plan}`, `{briefing}` and `{report}` (a resident's report) are filled from the city of
each. Anyone signed out gets the public pages.
"""

PAGES = {
    "coordinator": [
        "/coordinator/", "/coordinator/triage/", "/needs/", "/needs/new", "/needs/{need}",
        "/needs/{claimed}", "/partners/", "/partners/{partner}", "/plans/", "/plans/{plan}",
        "/plans/{plan}/unassigned", "/briefings/", "/briefings/{briefing}",
        "/briefings/{briefing}/document", "/briefings/batch", "/catalogue/", "/coverage/gaps",
        "/imports/", "/jobs/", "/performance/", "/open-data/", "/review/partners", "/account",
    ],
    "partner": [
        "/tasks/", "/tasks/claims", "/tasks/history", "/tasks/{claimed}/complete", "/profile/",
        "/organisation/members", "/needs/{need}", "/partners/{partner}", "/account",
    ],
    "outreach": ["/outreach", "/partners/", "/partners/{partner}", "/needs/", "/briefings/"],
    "viewer": ["/needs/", "/partners/", "/performance/"],
    "signed out": [
        "/login", "/register", "/password/forgot", "/report", "/reports", "/reports/{report}",
        "/open-data/",
    ],
}  # fmt: skip
