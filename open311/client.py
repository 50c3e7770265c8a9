"""An Open311 GeoReport v2 client that pages through service requests by date windows.

GeoReport v2 has no paging: `GET requests` returns at most a server-chosen number of requests
(the spec's default: 1000, or 90 days) for a `start_date`..`end_date` window. The client asks
window by window; a window that comes back full (`page_limit` items or more) may have been cut
short, so it is split in two and asked again, down to `min_window`. Requests seen twice (on a
window boundary) are yielded once.

Only http(s) URLs are fetched; the caller chooses the host.

Must not import Flask, SQLAlchemy or any Common Ground package except `open311` and `intake`.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from intake.reader import RawRow
from open311.formats import Format, Open311FormatError, ServiceInfo, parse_list, parse_services

__all__ = ["Open311Client", "Open311ClientError", "date_windows", "requests_as_rows"]

Fetch = Callable[[str, float], bytes]


class Open311ClientError(RuntimeError):
    """The remote endpoint failed or answered something that is not GeoReport v2."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_windows(
    start: datetime, end: datetime, step: timedelta
) -> Iterator[tuple[datetime, datetime]]:
    """Consecutive [from, to] windows of `step` covering start..end (the last one shorter)."""
    if step <= timedelta(0):
        raise ValueError("the window must be positive")
    cursor = start
    while cursor < end:
        stop = min(cursor + step, end)
        yield cursor, stop
        cursor = stop


def _urlopen(url: str, timeout: float) -> bytes:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise Open311ClientError(f"only http(s) endpoints can be read, not {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": "common-ground-open311/1"})  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as error:
        body = error.read()[:500].decode("utf-8", "replace")
        raise Open311ClientError(f"{url}: HTTP {error.code}: {body}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise Open311ClientError(f"{url}: {error}") from error


class Open311Client:
    """Reads services and service requests from a GeoReport v2 endpoint (base URL)."""

    def __init__(
        self,
        base_url: str,
        *,
        fmt: Format = "json",
        timeout: float = 30.0,
        page_limit: int = 1000,
        min_window: timedelta = timedelta(minutes=1),
        jurisdiction_id: str | None = None,
        fetch: Fetch = _urlopen,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.fmt = fmt
        self.timeout = timeout
        self.page_limit = page_limit
        self.min_window = min_window
        self.jurisdiction_id = jurisdiction_id
        self._fetch = fetch
        self.calls = 0

    def _get(self, resource: str, params: dict[str, str] | None = None) -> bytes:
        query = dict(params or {})
        if self.jurisdiction_id:
            query["jurisdiction_id"] = self.jurisdiction_id
        url = f"{self.base_url}/{resource}.{self.fmt}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        self.calls += 1
        return self._fetch(url, self.timeout)

    def services(self) -> list[ServiceInfo]:
        try:
            return parse_services(self._get("services"), self.fmt)
        except Open311FormatError as error:
            raise Open311ClientError(f"services: {error}") from error

    def _window(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        body = self._get("requests", {"start_date": _iso(start), "end_date": _iso(end)})
        try:
            return parse_list(body, self.fmt, "service_requests")
        except Open311FormatError as error:
            raise Open311ClientError(f"requests {_iso(start)}..{_iso(end)}: {error}") from error

    def _window_items(self, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        items = self._window(start, end)
        if len(items) >= self.page_limit and end - start > self.min_window:
            middle = start + (end - start) / 2
            yield from self._window_items(start, middle)
            yield from self._window_items(middle, end)
            return
        yield from items

    def requests(
        self, start: datetime, end: datetime, *, window: timedelta = timedelta(days=30)
    ) -> Iterator[dict[str, Any]]:
        """Every service request requested between start and end, each once.

        Dates go out to the second, so the range is widened to whole seconds (a request made
        a moment before `end` is not lost to the truncation).
        """
        start = start.replace(microsecond=0)
        if end.microsecond:
            end = end.replace(microsecond=0) + timedelta(seconds=1)
        seen: set[str] = set()
        for window_start, window_end in date_windows(start, end, window):
            for item in self._window_items(window_start, window_end):
                key = str(item.get("service_request_id") or "")
                if key and key in seen:
                    continue
                if key:
                    seen.add(key)
                yield item


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def requests_as_rows(items: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> Iterator[RawRow]:
    """Service requests as intake rows (the `open311` preset); `line` is the item's position."""
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield RawRow(number, None, "not a service request object", repr(item)[:200])
            continue
        yield RawRow(number, {str(key): _text(value) for key, value in item.items()})
