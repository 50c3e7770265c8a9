"""Intake commands: `flask import-needs FILE`, `flask geocode-pending`, `flask import-open311 URL`.

Commands act as the SYSTEM actor (an operator at the console), print a summary, and turn
domain errors into a clear message and a non-zero exit status.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from accounts.actor import SYSTEM
from commonground.errors import DomainError

OPEN311_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip
SHOWN_ERRORS = 10


def _categories(path: str | None):
    from intake.mapping import CategoryMap, MappingError

    if not path:
        return None
    try:
        return CategoryMap.from_file(path)
    except MappingError as error:
        raise click.ClickException(str(error)) from error


def _print_report(report, errors_csv: str | None) -> None:
    summary = report.summary()
    click.echo(
        f"{summary['file']}: {summary['rows_read']} rows read ({summary['preset']} preset, "
        f"source {summary['source']}) in {summary['seconds']} s"
    )
    click.echo(
        f"  created {summary['created']}, updated {summary['updated']}, "
        f"unchanged {summary['unchanged']}, closed at source {summary['closed_at_source']}"
    )
    click.echo(
        f"  located by geocoder {summary['located_by_geocoder']}, "
        f"location pending {summary['location_pending']}, "
        f"probable duplicates {summary['probable_duplicates']}"
    )
    click.echo(f"  rejected rows {summary['rows_rejected']}")
    for reason, count in sorted(summary["errors"].items(), key=lambda item: -item[1]):
        click.echo(f"    {count:6}  {reason}")
    for error in report.errors[:SHOWN_ERRORS]:
        click.echo(f"    line {error.line}: {error.field}: {error.reason} [{error.value[:60]}]")
    if len(report.errors) > SHOWN_ERRORS and not errors_csv:
        click.echo("    ... (use --errors-csv FILE for every bad row)")
    if errors_csv:
        with open(errors_csv, "w", newline="", encoding="utf-8") as handle:
            written = report.write_errors_csv(handle)
        click.echo(f"  wrote {written} row errors to {errors_csv}")


@click.command("import-needs")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--preset", default=None, help="boston311, open311 or generic (default: detect)")
@click.option("--source", default="311", show_default=True, help="Where the rows come from.")
@click.option("--kind", type=click.Choice(["csv", "geojson"]), default=None)
@click.option("--categories", default=None, help="JSON/TOML map of source types to codes.")
@click.option("--errors-csv", default=None, help="Write every bad row to this CSV file.")
@click.option("--no-geocode", is_flag=True, help="Leave rows without coordinates pending.")
@click.option("--timezone", default=None, help="Zone of local times (default: preset/city).")
def import_needs_command(
    file: Path,
    preset: str | None,
    source: str,
    kind: str | None,
    categories: str | None,
    errors_csv: str | None,
    no_geocode: bool,
    timezone: str | None,
) -> None:
    """Import needs from a CSV or GeoJSON FILE in one transaction (idempotent)."""
    from intake.services import import_needs

    size = file.stat().st_size
    shown = [0]
    with click.progressbar(length=size, label=f"Importing {file.name}", file=sys.stderr) as bar:

        def progress(done: int) -> None:
            if done - shown[0] >= 256 * 1024 or done >= size:
                bar.update(done - shown[0])
                shown[0] = done

        try:
            report = import_needs(
                SYSTEM,
                file,
                source=source,
                preset=preset,
                kind=kind,
                categories=_categories(categories),
                geocode=not no_geocode,
                timezone=timezone,
                progress=progress,
            )
        except DomainError as error:
            raise click.ClickException(error.message) from error
        bar.update(size - shown[0])
    _print_report(report, errors_csv)


@click.command("geocode-pending")
@with_appcontext
@click.option("--retry-not-found", is_flag=True, help="Ask again about unknown addresses.")
@click.option("--limit", type=int, default=None, help="At most this many needs.")
def geocode_pending_command(retry_not_found: bool, limit: int | None) -> None:
    """Try again to locate needs whose location is pending (one summary line per pass)."""
    from intake.services import geocode_pending

    report = geocode_pending(SYSTEM, retry_not_found=retry_not_found, limit=limit)
    click.echo(report.line())


@click.command("import-open311")
@with_appcontext
@click.argument("url")
@click.option("--source", default="open311", show_default=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day (UTC) to read; default 90 days ago.")  # fmt: skip
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Day (UTC) to stop before; default now.")  # fmt: skip
@click.option("--window-days", type=float, default=7.0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "xml"]), default="json")
@click.option("--page-limit", type=int, default=1000, show_default=True,
              help="Most requests the endpoint returns at once.")  # fmt: skip
@click.option("--categories", default=None, help="JSON/TOML map of service codes to codes.")
@click.option("--errors-csv", default=None)
def import_open311_command(
    url: str,
    source: str,
    since: datetime | None,
    until: datetime | None,
    window_days: float,
    fmt: str,
    page_limit: int,
    categories: str | None,
    errors_csv: str | None,
) -> None:
    """Import service requests from another Open311 GeoReport v2 endpoint (base URL)."""
    from intake.services import import_rows
    from open311.client import Open311Client, Open311ClientError, requests_as_rows

    end = until.replace(tzinfo=UTC) if until else datetime.now(UTC)
    start = since.replace(tzinfo=UTC) if since else end - timedelta(days=90)
    client = Open311Client(url, fmt=fmt, page_limit=page_limit)  # type: ignore[arg-type]
    try:
        items = list(client.requests(start, end, window=timedelta(days=window_days)))
        report = import_rows(
            SYSTEM,
            requests_as_rows(items),
            OPEN311_FIELDS,
            source=source,
            filename=url,
            preset="open311",
            categories=_categories(categories),
        )
    except Open311ClientError as error:
        raise click.ClickException(str(error)) from error
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Read {len(items)} service requests in {client.calls} calls.")
    _print_report(report, errors_csv)


INTAKE_COMMANDS = [import_needs_command, geocode_pending_command, import_open311_command]


def register_intake_commands(app: Flask) -> None:
    """Attach the intake commands to `flask`."""
    for command in INTAKE_COMMANDS:
        app.cli.add_command(command)
