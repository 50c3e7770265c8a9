"""Open311 command: `flask import-open311 URL` reads another city's GeoReport v2 endpoint.

The pull itself is `open311.peers.pull_from_peer` (shared with the scheduled pull of
OPEN311_PEERS): the source is named after the peer's host unless `--source` says otherwise
(plain "open311" would mix them with requests posted to our own endpoint). Acts as the SYSTEM
actor.

Imports `intake` (Open311 builds on it); intake must not import this package. No web code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import with_appcontext

from accounts.actor import SYSTEM
from commonground.errors import DomainError

__all__ = ["OPEN311_COMMANDS", "import_open311_command"]


@click.command("import-open311")
@with_appcontext
@click.argument("url")
@click.option("--source", default=None,
              help="Source name of the requests (default: the peer's host).")  # fmt: skip
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day to read (in --timezone); default 90 days ago.")  # fmt: skip
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Day to stop before (in --timezone); default now.")  # fmt: skip
@click.option(
    "--timezone",
    default=None,
    help="The peer's zone, for --since/--until and times written without one "
    "(default: CITY_TIMEZONE).",
)
@click.option("--window-days", type=float, default=7.0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "xml"]), default="json")
@click.option("--page-limit", type=int, default=1000, show_default=True,
              help="Most requests the endpoint returns at once.")  # fmt: skip
@click.option("--categories", default=None, help="JSON/TOML map of service codes to codes.")
@click.option("--errors-csv", default=None)
def import_open311_command(
    url: str,
    source: str | None,
    since: datetime | None,
    until: datetime | None,
    timezone: str | None,
    window_days: float,
    fmt: str,
    page_limit: int,
    categories: str | None,
    errors_csv: str | None,
) -> None:
    """Import service requests from another Open311 GeoReport v2 endpoint (base URL)."""
    from intake.cli import print_import_report, read_categories
    from open311.client import Open311ClientError
    from open311.peers import pull_from_peer

    timezone = timezone or current_app.config["CITY_TIMEZONE"]
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise click.BadParameter(
            f"unknown time zone {timezone!r}", param_hint="--timezone"
        ) from error
    end = until.replace(tzinfo=zone) if until else datetime.now(UTC)
    start = since.replace(tzinfo=zone) if since else end - timedelta(days=90)
    try:
        pulled = pull_from_peer(
            SYSTEM,
            url,
            start=start,
            end=end,
            timezone=timezone,
            source=source,
            fmt=fmt,
            page_limit=page_limit,
            window=timedelta(days=window_days),
            categories=read_categories(categories),
        )
    except Open311ClientError as error:
        raise click.ClickException(str(error)) from error
    except DomainError as error:
        raise click.ClickException(error.message) from error
    paging = {True: "paged", False: "no paging; windows split", None: "no full window"}
    click.echo(
        f"Read {pulled.requests} service requests in {pulled.calls} calls "
        f"({paging[pulled.pages_supported]}, {pulled.splits} window splits)."
    )
    report = pulled.report
    print_import_report(report, errors_csv)


@click.command("create-app-key")
@with_appcontext
@click.option("--email", required=True, help="The coordinator or admin who answers for the app.")
@click.option("--name", required=True, help="Which resident app the key is for.")
def create_app_key_command(email: str, name: str) -> None:
    """Make an Open311 api_key for a resident app: it may only create reports (awaiting
    triage), whatever its owner may do. Printed once."""
    from sqlalchemy import func, select

    from accounts.models import User
    from accounts.services import actor_for, create_api_token
    from commonground.extensions import db

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or user.role not in ("admin", "coordinator"):
        raise click.ClickException("Give the email of an active coordinator or admin.")
    _token, raw = create_api_token(actor_for(user), name=name[:80], scope="report")
    click.echo(raw)


OPEN311_COMMANDS = [import_open311_command, create_app_key_command]
