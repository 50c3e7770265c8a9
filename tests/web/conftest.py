"""Page tests: browsers signed in through the real sign-in form."""

from __future__ import annotations

import pytest


@pytest.fixture
def pages(browser):
    """The page tests' name for the suite's `browser` fixture: `pages(person)` is a browser
    signed in as that person, `pages(None)` an anonymous one."""
    return browser
