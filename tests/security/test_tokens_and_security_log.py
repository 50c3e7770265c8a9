"""API tokens: hashed at rest, shown once, revocable, expiring, header-only, never logged.
The security log: one JSON line per event that user text cannot split or forge."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

from sqlalchemy import select

from accounts.models import ApiToken
from accounts.security_log import LOGGER_NAME
from accounts.services import create_api_token
from accounts.tokens import token_digest
from commonground.db_types import utcnow
from commonground.extensions import db

TOKEN = re.compile(r"cg_[A-Za-z0-9_-]{43}")


def _security_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER_NAME]


def test_a_token_is_stored_only_as_a_digest(make):
    person = make.user("coordinator")
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == person.id))
    assert row.token_hash == token_digest(person.token)
    assert person.token not in (row.token_hash, row.prefix, row.name)


def test_a_token_created_on_the_profile_page_is_shown_once_and_works(make, browser, api):
    person = make.user("outreach")
    web = browser()
    web.login(person.user.email)
    created = web.post("/account/tokens", {"name": "laptop", "expires_in_days": "30"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    (raw,) = set(TOKEN.findall(created.get_data(as_text=True)))
    assert api(raw).get("/api/v1/me").json["email"] == person.user.email
    profile = web.get("/account").get_data(as_text=True)
    assert "laptop" in profile
    assert raw not in profile
    assert raw not in (web.session_cookie() or "")


def test_a_token_revoked_on_the_profile_page_stops_working(make, browser, api):
    person = make.user("viewer")
    web = browser()
    web.login(person.user.email)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == person.id))
    assert web.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert api(person.token).get("/api/v1/me").status_code == 401


def test_someone_elses_token_cannot_be_revoked(make, browser, api):
    owner, other = make.user("viewer"), make.user("coordinator")
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    web = browser()
    web.login(other.user.email)
    assert web.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert api(other.token).delete(f"/api/v1/me/tokens/{token_id}").status_code == 404
    assert api(owner.token).get("/api/v1/me").status_code == 200


def test_an_expired_token_is_refused(make, api):
    person = make.user("viewer")
    now = utcnow()
    _, raw = create_api_token(
        person.actor, name="short", expires_at=now + timedelta(seconds=1), now=now
    )
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(raw)))
    token.expires_at = now - timedelta(seconds=1)
    db.session.commit()
    response = api(raw).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["message"] == "The token has expired."


def test_a_token_in_the_query_string_is_not_accepted(make, client):
    person = make.user("admin")
    for name in ("token", "access_token", "api_key"):
        response = client.get(f"/api/v1/me?{name}={person.token}")
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_token_strings_never_reach_the_logs(make, browser, api, caplog):
    caplog.set_level(logging.DEBUG)
    person = make.user("coordinator")
    web = browser()
    web.login(person.user.email)
    created = web.post("/account/tokens", {"name": "ci", "expires_in_days": "7"})
    (raw,) = set(TOKEN.findall(created.get_data(as_text=True)))
    api(raw).get("/api/v1/me")
    api(raw + "x").get("/api/v1/me")
    api(person.token).get("/api/v1/needs/")
    token_id = db.session.scalar(
        select(ApiToken.id).where(ApiToken.token_hash == token_digest(raw))
    )
    web.post(f"/account/tokens/{token_id}/revoke")
    api(raw).get("/api/v1/me")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    for secret in (raw, person.token, raw[:20], person.token[3:23]):
        assert secret not in text
    events = [(line["event"], line["outcome"]) for line in _security_lines(caplog)]
    assert ("token_use", "success") in events
    assert ("token_use", "failure") in events
    assert ("token_created", "success") in events


def test_security_events_are_logged_with_user_route_and_outcome(make, browser, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    person = make.user("viewer")
    web = browser()
    web.login(person.user.email, "wrong password here")
    web.login(person.user.email)
    web.get("/review/partners")  # a viewer may not review partners: denial
    web.client.post("/account/logout-everywhere", data={})  # no CSRF token
    lines = _security_lines(caplog)
    by_event = {(line["event"], line["outcome"]): line for line in lines}
    failure = by_event[("login", "failure")]
    success = by_event[("login", "success")]
    denied = by_event[("access_denied", "denied")]
    csrf = by_event[("csrf_failure", "denied")]
    assert failure["route"] == success["route"] == "/login"
    assert success["user_id"] == denied["user_id"] == csrf["user_id"] == person.id
    assert denied["route"] == "/review/partners" and denied["status"] == 403
    for line in lines:
        assert {"time", "event", "outcome", "user_id", "partner_id", "route", "method"} <= set(line)


def test_user_text_cannot_forge_a_security_log_line(make, browser, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    forged = 'x@y.example\n{"event": "login", "outcome": "success", "user_id": 1}'
    browser().login(forged, "whatever password")
    records = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert records
    for record in records:
        message = record.getMessage()
        assert "\n" not in message and "\r" not in message
        json.loads(message)
    assert not any(json.loads(r.getMessage()).get("outcome") == "success" for r in records)
