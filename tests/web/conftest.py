"""Page tests: Flask's test client signed in through the real sign-in form."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.factories import Person
from tests.web.signin import PageClient


@pytest.fixture
def pages(app: Flask, app_context: None) -> Callable[[Person | None], PageClient]:
    """A factory of test clients signed in as a given person (None: anonymous)."""

    def for_person(person: Person | None = None) -> PageClient:
        return PageClient(app.test_client(), person)

    return for_person
