"""Signing a test client in through the real sign-in form, and posting forms with the CSRF
token the pages carry (CSRF protection stays on in tests)."""

from __future__ import annotations

import re
from typing import Any

from flask import g

from tests.factories import Person

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    """The CSRF token embedded in a page."""
    found = TOKEN.search(html)
    assert found, "no csrf_token on the page"
    return found.group(1) or found.group(2)


def _forget_request_caches() -> None:
    """Drop what Flask-Login and Flask-WTF cache on `g` for one request.

    Page tests run inside the suite's app context, which each test-client request reuses, so
    `g` would otherwise carry one request's signed-in user and CSRF token into the next
    (and from one person's client into another's).
    """
    for name in ("_login_user", "csrf_token"):
        g.pop(name, None)


class PageClient:
    """A test client signed in as one person, that posts forms with the page's token."""

    def __init__(self, client: Any, person: Person | None = None) -> None:
        self.client = client
        self.token = csrf_token(self.get("/login").get_data(as_text=True))
        if person is not None:
            _forget_request_caches()
            response = client.post(
                "/login",
                data={"email": person.user.email, "password": PASSWORD, "csrf_token": self.token},
            )
            assert response.status_code == 302, "sign-in failed"
            self.token = csrf_token(self.get("/login").get_data(as_text=True))

    def get(self, path: str, **kwargs: Any):
        _forget_request_caches()
        return self.client.get(path, **kwargs)

    def text(self, path: str, status: int = 200) -> str:
        response = self.get(path)
        assert response.status_code == status, (path, response.status_code)
        return response.get_data(as_text=True)

    def post(self, path: str, data: dict | None = None, **kwargs: Any):
        _forget_request_caches()
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)
