"""Signing in through the login form, with its CSRF token, as a person would.

Page tests run inside the suite's app context, which every test-client request reuses, so
Flask-Login's and Flask-WTF's per-request caches on `g` would leak from one request into the
next; `Browser` drops them before each request, like a fresh request context would.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Browser:
    """A test client used like a browser: each request starts without cached `g` values."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, path: str, **kwargs: Any):
        _forget_request_caches()
        return self.client.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        _forget_request_caches()
        return self.client.post(path, **kwargs)


def _forget_request_caches() -> None:
    for name in ("_login_user", "csrf_token"):
        g.pop(name, None)


def sign_in(client: Any, email: str) -> Browser:
    """Sign in through /login; fails the test if the form refuses."""
    browser = Browser(client)
    page = browser.get("/login")
    response = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302, response.text
    return browser
