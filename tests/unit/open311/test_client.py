"""The Open311 client's paging by date windows, with a fake endpoint (no sockets at all)."""

import json
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from open311.client import (
    Open311Client,
    Open311ClientError,
    date_windows,
    request_key,
    requests_as_rows,
    source_for,
)
from open311.formats import render_xml

START = datetime(2026, 1, 1, tzinfo=UTC)


class FakeEndpoint:
    """Serves `requests` from a list of (id, requested time), at most `limit` per answer."""

    def __init__(self, times: list[datetime], limit: int = 1000, fmt: str = "json") -> None:
        self.items = [
            {"service_request_id": str(n), "requested_datetime": t.isoformat(), "status": "open"}
            for n, t in enumerate(times)
        ]
        self.limit = limit
        self.fmt = fmt
        self.urls: list[str] = []

    def in_window(self, url: str) -> tuple[dict[str, str], list[dict]]:
        """Note the call; its query, and the requests inside its date window."""
        self.urls.append(url)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        start = datetime.fromisoformat(query["start_date"])
        end = datetime.fromisoformat(query["end_date"])
        inside = [
            item
            for item in self.items
            if start <= datetime.fromisoformat(item["requested_datetime"]) <= end
        ]
        return query, inside

    def __call__(self, url: str, timeout: float) -> bytes:
        chosen = self.in_window(url)[1][: self.limit]
        if self.fmt == "xml":
            return render_xml("service_requests", chosen)
        return json.dumps(chosen).encode()


def _one_window(
    times: list[datetime], *, limit: int, days: int
) -> tuple[Open311Client, list[dict]]:
    """A client reading `days` days from START as one window from an endpoint that answers at
    most `limit` requests (and says it pages by `limit`): the client and what it read."""
    endpoint = FakeEndpoint(times, limit=limit)
    client = Open311Client("http://127.0.0.1:1/open311/v2", page_limit=limit, fetch=endpoint)
    window = timedelta(days=days)
    return client, list(client.requests(START, START + window, window=window))


def test_date_windows_cover_the_range_without_gaps():
    windows = list(date_windows(START, START + timedelta(days=10), timedelta(days=4)))
    assert windows == [
        (START, START + timedelta(days=4)),
        (START + timedelta(days=4), START + timedelta(days=8)),
        (START + timedelta(days=8), START + timedelta(days=10)),
    ]
    with pytest.raises(ValueError, match="positive"):
        list(date_windows(START, START, timedelta(0)))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_request_is_read_once_across_windows(fmt):
    times = [START + timedelta(hours=6 * n) for n in range(40)]  # 10 days, some on boundaries
    endpoint = FakeEndpoint(times, fmt=fmt)
    client = Open311Client("http://127.0.0.1:1/open311/v2/", fmt=fmt, fetch=endpoint)
    items = list(client.requests(START, START + timedelta(days=10), window=timedelta(days=2)))
    assert sorted(int(i["service_request_id"]) for i in items) == list(range(40))
    assert endpoint.urls[0].startswith(f"http://127.0.0.1:1/open311/v2/requests.{fmt}?start_date=")


def test_a_full_window_is_split_until_nothing_is_cut_off():
    times = [START + timedelta(minutes=10 * n) for n in range(300)]
    client, items = _one_window(times, limit=50, days=3)
    assert len(items) == 300
    assert client.calls > 6


def test_a_non_open311_answer_is_a_client_error():
    client = Open311Client("http://127.0.0.1:1", fetch=lambda url, timeout: b'{"not": "a list"}')
    with pytest.raises(Open311ClientError, match="top-level array"):
        list(client.requests(START, START + timedelta(days=1)))
    with pytest.raises(Open311ClientError, match="services"):
        client.services()


def test_only_http_urls_are_fetched():
    client = Open311Client("file:///etc")
    with pytest.raises(Open311ClientError, match="only http"):
        client.services()


def test_the_jurisdiction_is_sent_when_configured():
    endpoint = FakeEndpoint([])
    client = Open311Client("http://127.0.0.1:1", jurisdiction_id="br.gov", fetch=endpoint)
    list(client.requests(START, START + timedelta(days=1)))
    assert "jurisdiction_id=br.gov" in endpoint.urls[0]


def test_requests_become_intake_rows_numbered_from_1():
    rows = list(requests_as_rows([{"service_request_id": 5, "lat": 30.5, "x": None}, "junk"]))
    assert rows[0].line == 1
    assert rows[0].values == {"service_request_id": "5", "lat": "30.5", "x": ""}
    assert (rows[1].line, rows[1].ok) == (2, False)


class PagingEndpoint(FakeEndpoint):
    """Like FakeEndpoint, and honours `page` / `page_size` (our server's extension)."""

    def __call__(self, url: str, timeout: float) -> bytes:
        query, inside = self.in_window(url)
        size = min(int(query.get("page_size", self.limit)), self.limit)
        first = (int(query.get("page", 1)) - 1) * size
        return json.dumps(inside[first : first + size]).encode()


def test_a_full_window_of_a_paging_server_is_read_page_by_page():
    times = [START + timedelta(seconds=n % 3) for n in range(2_500)]  # all in three seconds
    endpoint = PagingEndpoint(times, limit=1000)
    client = Open311Client("http://127.0.0.1:1/open311/v2", fetch=endpoint)
    items = list(client.requests(START, START + timedelta(days=1), window=timedelta(days=1)))
    assert len(items) == 2_500
    assert (client.calls, client.pages_supported, client.splits) == (3, True, 0)


def test_a_server_that_neither_pages_nor_narrows_fails_loudly():
    times = [START + timedelta(milliseconds=n) for n in range(120)]  # under one second
    client = Open311Client("http://127.0.0.1:1", page_limit=100,
                           fetch=FakeEndpoint(times, limit=100))  # fmt: skip
    with pytest.raises(Open311ClientError, match="does not page: the rest cannot be read"):
        list(client.requests(START, START + timedelta(days=1), window=timedelta(days=1)))
    assert client.pages_supported is False


def test_a_server_that_does_not_page_gets_its_windows_split_down_to_one_second():
    times = [START + timedelta(seconds=2 * n) for n in range(300)]
    client, items = _one_window(times, limit=100, days=1)
    assert len(items) == 300
    assert client.splits > 0


def test_requests_without_an_id_are_yielded_once_across_windows():
    same = {"service_code": "x", "requested_datetime": START.isoformat(), "status": "open"}
    client = Open311Client(
        "http://127.0.0.1:1", fetch=lambda url, timeout: json.dumps([same]).encode()
    )
    items = list(client.requests(START, START + timedelta(days=3), window=timedelta(days=1)))
    assert items == [same]
    assert request_key(same) != request_key({**same, "status": "closed"})


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://311.baltimorecity.gov/open311/v2", "311_baltimorecity_go"),
        ("http://127.0.0.1:5000/open311/v2", "127_0_0_1"),
        ("https://www.city.example/open311", "www_city_example"),
    ],
)
def test_the_default_source_names_the_peer(url, source):
    assert source_for(url) == source
