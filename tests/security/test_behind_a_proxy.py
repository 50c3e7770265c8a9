"""Behind a reverse proxy (PROXY_COUNT=1): each client has its own rate-limit key, the scheme is
HTTPS, so CSRF checks the Referer; without PROXY_COUNT the forwarded headers are ignored
(issue 14, item 3)."""

from __future__ import annotations

import pytest
from flask import Flask, request

from commonground.app import create_app
from commonground.extensions import db, limiter
from tests.browser import Browser
from tests.factories import PASSWORD

PROXY = "10.9.9.9"  # every request arrives from the proxy's own address


@pytest.fixture
def proxied(app: Flask, app_context: None) -> Flask:
    """The app as deployed behind one proxy (same database as the suite's app)."""
    behind = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
            "PROXY_COUNT": 1,
        }
    )

    @behind.get("/_seen")
    def seen():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    limiter.reset()
    return behind


def _new_account(make) -> str:
    """A viewer's email; the test's own transaction is ended so the other app can write."""
    email = make.user("viewer").user.email
    db.session.remove()  # on SQLite an open transaction holds the write lock
    return email


def _client_of(application: Flask, address: str, proto: str = "http") -> Browser:
    client = application.test_client()
    client.environ_base.update(
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address, HTTP_X_FORWARDED_PROTO=proto
    )
    return Browser(client)


def test_the_client_address_scheme_and_host_come_from_the_proxy(proxied):
    web = _client_of(proxied, "203.0.113.7", "https")
    seen = web.get("/_seen", headers={"X-Forwarded-Host": "cg.city.example"}).json
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "cg.city.example"}


def test_behind_a_proxy_each_client_has_its_own_sign_in_limit(make, proxied):
    email = _new_account(make)
    noisy = _client_of(proxied, "203.0.113.1")
    for n in range(5):
        noisy.login(f"guess{n}@test.example", "wrong password!!")
    assert noisy.login(email).status_code == 429
    assert _client_of(proxied, "203.0.113.2").login(email).status_code == 302


def test_without_proxy_count_forwarded_addresses_are_ignored(make, app, browser):
    spoofing = [
        browser(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}") for n in range(6)
    ]
    for n, web in enumerate(spoofing[:5]):
        web.login(f"guess{n}@test.example", "wrong password!!")
    assert spoofing[5].login(make.user("viewer").user.email).status_code == 429


def test_over_https_csrf_checks_the_referer(make, proxied):
    email = _new_account(make)
    web = _client_of(proxied, "203.0.113.3", "https")
    token = web.csrf_token()
    form = {"email": email, "password": PASSWORD, "csrf_token": token}
    foreign = web.client.post("/login", data=form, headers={"Referer": "https://evil.example/"})
    assert foreign.status_code == 400
    same = web.client.post("/login", data=form, headers={"Referer": "https://localhost/login"})
    assert same.status_code == 302
