"""Fixtures for the security tests: browser-like clients."""

from __future__ import annotations

import pytest

from tests.factories import WebClient


@pytest.fixture
def browser(app, app_context):
    """A factory of independent browsers (each with its own cookie jar)."""

    def new_browser(**environ) -> WebClient:
        client = app.test_client()
        if environ:
            client.environ_base.update(environ)
        return WebClient(client)

    return new_browser
