"""An Open311 GeoReport v2 client that reads every service request of a date range, or fails.

GeoReport v2 has no paging: `GET requests` returns at most a server-chosen number of requests
(the spec's default: 1000, or 90 days) for a `start_date`..`end_date` window. The client asks
window by window. A window that comes back full (`page_limit` items or more) may have been cut
short: the client first asks for its next `page` (our server's extension, see open311/server.py)
and keeps paging while pages are full; a server that ignores `page` (page 2 brings nothing new)
gets the window split in two and asked again, down to `min_window` (one second). A window still
full at that size raises `Open311ClientError`: requests are never dropped without a word.
Requests are yielded once each across windows and pages - by service_request_id, and requests
without one by their content.

Only http(s) URLs are fetched; the caller chooses the host.

Must not import Flask, SQLAlchemy or any Common Ground package except `open311` and `intake`.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from intake.reader import RawRow
from open311.formats import Format, Open311FormatError, ServiceInfo, parse_list, parse_services

__all__ = [
    "Open311Client",
    "Open311ClientError",
    "date_windows",
    "request_key",
    "requests_as_rows",
    "source_for",
]

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
        min_window: timedelta = timedelta(seconds=1),
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
        self.pages_supported: bool | None = None  # None: not known yet
        self.splits = 0

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

    def _window(self, start: datetime, end: datetime, page: int = 1) -> list[dict[str, Any]]:
        params = {"start_date": _iso(start), "end_date": _iso(end)}
        if page > 1 or self.pages_supported is not False:
            params.update(page=str(page), page_size=str(self.page_limit))
        body = self._get("requests", params)
        try:
            return parse_list(body, self.fmt, "service_requests")
        except Open311FormatError as error:
            raise Open311ClientError(f"requests {_iso(start)}..{_iso(end)}: {error}") from error

    def _pages(
        self, start: datetime, end: datetime, first: list[dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        """Every request of a full window, page by page; None when the server does not page."""
        items, keys = list(first), {request_key(item) for item in first}
        page, last = 1, first
        while len(last) >= self.page_limit:
            page += 1
            last = self._window(start, end, page)
            fresh = [item for item in last if request_key(item) not in keys]
            if last and not fresh:
                self.pages_supported = False
                return None
            self.pages_supported = True
            keys.update(request_key(item) for item in fresh)
            items.extend(fresh)
        return items

    def _window_items(self, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        items = self._window(start, end)
        if len(items) < self.page_limit:
            yield from items
            return
        if self.pages_supported is not False:
            paged = self._pages(start, end, items)
            if paged is not None:
                yield from paged
                return
        if end - start <= self.min_window:
            raise Open311ClientError(
                f"requests {_iso(start)}..{_iso(end)}: the endpoint returned {len(items)} "
                f"requests (its limit) for a window of {end - start}, and does not page: "
                "the rest cannot be read. Nothing was imported."
            )
        self.splits += 1
        middle = start + (end - start) / 2
        yield from self._window_items(start, middle)
        yield from self._window_items(middle, end)

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
                key = request_key(item)
                if key in seen:
                    continue
                seen.add(key)
                yield item


def request_key(item: Any) -> str:
    """What makes a request the same request: its id, else (no id) its whole content."""
    if isinstance(item, dict) and str(item.get("service_request_id") or "").strip():
        return "id:" + str(item["service_request_id"]).strip()
    text = json.dumps(item, sort_keys=True, default=str)
    return "content:" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def source_for(url: str) -> str:
    """The default source name for a peer: its host, as a source name ("311.city.gov" ->
    "311_city_gov"; at most 20 characters, the end of the host kept first)."""
    host = (urllib.parse.urlsplit(url).hostname or "open311").lower()
    name = "".join(ch if ch.isalnum() else "_" for ch in host).strip("_")
    if host.count(".") >= 2 and len(name) > 20:
        name = name.removeprefix("www_")
    return name[:20].strip("_") or "open311_peer"


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
