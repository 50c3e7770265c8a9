"""A database outage answers 503 with Retry-After in the error shape, logs one line a request
and recovers by itself; an unreachable rate-limit store refuses sign-in and reset (fail closed)
with one logged line; /healthz and /readyz tell a load balancer what works (issue 14, item 4).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from commonground.extensions import db
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


STORE_DOWN_SCRIPT = """
import json, logging, sys
from commonground.app import create_app
settings = json.loads(sys.argv[1])
worker = create_app(settings)
records = []
handler = logging.Handler()
handler.emit = records.append
logging.getLogger().addHandler(handler)
logging.getLogger().setLevel(logging.INFO)
client = worker.test_client()
sign_in = client.post("/login", data={"email": "a@b.example", "password": "x" * 12})
reset = client.post("/password/forgot", data={"email": "a@b.example"})
form = client.get("/login")
ready = client.get("/readyz")
print(json.dumps({
    "statuses": [sign_in.status_code, reset.status_code, form.status_code, ready.status_code],
    "retry_after": sign_in.headers.get("Retry-After"),
    "ready": ready.json,
    "warnings": [r.getMessage() for r in records if r.levelno >= logging.WARNING],
    "tracebacks": sum(1 for r in records if r.exc_info),
}))
"""


def test_an_unreachable_rate_limit_store_fails_sign_in_and_reset_closed(app):
    """Runs in its own process: Flask-Limiter keeps its storage on the one limiter object."""
    outcome = run_in_own_process(
        STORE_DOWN_SCRIPT,
        app,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1",  # nothing listens there
    )
    assert outcome["statuses"] == [503, 503, 200, 503]
    assert int(outcome["retry_after"]) > 0
    assert outcome["ready"]["checks"]["rate_limit_storage"] == "unavailable"
    refusals = [w for w in outcome["warnings"] if "fail" in w and "closed" in w]
    assert len(refusals) == 2  # one line for each refused request
    assert outcome["tracebacks"] == 0


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
