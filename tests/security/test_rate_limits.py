"""Rate limits: sign-in per address and per account, password reset, claims per organisation;
429 with Retry-After; Redis storage in production."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.security.own_process import run_in_own_process


def test_the_sixth_sign_in_in_a_minute_gets_429_with_retry_after(make, browser):
    person = make.user("viewer")
    web = browser()
    statuses = [web.login(person.user.email, "wrong password!!").status_code for _ in range(5)]
    assert statuses == [401] * 5
    sixth = web.login(person.user.email)  # even the right password waits
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) > 0
    assert "Too Many Requests" in sixth.get_data(as_text=True)


def test_sign_in_is_limited_per_account_across_addresses(make, browser):
    person = make.user("viewer")
    for n in range(5):
        browser(REMOTE_ADDR=f"10.0.0.{n + 1}").login(person.user.email, "wrong password!!")
    assert browser(REMOTE_ADDR="10.0.0.99").login(person.user.email).status_code == 429
    other = make.user("viewer")
    assert browser(REMOTE_ADDR="10.0.0.99").login(other.user.email).status_code == 302


def test_sign_in_is_limited_per_address_across_accounts(make, browser):
    web = browser(REMOTE_ADDR="10.1.1.1")
    for n in range(5):
        web.login(f"guess{n}@test.example", "wrong password!!")
    person = make.user("viewer")
    assert web.login(person.user.email).status_code == 429
    assert browser(REMOTE_ADDR="10.1.1.2").login(person.user.email).status_code == 302


def test_password_reset_requests_are_limited(make, browser):
    web = browser()
    statuses = [
        web.post("/password/forgot", {"email": "someone@test.example"}).status_code
        for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_claims_are_limited_per_organisation(app, make, api, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_CLAIM", "3 per minute")
    roomy = [{"capability": "litter_cleanup", "tasks_per_week": 50}]
    partner, other = make.partner(capabilities=roomy), make.partner(capabilities=roomy)
    first, second = make.user("partner", partner=partner), make.user("partner", partner=partner)
    outsider = make.user("partner", partner=other)
    needs = [make.need().id for _ in range(6)]
    assert api(first.token).post(f"/api/v1/needs/{needs[0]}/claim").status_code == 201
    assert api(second.token).post(f"/api/v1/needs/{needs[1]}/claim").status_code == 201
    assert api(first.token).post(f"/api/v1/needs/{needs[2]}/claim").status_code == 201
    refused = api(second.token).post(f"/api/v1/needs/{needs[3]}/claim")
    assert refused.status_code == 429
    assert refused.json["code"] == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert api(outsider.token).post(f"/api/v1/needs/{needs[4]}/claim").status_code == 201


def _redis_is_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


WORKERS_SCRIPT = """
import json, sys
from commonground.app import create_app
from commonground.extensions import limiter
settings = json.loads(sys.argv[1])
statuses = []
for n in range(6):
    worker = create_app(settings)  # a fresh app each time: counters live only in Redis
    client = worker.test_client()
    response = client.post("/login", data={"email": "a@b.example", "password": "x" * 12})
    statuses.append(response.status_code)
print(json.dumps({"statuses": statuses, "storage": type(limiter.storage).__name__,
                  "retry_after": response.headers.get("Retry-After")}))
"""


@pytest.mark.skipif(not _redis_is_running(), reason="Redis is not running on 127.0.0.1:6379")
def test_limits_are_kept_in_redis_and_shared_between_workers(app):
    """Six app instances (as six workers would be) share one sign-in counter through Redis.

    Runs in a separate process: Flask-Limiter keeps its storage on the one limiter object.
    """
    outcome = run_in_own_process(
        WORKERS_SCRIPT,
        app,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
        RATELIMIT_KEY_PREFIX=f"cg-test-{uuid.uuid4().hex}",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False,
    )
    assert outcome["statuses"] == [401] * 5 + [429]
    assert "redis" in outcome["storage"].lower()
    assert int(outcome["retry_after"]) > 0
