"""CSRF: every state-changing cookie route (all non-API POST/PUT/PATCH/DELETE routes, found in
the URL map) refuses a missing or forged token and accepts a valid one. API routes take only
bearer tokens, so a browser's cookie cannot act there at all."""

from __future__ import annotations

import json
import logging
import re

import pytest

from accounts.security_log import LOGGER_NAME
from tests.browser import Browser

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ARGUMENT = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?([a-z_]+)>")
CSRF_MESSAGE = "The form expired or was not sent by this site"


def _example(match: re.Match) -> str:
    converter, options, _name = match.groups()
    if converter in ("int", "id"):
        return "1"
    if converter == "any":
        return options.split(",")[0].strip()
    return "example"


def _cookie_write_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (method, ARGUMENT.sub(_example, rule.rule))
        for rule in app.url_map.iter_rules()
        # APIs: tokens, never cookies. Unsubscribe: the signed link is the authority and a mail
        # client's RFC 8058 one-click POST carries no CSRF token (web/unsubscribe.py, and a
        # resident's report: web/reports.py).
        if not rule.rule.startswith(("/api/", "/open311/", "/unsubscribe/", "/reports/stop/"))
        for method in rule.methods & WRITE_METHODS
    )


def _signed_in_admin(app, make) -> Browser:
    person = make.user("admin")
    web = Browser(app.test_client())
    assert web.login(person.user.email).status_code == 302
    return web


def test_there_are_cookie_routes_to_protect(app):
    assert len(_cookie_write_routes(app)) >= 10


@pytest.mark.parametrize("token", [None, "forged-token", "IjAwMDAi.AAAAAA.forged"])
def test_every_cookie_write_route_refuses_a_missing_or_forged_token(app, make, token, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    web = _signed_in_admin(app, make)
    for method, path in _cookie_write_routes(app):
        data = {} if token is None else {"csrf_token": token}
        response = web.client.open(path, method=method, data=data)
        assert response.status_code == 400, (method, path, response.status_code)
        assert CSRF_MESSAGE in response.get_data(as_text=True), (method, path)
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER_NAME]
    assert sum(e["event"] == "csrf_failure" for e in events) == len(_cookie_write_routes(app))


def test_every_cookie_write_route_accepts_a_valid_token(app, make):
    web = _signed_in_admin(app, make)
    for method, path in _cookie_write_routes(app):
        if path == "/logout" or path.endswith("logout-everywhere"):
            continue  # checked last: they end the session
        data = {"csrf_token": web.csrf_token()}
        response = web.client.open(path, method=method, data=data)
        assert CSRF_MESSAGE not in response.get_data(as_text=True), (method, path)
        assert response.status_code != 400, (method, path)
    for path in ("/account/logout-everywhere", "/logout"):
        response = web.post(path)
        assert response.status_code == 302, path


def test_a_token_from_another_browser_is_refused(app, make):
    web = _signed_in_admin(app, make)
    other = Browser(app.test_client())
    response = web.client.post(
        "/account/tokens", data={"name": "x", "csrf_token": other.csrf_token()}
    )
    assert response.status_code == 400


def test_a_signed_in_browser_cannot_use_the_api_with_its_cookie(app, make):
    web = _signed_in_admin(app, make)
    response = web.client.post("/api/v1/needs/", json={"title": "From a cookie"})
    assert response.status_code == 401
