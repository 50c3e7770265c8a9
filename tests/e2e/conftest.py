"""Browser tests: Debian's Chromium driven by Playwright against a real server on 127.0.0.1.

The server is werkzeug's, in a thread, serving an app on the suite's migrated database with no
map tiles configured (tests never leave 127.0.0.1). Every page a test opens is watched for
JavaScript errors; screenshots go to artifacts/screenshots/. Skipped, with the reason, when
/usr/bin/chromium is absent. Never downloads a browser.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask, Response

from commonground.app import create_app
from commonground.config import ROOT
from commonground.extensions import db
from commonground.security import content_security_policy
from tests.live import CHROMIUM, CHROMIUM_ARGS, served

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# axe-core as the axe-playwright-python package ships it (requirements-dev.txt): injected into
# pages, never fetched.
PASSWORD = "correct horse battery staple"  # tests.factories.Factory.user's password


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here e2e, and skip them all when Chromium is not installed."""
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: apt-get install chromium")
    for item in items:
        if Path(item.fspath).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _objects_stay_readable(app_context: None) -> None:
    """Keep test objects readable after commit without a new read transaction.

    On SQLite every transaction takes the write lock (BEGIN IMMEDIATE); a test thread that
    re-reads an expired object would hold it and make the server wait.
    """
    db.session().expire_on_commit = False


# The policy the security work enforces on every page (no inline script or style); set here
# too, so a page that would break under it fails these tests (Chromium logs each violation).
STRICT_CSP = content_security_policy("")  # no tile host: tests never leave 127.0.0.1


def _strict_csp(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", STRICT_CSP)
    return response


@pytest.fixture(scope="session")
def served_app(app: Flask) -> Flask:
    """The app the real server serves: the suite's database and job queue."""
    served = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "e2e-secret-key-not-for-production",
            "MAP_TILE_URL": "",  # offline: no tile layer at all
            "JOBS_REDIS_URL": "",
            "JOBS_SQLITE_PATH": app.config["JOBS_SQLITE_PATH"],
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],  # the test's photos, read by the server
        }
    )
    served.after_request(_strict_csp)
    return served


@pytest.fixture(scope="session")
def live_server(served_app: Flask) -> Iterator[str]:
    """A real HTTP server on a free port of 127.0.0.1, on the suite's database; its base URL."""
    with served(served_app) as base_url:
        yield base_url


class Worker:
    """A Huey consumer (one worker thread) on the served app's queue, started when the test
    says so, stopped (waiting for its job) when the test ends."""

    def __init__(self, app: Flask) -> None:
        self._consumer = app.extensions["jobs"].huey.create_consumer(
            workers=1, periodic=False, initial_delay=0.05, max_delay=0.2
        )
        self._signals: dict[int, object] = {}
        self.started = False

    def start(self) -> None:
        self._signals = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        self._consumer.start()
        self.started = True

    def stop(self) -> None:
        if self.started:
            self._consumer.stop(graceful=True)
            for sig, handler in self._signals.items():
                signal.signal(sig, handler)


@pytest.fixture
def worker(served_app: Flask) -> Iterator[Worker]:
    """A job worker for the served app; `worker.start()` when the test wants jobs to run."""
    running = Worker(served_app)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium (never downloaded); each tab gets a fresh, empty profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visitor:
    """One person's browser tab, with the JavaScript errors seen on it."""

    page: object
    base_url: str
    errors: list[str] = field(default_factory=list)
    geocoder_misses: int = 0

    def console(self, message: object) -> None:
        """Keep console errors, except the geocoder's expected 503 on an installation that
        has none (the page shows its message; the browser logs every failed fetch)."""
        if message.type != "error":
            return
        self.errors.append(f"console.error: {message.text}")

    def unexpected_errors(self) -> list[str]:
        """Errors seen, less one "failed to load" line per expected geocoder miss."""
        left, misses = [], self.geocoder_misses
        for error in self.errors:
            if misses and "Failed to load resource" in error:
                misses -= 1
                continue
            left.append(error)
        return left

    def response(self, response: object) -> None:
        if "/map/geocode" in response.url and response.status in (404, 503):
            self.geocoder_misses += 1

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def serious_accessibility_violations(self) -> list[str]:
        """axe-core's serious and critical violations on the page shown now, one line each
        (rule, help, first elements)."""
        from axe_playwright_python.sync_playwright import Axe

        found = Axe().run(self.page).response["violations"]
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in found
            if v.get("impact") in ("serious", "critical")
        ]

    def wider_than_the_screen(self) -> bool:
        """Whether the page scrolls sideways (it should fit a 375 px phone)."""
        return self.page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
        )

    def wait_for_markers(self, selector: str) -> int:
        """Wait until the map has drawn its markers; how many it drew."""
        self.page.wait_for_selector(f"{selector}[data-markers]", state="attached")
        return int(self.page.get_attribute(selector, "data-markers"))


@pytest.fixture
def visitor(browser, live_server: str) -> Iterator[object]:
    """A factory of fresh tabs (one cookie jar each), failing the test on any JS error."""
    contexts = []
    visitors: list[Visitor] = []

    def open_tab(width: int = 1280, height: int = 900) -> Visitor:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("dialog", lambda dialog: dialog.accept())
        tab = Visitor(page, live_server)
        page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
        page.on("response", lambda response: tab.response(response))
        page.on("console", lambda msg: tab.console(msg))
        visitors.append(tab)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    errors = [error for tab in visitors for error in tab.unexpected_errors()]
    assert errors == [], f"JavaScript errors on the pages: {errors}"
