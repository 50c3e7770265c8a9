"""A database outage answers 503 with Retry-After in the error shape, logs one line a request
and recovers by itself; an unreachable rate-limit store refuses every limited action (fail
closed: sign-in, reset, registration, claims, imports, residents' reports) with one logged line
each while the rest keeps working; /healthz and /readyz tell a load balancer what works
(issue 14, item 4).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from commonground.extensions import db
from commonground.outages import LIMITS_DOWN
from tests.security.own_process import run_in_own_process


@contextmanager
def database_down() -> Iterator[None]:
    """Every new connection is refused, as when the database server is stopped."""

    def refuse(*_args):
        raise db.engine.dialect.loaded_dbapi.OperationalError(
            "connection refused (the test stopped the database)"
        )

    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "do_connect", refuse)
    try:
        yield
    finally:
        event.remove(db.engine, "do_connect", refuse)


def _warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_database_outage_is_a_503_with_retry_after_in_the_error_shape(make, api, caplog):
    person = make.user("coordinator")
    with database_down():
        caplog.clear()
        response = api(person.token).get("/api/v1/needs/")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["code"] == 503
    assert response.json["status"] == "Service Unavailable"
    assert "database" in response.json["message"]
    (line,) = _warnings(caplog)  # one line, no traceback
    assert line.exc_info is None and "503" in line.getMessage()


def test_a_page_during_an_outage_is_a_503_page_with_one_log_line(make, browser, caplog):
    person = make.user("coordinator")
    web = browser(person)
    with database_down():
        caplog.clear()
        response = web.get("/needs/")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "unavailable" in response.get_data(as_text=True)
    assert len(_warnings(caplog)) == 1
    assert "Traceback" not in caplog.text


def test_the_app_recovers_by_itself_when_the_database_is_back(make, api):
    person = make.user("viewer")
    with database_down():
        assert api(person.token).get("/api/v1/me").status_code == 503
    assert api(person.token).get("/api/v1/me").status_code == 200


def test_healthz_answers_without_the_database_and_readyz_tells_it_is_down(client):
    assert client.get("/readyz").json == {
        "status": "ready",
        "checks": {"database": "ok", "rate_limit_storage": "ok"},
    }
    with database_down():
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["checks"] == {"database": "unavailable", "rate_limit_storage": "ok"}


REQUESTS_SCRIPT = """
import io, json, logging, sys
from commonground.app import create_app
settings, requests = json.loads(sys.argv[1]), json.loads(sys.argv[2])
worker = create_app(settings)
records = []
handler = logging.Handler()
handler.emit = records.append
logging.getLogger().addHandler(handler)
logging.getLogger().setLevel(logging.INFO)
outcomes = {}
for sent in requests:
    client = worker.test_client()
    if sent.get("session"):
        client.set_cookie(worker.config["SESSION_COOKIE_NAME"], sent["session"])
    data = dict(sent.get("data") or {})
    if sent.get("csv"):
        data["file"] = (io.BytesIO(sent["csv"].encode()), "survey.csv")
    del records[:]
    response = client.open(sent["path"], method=sent["method"], headers=sent.get("headers"),
                           data=data or None)
    outcomes[sent["name"]] = {
        "status": response.status_code,
        "retry_after": response.headers.get("Retry-After"),
        "json": response.get_json(silent=True),
        "text": response.get_data(as_text=True)[:3000],
        "warnings": [r.getMessage() for r in records if r.levelno >= logging.WARNING],
        "tracebacks": sum(1 for r in records if r.exc_info),
    }
print(json.dumps(outcomes))
"""


def test_an_unreachable_rate_limit_store_fails_sign_in_and_reset_closed(app):
    """Runs in its own process: Flask-Limiter keeps its storage on the one limiter object."""
    sent = [
        {"name": "sign-in", "method": "POST", "path": "/login",
         "data": {"email": "a@b.example", "password": "x" * 12}},
        {"name": "reset", "method": "POST", "path": "/password/forgot",
         "data": {"email": "a@b.example"}},
        {"name": "sign-in form", "method": "GET", "path": "/login"},
        {"name": "readiness", "method": "GET", "path": "/readyz"},
    ]  # fmt: skip
    outcome = run_in_own_process(
        REQUESTS_SCRIPT,
        app,
        given=sent,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1",  # nothing listens there
    )
    assert [outcome[r["name"]]["status"] for r in sent] == [503, 503, 200, 503]
    assert int(outcome["sign-in"]["retry_after"]) > 0
    assert outcome["readiness"]["json"]["checks"]["rate_limit_storage"] == "unavailable"
    for name in ("sign-in", "reset"):  # one line for each refused request
        (line,) = outcome[name]["warnings"]
        assert "failing closed" in line
    assert outcome["sign-in form"]["warnings"] == []
    assert all(answer["tracebacks"] == 0 for answer in outcome.values())


def _requests_when_the_store_is_down(make, browser) -> tuple[list[dict], list[dict]]:
    """(requests the README says fail closed, requests that keep working), as data for the
    script: a partner member signed in before the outage (their session cookie), tokens."""
    partner = make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 50}])
    member = make.user("partner", partner=partner)
    coordinator = make.user("coordinator")
    need_id = make.need().id
    session = browser(member).session_cookie()
    coordinator_session = browser(coordinator).session_cookie()
    member_api = {"Authorization": f"Bearer {member.token}"}
    coordinator_api = {"Authorization": f"Bearer {coordinator.token}"}
    ask_json = {"Accept": "application/json"}
    survey = "id,type,title,address,lat,lng\n1,Illegal Dumping,Tyres,1 Main St,30.45,-91.18\n"
    refused = [
        {"name": "API claim", "method": "POST", "path": f"/api/v1/needs/{need_id}/claim",
         "headers": member_api},
        {"name": "claim form", "method": "POST", "path": f"/tasks/{need_id}/claim",
         "session": session},
        {"name": "API import", "method": "POST", "path": "/api/v1/imports",
         "headers": coordinator_api, "data": {"source": "311"}, "csv": survey},
        {"name": "registration form", "method": "POST", "path": "/register",
         "data": {"name": "Northside Crew", "email": "crew@test.example"}},
        {"name": "new password form", "method": "POST", "path": "/password/reset/" + "t" * 40,
         "data": {"password": "y" * 12, "confirm": "y" * 12}},
        {"name": "report form", "method": "POST", "path": "/report",
         "data": {"capability": "litter_cleanup", "description": "Tyres on the kerb"}},
        {"name": "report address lookup", "method": "GET", "path": "/report/geocode?q=1+Main+St",
         "headers": ask_json},
        {"name": "nearby reports", "method": "GET", "path": "/report/nearby?lat=30.45&lon=-91.18",
         "headers": ask_json},
        {"name": "Open311 post", "method": "POST", "path": "/open311/v2/requests.json",
         "data": {"api_key": "k", "service_code": "litter_cleanup"}, "headers": ask_json},
    ]  # fmt: skip
    working = [
        {"name": "sign-in form", "method": "GET", "path": "/login"},
        {"name": "report form page", "method": "GET", "path": "/report"},
        {"name": "API need list", "method": "GET", "path": "/api/v1/needs/",
         "headers": coordinator_api},
        {"name": "task page", "method": "GET", "path": "/tasks/", "session": session},
        {"name": "import page preview", "method": "POST", "path": "/imports/",
         "session": coordinator_session, "data": {"source": "311", "action": "preview"},
         "csv": survey},
    ]  # fmt: skip
    db.session.remove()  # the script's app writes to the same database (trap 23)
    return refused, working


def test_an_unreachable_rate_limit_store_fails_every_limited_action_closed(app, make, browser):
    """Registration, claims (API and form), imports, the new-password form, residents' reports
    (the form, its look-ups, Open311 posts): 503 with Retry-After and the reason, one warning
    line each and no traceback, as the README's *Production* section says; pages and API reads
    that no limit guards keep working. Runs in its own process (see the sign-in test above)."""
    refused, working = _requests_when_the_store_is_down(make, browser)
    outcome = run_in_own_process(
        REQUESTS_SCRIPT,
        app,
        given=refused + working,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1",  # nothing listens there
    )
    for sent in refused:
        answer = outcome[sent["name"]]
        assert answer["status"] == 503, (sent["name"], answer["status"], answer["text"][:300])
        assert int(answer["retry_after"]) > 0, sent["name"]
        if sent["path"].startswith("/api/") or "headers" in sent:
            assert answer["json"]["code"] == 503, sent["name"]
            assert answer["json"]["message"] == LIMITS_DOWN, sent["name"]
        else:
            assert LIMITS_DOWN in answer["text"], sent["name"]
        (line,) = answer["warnings"]  # one line a request
        assert "failing closed" in line and sent["path"].split("?")[0] in line, sent["name"]
        assert answer["tracebacks"] == 0, sent["name"]
    for sent in working:
        answer = outcome[sent["name"]]
        assert answer["status"] == 200, (sent["name"], answer["status"], answer["text"][:300])
        assert answer["warnings"] == [], sent["name"]


def test_lost_races_stay_409_and_only_connection_failures_are_outages():
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from commonground.outages import is_database_unavailable, is_lost_race

    def failure(message: str, kind=OperationalError):
        return kind("SELECT 1", {}, Exception(message))

    for message in (
        "database is locked",
        "canceling statement due to lock timeout",
        "could not serialize access due to concurrent update",
        "deadlock detected",
    ):
        assert is_lost_race(failure(message)), message
    for message in (
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused',
        "server closed the connection unexpectedly",
        "terminating connection due to administrator command",
        "unable to open database file",
    ):
        assert is_database_unavailable(failure(message)), message
    assert not is_database_unavailable(failure("no such table: need"))
    assert not is_database_unavailable(failure("syntax error", ProgrammingError))
