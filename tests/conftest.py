"""Shared fixtures: a real database (SQLite by default, PostgreSQL with DATABASE_URL) built by
the Alembic migrations once per session and emptied between tests, an API client, and the one
browser-like client for pages.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from commonground.app import create_app
from commonground.extensions import db, limiter
from performance.services import KEPT_REPORTS
from planning.services import BASES, OPEN_NEEDS, REACH
from tests.browser import Browser, sign_in
from tests.factories import ApiClient, Factory, Person

# The suite runs with the default city settings, not those `flask setup-city` wrote into this
# checkout's instance/city.toml.
os.environ.setdefault("CITY_SETTINGS_PATH", os.path.join(os.path.dirname(__file__), "no-city.toml"))


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _fresh_schema() -> None:
    """Drop whatever an earlier run left so the migrations start from nothing."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One application for the session, its schema made by the migrations."""
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "SECRET_KEY": "test-secret-key-not-for-production",
            # scrypt costs ~0.25 s a hash on this machine; the suite creates hundreds of users.
            # The login code path is the same; production refuses anything but scrypt.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # Jobs wait in a real Huey queue on an SQLite file of the run's own; tests run
            # them with `tests.jobs.run_queued_jobs` (a worker's own steps, in process).
            "JOBS_REDIS_URL": "",
            "JOBS_SQLITE_PATH": str(tmp_path_factory.mktemp("jobs") / "jobs.sqlite3"),
            "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        }
    )
    with application.app_context():
        _fresh_schema()
        upgrade()
        db.session.remove()
    yield application


def empty_all_tables() -> None:
    """Delete every row, children first, and restart PostgreSQL's id sequences.

    DELETE on small tables plus a sequence restart costs about a sixth of one TRUNCATE of every
    table (measured: 17 ms against 107 ms a test), which decides how long the suite takes there.
    """
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        sequences = db.session.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        )
        for name in list(sequences):
            db.session.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))
    db.session.commit()
    BASES.clear()  # the process's plan basis described the rows just deleted
    REACH.clear()  # and so did its partners' specs
    OPEN_NEEDS.clear()  # and its open needs
    KEPT_REPORTS.clear()  # and its KPI reports


def add_starting_taxonomy() -> None:
    """The capabilities and neighbourhoods every test starts with."""
    from geo.services import add_neighbourhoods
    from seeds.baton_rouge import NEIGHBOURHOODS
    from seeds.demo import ensure_taxonomy

    ensure_taxonomy()
    add_neighbourhoods(NEIGHBOURHOODS)


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """An application context on an empty database holding the starting taxonomy."""
    with app.app_context():
        empty_all_tables()
        limiter.reset()
        app.extensions["jobs"].huey.flush()
        add_starting_taxonomy()
        yield
        db.session.remove()


@pytest.fixture
def make(app_context: None) -> Factory:
    """Builders for users, partners and needs, through the services."""
    return Factory()


@pytest.fixture
def client(app: Flask, app_context: None):
    """Flask's test client (real HTTP handling, in process)."""
    return app.test_client()


@pytest.fixture
def api(app: Flask, app_context: None):
    """A factory of API clients that send a given user's bearer token."""

    def for_token(token: str | None) -> ApiClient:
        return ApiClient(app.test_client(), token)

    return for_token


@pytest.fixture
def browser(app: Flask, app_context: None):
    """A factory of independent browsers, each with its own cookie jar: `browser()` is anonymous,
    `browser(person)` signed in through the login form; keyword arguments go into every
    request's WSGI environ (e.g. REMOTE_ADDR)."""

    def new_browser(person: Person | str | None = None, **environ) -> Browser:
        client = app.test_client()
        if environ:
            client.environ_base.update(environ)
        if person is None:
            return Browser(client)
        return sign_in(client, person if isinstance(person, str) else person.user.email)

    return new_browser
