"""Pulling service requests from another city's Open311 GeoReport v2 endpoint (a peer) into
needs: the shared body of `flask import-open311` and the scheduled pull of OPEN311_PEERS.

The requests are read through `open311.client` (paging, or splitting windows, until nothing is
cut off; it fails loudly otherwise) and imported by `intake.services.import_rows` as rows of
the `open311` preset, in one transaction, under a source named after the peer's host unless
told otherwise. Importing again changes only what changed, so a daily pull of the last days is
safe. Must not import web code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from accounts.actor import Actor
from intake.options import CategoryOverrides, ImportOptions
from intake.report import ImportReport
from intake.services import import_rows
from open311.client import Open311Client, requests_as_rows, source_for

OPEN311_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip


@dataclass
class PeerPull:
    """What one pull read and what the import made of it."""

    requests: int
    calls: int
    pages_supported: bool | None
    splits: int
    report: ImportReport


def pull_from_peer(
    actor: Actor,
    url: str,
    *,
    start: datetime,
    end: datetime | None = None,
    timezone: str,
    source: str | None = None,
    fmt: str = "json",
    page_limit: int = 1000,
    window: timedelta = timedelta(days=7),
    categories: CategoryOverrides | None = None,
) -> PeerPull:
    """Read the peer's requests from `start` to `end` (default now) and import them.

    Raises `open311.client.Open311ClientError` when the peer cannot be read completely.
    """
    options = ImportOptions(
        source=source or source_for(url),
        preset="open311",
        categories=categories,
        timezone=timezone,
    )
    client = Open311Client(url, fmt=fmt, page_limit=page_limit)  # type: ignore[arg-type]
    items = list(client.requests(start, end or datetime.now(UTC), window=window))
    report = import_rows(actor, requests_as_rows(items), OPEN311_FIELDS, options, filename=url)
    return PeerPull(len(items), client.calls, client.pages_supported, client.splits, report)
