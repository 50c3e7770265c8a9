"""Intake commands: `flask import-needs FILE` and `flask geocode-pending`.

Commands act as the SYSTEM actor (an operator at the console), print a summary, and turn
domain errors into a clear message and a non-zero exit status. `print_import_report` and
`read_categories` serve `flask import-open311` (open311/cli.py) as well.

Must not import `open311` (Open311 builds on intake, not the other way round) nor web code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from accounts.actor import SYSTEM
from commonground.errors import DomainError
from intake.mapping import CategoryOverrides, MappingError
from intake.options import ImportOptions
from intake.report import ImportReport

SHOWN_ERRORS = 10


def read_categories(path: str | None) -> CategoryOverrides | None:
    """The `--categories` file's overrides (checked against the taxonomy when importing)."""
    if not path:
        return None
    try:
        return CategoryOverrides.from_file(path)
    except MappingError as error:
        raise click.ClickException(str(error)) from error


def print_import_report(report: ImportReport, errors_csv: str | None) -> None:
    """Echo an import's summary and its first row errors; write them all to `errors_csv`."""
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

    options = ImportOptions(
        source=source,
        preset=preset,
        kind=kind,
        categories=read_categories(categories),
        geocode=not no_geocode,
        timezone=timezone,
    )
    size = file.stat().st_size
    shown = [0]
    with click.progressbar(length=size, label=f"Importing {file.name}", file=sys.stderr) as bar:

        def progress(done: int) -> None:
            if done - shown[0] >= 256 * 1024 or done >= size:
                bar.update(done - shown[0])
                shown[0] = done

        try:
            report = import_needs(SYSTEM, file, options, progress=progress)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        bar.update(size - shown[0])
    print_import_report(report, errors_csv)


@click.command("geocode-pending")
@with_appcontext
@click.option("--retry-not-found", is_flag=True, help="Ask again about unknown addresses.")
@click.option("--limit", type=int, default=None, help="At most this many needs.")
def geocode_pending_command(retry_not_found: bool, limit: int | None) -> None:
    """Try again to locate needs whose location is pending (one summary line per pass)."""
    from intake.services import geocode_pending

    report = geocode_pending(SYSTEM, retry_not_found=retry_not_found, limit=limit)
    click.echo(report.line())


INTAKE_COMMANDS = [import_needs_command, geocode_pending_command]
