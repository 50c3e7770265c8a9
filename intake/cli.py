"""Intake commands: `flask import-needs FILE` and `flask geocode-pending`.

Commands act as the SYSTEM actor (an operator at the console), print a summary, and turn
domain errors into a clear message and a non-zero exit status. `print_import_report` and
`read_categories` serve `flask import-open311` (open311/cli.py) as well.

Must not import `open311` (Open311 builds on intake, not the other way round) nor web code.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from accounts.actor import SYSTEM
from commonground.errors import DomainError
from intake.mapping import CategoryOverrides, ColumnMapping, MappingError, parse_assignments
from intake.options import ImportOptions
from intake.profiles import apply_profile, read_profile_file
from intake.report import ImportReport

SHOWN_ERRORS = 10
PREVIEW_ROWS = 5


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
    unused = summary.get("unused_columns") or []
    click.echo(f"  columns not used: {', '.join(unused) if unused else 'none'}")
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


def read_mapping(
    columns: tuple[str, ...],
    fixed: tuple[str, ...],
    location_column: str | None,
    date_format: str | None,
) -> ColumnMapping:
    """`--column FIELD=HEADER`, `--set FIELD=VALUE`, `--location-column`, `--date-format`."""
    try:
        return ColumnMapping(
            columns=parse_assignments(columns, "--column"),
            fixed=parse_assignments(fixed, "--set"),
            location_column=location_column or None,
            date_format=date_format or None,
        )
    except MappingError as error:
        raise click.ClickException(str(error)) from error


def print_preview(report: ImportReport) -> None:
    """A dry run's first rows as the needs they would become."""
    click.echo("  dry run: nothing was stored; the first rows would become:")
    for row in report.preview:
        where = (
            f"{row['latitude']:.6f}, {row['longitude']:.6f}"
            if row["latitude"] is not None
            else f"location pending ({row['location_problem']})"
        )
        click.echo(
            f"    line {row['line']}: {row['external_id']} {row['capability']} "
            f'"{row["title"]}" at {row["address"] or "-"} [{where}]'
            + (f" parcel {row['parcel_id']}" if row["parcel_id"] else "")
            + (f" zip {row['zip_code']}" if row["zip_code"] else "")
        )


def command_options(profile: str | None, given: dict[str, Any]) -> ImportOptions:
    """The options of one import: the profile (a file, else a stored name), then what the
    command line gave."""
    from intake.services import import_profile

    try:
        options = ImportOptions()
        if profile:
            if Path(profile).is_file():
                data = read_profile_file(profile)
            else:
                data = import_profile(SYSTEM, profile)
            options = apply_profile(data, options)
        return apply_profile(given, options)
    except MappingError as error:
        raise click.ClickException(str(error)) from error
    except DomainError as error:
        raise click.ClickException(error.message) from error


@click.command("import-needs")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--preset", default=None, help="boston311, open311 or generic (default: detect)")
@click.option("--source", default=None, help="Where the rows come from (default 311).")
@click.option("--kind", type=click.Choice(["csv", "geojson"]), default=None)
@click.option("--categories", default=None, help="JSON/TOML map of source types to codes.")
@click.option("--errors-csv", default=None, help="Write every bad row to this CSV file.")
@click.option("--no-geocode", is_flag=True, help="Leave rows without coordinates pending.")
@click.option("--timezone", default=None, help="Zone of local times (default: preset/city).")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="The header holding FIELD (external_id, category, title, address ...).",
)
@click.option(
    "--set",
    "fixed",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Every row's value of FIELD (e.g. category=board_up).",
)
@click.option(
    "--location-column",
    default=None,
    metavar="HEADER",
    help="One column holding the point: (lat, lon), lat, lon, WKT POINT or GeoJSON.",
)
@click.option("--date-format", default=None, help="strptime format of the file's dates.")
@click.option(
    "--duplicate-radius",
    type=click.FloatRange(min=0),
    default=None,
    help="Metres for probable duplicates from this source (0: no check).",
)
@click.option("--dry-run", is_flag=True, help="Check and preview; store nothing.")
@click.option(
    "--profile",
    default=None,
    metavar="NAME|FILE",
    help="A stored import profile, or a JSON/TOML profile file; options given here win.",
)
@click.option("--save-profile", default=None, metavar="NAME", help="Store these options as NAME.")
def import_needs_command(
    file: Path,
    preset: str | None,
    source: str | None,
    kind: str | None,
    categories: str | None,
    errors_csv: str | None,
    no_geocode: bool,
    timezone: str | None,
    columns: tuple[str, ...],
    fixed: tuple[str, ...],
    location_column: str | None,
    date_format: str | None,
    duplicate_radius: float | None,
    dry_run: bool,
    profile: str | None,
    save_profile: str | None,
) -> None:
    """Import needs from a CSV or GeoJSON FILE in one transaction (idempotent)."""
    from intake.services import import_needs, save_import_profile

    mapping = read_mapping(columns, fixed, location_column, date_format)
    given: dict[str, Any] = {
        "source": source, "preset": preset, "kind": kind, "timezone": timezone,
        "duplicate_radius_m": duplicate_radius, "columns": dict(mapping.columns) or None,
        "set": dict(mapping.fixed) or None, "location_column": mapping.location_column,
        "date_format": mapping.date_format,
    }  # fmt: skip
    if no_geocode:
        given["geocode"] = False
    options = command_options(profile, {k: v for k, v in given.items() if v is not None})
    if categories:
        options = replace(options, categories=read_categories(categories))
    options = replace(options, dry_run=dry_run, preview_rows=PREVIEW_ROWS if dry_run else 0)
    if save_profile:
        try:
            save_import_profile(SYSTEM, save_profile, options)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"Saved import profile {save_profile!r}.")
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
    if dry_run:
        print_preview(report)


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
