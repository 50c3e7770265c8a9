"""The one browser-like test client: signs in through the login form and posts forms with a
valid CSRF token (CSRF protection stays on in tests).

Tests run inside an application context that every test-client request reuses, so `flask.g`
would carry one request's signed-in user, actor and CSRF token into the next (and from one
browser into another); a server gives each request a fresh `g`, and so does `Browser`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, has_app_context

from tests.factories import PASSWORD

# A hidden input named csrf_token, its attributes in either order.
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


def fresh_request_globals() -> None:
    """Empty `flask.g` before a request made inside the test's application context."""
    if has_app_context():
        g.__dict__.clear()


class _FreshGlobalsClient:
    """Wraps a Flask test client so every request starts with an empty `flask.g`."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if name in {"get", "post", "put", "patch", "delete", "open", "head", "options"}:

            def request(*args, **kwargs):
                fresh_request_globals()
                return attribute(*args, **kwargs)

            return request
        return attribute


class Browser:
    """One browser: its own cookie jar; signs in through the form; sends CSRF tokens."""

    def __init__(self, client: Any) -> None:
        self.client = _FreshGlobalsClient(client)

    def csrf_token(self, page: str = "/login") -> str:
        """A valid CSRF token for this browser's session, read from a form on `page`."""
        return csrf_token(self.client.get(page).get_data(as_text=True))

    def login(self, email: str, password: str = PASSWORD, **kwargs: Any):
        """Post the sign-in form (with a valid CSRF token); returns the response."""
        return self.post("/login", {"email": email, "password": password}, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, **kwargs)

    def text(self, path: str, status: int = 200) -> str:
        """A page's HTML, after checking its status."""
        response = self.get(path)
        assert response.status_code == status, (path, response.status_code)
        return response.get_data(as_text=True)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kwargs: Any):
        """Post a form, with a token valid for the session now unless the form has one or
        `csrf` is False (to test the refusal, or to send the token in a header instead)."""
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf_token("/login")
        return self.client.post(path, data=data, **kwargs)

    def sign_in(self, who: Any) -> Browser:
        """Sign this browser in as a person (or an email); fails the test if the form refuses."""
        email = who if isinstance(who, str) else who.user.email
        response = self.login(email)
        assert response.status_code == 302, f"sign-in failed: {response.status_code}"
        return self

    def blank_then_given(
        self, action: str, page: str, given: dict[str, str], blank: str = ""
    ) -> tuple[str, str]:
        """Post `action` with each field of `given` blank, then as given: `page` after each
        (for actions that need a reason)."""
        self.post(action, dict.fromkeys(given, blank))
        refused = self.text(page)
        self.post(action, given)
        return refused, self.text(page)

    def session_cookie(self) -> str | None:
        """The current session cookie's value (to replay it later)."""
        cookie = self.client.get_cookie("cg_session")
        return cookie.value if cookie else None


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Browser:
    """A browser on `client`, signed in through /login; fails the test if the form refuses."""
    browser = Browser(client)
    response = browser.login(email, password)
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return browser


WebClient = Browser
"""The name some tests use for the same client."""
