"""Use cases for intake: import a file of needs, geocode what is pending, settle duplicates.

`import_needs` streams a file's rows through the pure core (reader -> mapping -> records) and
`intake.writer.NeedWriter` writes them in ONE transaction per file: a crash or a `kill -9`
halfway leaves nothing (docs/field-notes.md, trap 11). `import_rows` does the same for rows read
elsewhere (an Open311 endpoint's). What the person importing chose travels as one
`ImportOptions`; category codes are checked against the taxonomy in the database.

An import is idempotent by (source, external_id): an unchanged row changes nothing, a changed
row updates its need with an "edit" event, and a row closed at the source closes an open need
through the needs services (`close_at_source`). Every good row is kept and every bad one
reported with its line, field and reason. Rows without usable coordinates are geocoded through
the `GeocodeCache` (geo/); when the geocoder fails the need waits as "location pending" for
`geocode_pending`. A new open need of the same capability within DUPLICATE_RADIUS_M (30 m) of an
open need is linked to it as a probable duplicate (`duplicate_of_id`), never dropped - unless
both name parcels, which then must match (`intake.duplicates`); a radius of 0 (per source in
`ImportOptions`, or DUPLICATE_RADIUS_M) turns the check off;
coordinators confirm it (the `mark_duplicate` action) or `separate_duplicate` it.

Imports Flask, SQLAlchemy and the needs, capabilities and geo services; must not import web
code, the API or `open311`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select, update

from accounts.actor import Actor
from capabilities.services import capability_labels
from commonground.db_types import utcnow
from commonground.errors import ConflictError, NotFoundError, ValidationError
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from geo.geocoders import ConfiguredGeocoder, suppressed_retry_log_records
from geo.geocoding import CachedGeocoder, configured_geocoder
from geo.services import Centre, nearest_neighbourhood, neighbourhood_centres
from intake.duplicates import ProximityIndex
from intake.mapping import CategoryMap, MappingError, choose_preset
from intake.models import ImportProfile
from intake.options import ImportOptions
from intake.profiles import apply_profile, profile_of
from intake.reader import IntakeFileError, RawRow, open_intake_file
from intake.records import NeedRecord, RecordBuilder
from intake.report import ImportReport, preview_row
from intake.writer import NeedWriter, open_needs_index
from needs.models import Need
from needs.services import record_event

__all__ = [
    "GeocodePassReport",
    "ImportOptions",
    "ImportReport",
    "geocode_pending",
    "import_needs",
    "import_options_from_form",
    "import_profile",
    "import_rows",
    "list_import_profiles",
    "save_import_profile",
    "separate_duplicate",
]

log = logging.getLogger(__name__)

PREVIEW_ROWS = 5
SOURCE_PATTERN = re.compile(r"^[a-z0-9_]{1,20}$")
Progress = Callable[[int], None]


def _check_source(source: str) -> str:
    source = (source or "").strip().lower()
    if not SOURCE_PATTERN.match(source):
        raise ValidationError(
            "A source is 1 to 20 lower-case letters, digits or underscores.",
            {"source": ["Use a short name such as 311 or blight_survey."]},
        )
    return source


def import_rows(
    actor: Actor,
    rows: Iterator[RawRow],
    header: list[str],
    options: ImportOptions,
    *,
    filename: str = "",
    geocoder: ConfiguredGeocoder | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import already-read rows (a file's, or an Open311 endpoint's) in one transaction.

    `geocoder` replaces the configured one (tests); `progress`, when given, is called with each
    row's line number.
    """
    actor.require("import.run")
    source = _check_source(options.source)
    now = now or utcnow()
    started = time.perf_counter()
    config = current_app.config
    builder = _record_builder(header, options, source)
    report = ImportReport(
        source=source,
        preset=builder.preset.name,
        filename=filename,
        unused_columns=builder.unused_columns,
        dry_run=options.dry_run,
    )
    cached = None
    if options.geocode:
        cached = CachedGeocoder(geocoder or configured_geocoder(), now=now)
    try:
        writer = NeedWriter(
            actor,
            report,
            now=now,
            geocoder=cached,
            radius_m=_radius(options),
            city_tz=ZoneInfo(config["CITY_TIMEZONE"]),
        )
        for raw in rows:
            outcome = builder.build(raw)
            report.intake.add(outcome)
            if isinstance(outcome, NeedRecord):
                if len(report.preview) < options.preview_rows:
                    report.preview.append(preview_row(outcome))
                writer.add(outcome)
            if progress is not None:
                progress(raw.line)
        writer.finish()
        if options.dry_run:
            db.session.rollback()  # everything was checked and counted; nothing is kept
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    report.seconds = time.perf_counter() - started
    return report


def _radius(options: ImportOptions) -> float:
    """The options' duplicate radius, else DUPLICATE_RADIUS_M (0 turns the check off)."""
    if options.duplicate_radius_m is not None:
        return max(float(options.duplicate_radius_m), 0.0)
    return max(float(current_app.config.get("DUPLICATE_RADIUS_M", 30.0)), 0.0)


def _record_builder(header: list[str], options: ImportOptions, source: str) -> RecordBuilder:
    """The pure core for these rows, or a ValidationError naming the option that is wrong.

    Category codes are the taxonomy's (capabilities in the database). Local times without a
    zone are read in the options' timezone, else the preset's own zone (Boston 311 exports are
    US Eastern), else the city's CITY_TIMEZONE.
    """
    config = current_app.config
    labels = capability_labels()
    try:
        categories = CategoryMap.with_overrides(labels, options.categories)
    except MappingError as error:
        raise ValidationError(str(error), {"categories": [str(error)]}) from error
    try:
        preset = choose_preset(header, options.preset, options.mapping)
        return RecordBuilder(
            header,
            source=source,
            preset=preset,
            categories=categories,
            city_tz=options.timezone or preset.timezone or config["CITY_TIMEZONE"],
            placeholder_points=config.get("INTAKE_PLACEHOLDER_POINTS", ()),
            allow_missing_opened_at=True,
            fixed=options.mapping.fixed,
            location_column=options.mapping.location_column,
            labels=labels,
        )
    except MappingError as error:
        raise ValidationError(str(error), {"file": [str(error)]}) from error
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            f"Unknown time zone {options.timezone!r}.",
            {"timezone": ["Use a name like America/Chicago."]},
        ) from error


def import_needs(
    actor: Actor,
    file: str | Path | IO[bytes],
    options: ImportOptions | None = None,
    *,
    filename: str | None = None,
    geocoder: ConfiguredGeocoder | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV or GeoJSON file of needs (coordinators and admins): one transaction.

    `options` default to `ImportOptions()` (source 311, preset detected, geocoding on).
    `progress`, when given, is called with the number of bytes read so far.
    """
    actor.require("import.run")
    options = options or ImportOptions()
    name = filename or (str(file) if isinstance(file, str | Path) else "upload")
    max_bytes = current_app.config["INTAKE_MAX_FILE_BYTES"]
    try:
        intake_file = open_intake_file(file, kind=options.kind, max_bytes=max_bytes)
        with intake_file as rows:
            step = None
            if progress is not None:

                def step(_line: int) -> None:
                    progress(intake_file.bytes_read)

            return import_rows(
                actor, iter(rows), rows.header, options,
                filename=name, geocoder=geocoder, now=now, progress=step,
            )  # fmt: skip
    except IntakeFileError as error:
        raise ValidationError(str(error), {"file": [str(error)]}) from error


# -- geocoding what is pending ----------------------------------------------------------------
@dataclass
class GeocodePassReport:
    """One pass over the needs waiting for a location."""

    needs_pending: int = 0
    addresses: int = 0
    located: int = 0
    not_found: int = 0
    failed: int = 0
    still_pending: int = 0
    probable_duplicates: int = 0
    geocoder_calls: int = 0
    cache_hits: int = 0
    retry_log_records_suppressed: int = 0

    def line(self) -> str:
        return (
            f"geocode-pending: {self.needs_pending} needs at {self.addresses} addresses: "
            f"{self.located} located, {self.not_found} not found, {self.failed} failed, "
            f"{self.still_pending} still pending; {self.probable_duplicates} probable duplicates; "
            f"{self.geocoder_calls} geocoder calls, {self.cache_hits} from cache, "
            f"{self.retry_log_records_suppressed} retry log records suppressed"
        )


def geocode_pending(
    actor: Actor,
    *,
    geocoder: ConfiguredGeocoder | None = None,
    retry_not_found: bool = False,
    limit: int | None = None,
    now: datetime | None = None,
) -> GeocodePassReport:
    """Try again to locate needs whose location is pending; ONE summary log line per pass."""
    actor.require("import.run")
    now = now or utcnow()
    suppressed_before = suppressed_retry_log_records()
    cached = CachedGeocoder(geocoder or configured_geocoder(), now=now)
    query = (
        select(
            Need.id,
            Need.address,
            Need.capability_code,
            Need.status,
            Need.neighbourhood,
            Need.parcel_id,
        )
        .where(Need.location_status == "pending", Need.address.is_not(None))
        .order_by(Need.id)
    )
    if limit:
        query = query.limit(limit)
    pending = db.session.execute(query).all()
    report = GeocodePassReport(needs_pending=len(pending))
    index = open_needs_index(_radius(ImportOptions()))
    centres = neighbourhood_centres()
    report.addresses = len({(row.address or "").strip().lower() for row in pending})
    try:
        for row in pending:
            result = cached.lookup(row.address, retry_failed=True, retry_not_found=retry_not_found)
            if not result.found:
                report.still_pending += 1
                if result.status == "failed":
                    report.failed += 1
                else:
                    report.not_found += 1
                continue
            duplicate = _locate_need(
                actor, row, result.latitude, result.longitude, now, index, centres
            )
            report.located += 1
            report.probable_duplicates += duplicate is not None
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    report.geocoder_calls = cached.stats["geocoder_calls"]
    report.cache_hits = cached.stats["cache_hits"]
    report.retry_log_records_suppressed = suppressed_retry_log_records() - suppressed_before
    log.info(report.line())
    return report


def _locate_need(
    actor: Actor,
    row: Any,
    lat: float | None,
    lon: float | None,
    now: datetime,
    index: ProximityIndex,
    centres: list[Centre],
) -> int | None:
    """Give a pending need its coordinates (and a probable-duplicate link); return the link."""
    values: dict[str, Any] = {
        "latitude": lat,
        "longitude": lon,
        "location_status": "ok",
        "updated_at": now,
    }
    if not row.neighbourhood and lat is not None and lon is not None:
        name = nearest_neighbourhood(lat, lon, centres=centres)
        if name is not None:
            values["neighbourhood"] = name
    duplicate = None
    if row.status == "open" and lat is not None and lon is not None:
        duplicate = index.nearest(
            row.capability_code, lat, lon, parcel=row.parcel_id, exclude=row.id
        )
        index.add(row.id, row.capability_code, lat, lon, row.parcel_id)
        if duplicate is not None:
            values["duplicate_of_id"] = duplicate
    db.session.execute(
        update(Need)
        .where(Need.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    note = "Located by the geocoder"
    if duplicate is not None:
        note += f"; probable duplicate of need {duplicate}"
    record_event(row.id, actor, "locate", row.status, row.status, now=now, note=note)
    return duplicate


def import_options_from_form(actor: Actor, form: dict[str, Any], kind: str | None) -> ImportOptions:
    """The options of an upload (API or web page): a stored `profile`, then the `options` JSON
    object (as in a profile), then the form's own fields; `save_profile` stores the result."""
    try:
        options = ImportOptions(kind=kind)
        if form.get("profile"):
            options = apply_profile(import_profile(actor, form["profile"]), options)
        text = form.get("options") or ""
        if text.strip():
            data = json.loads(text)
            if not isinstance(data, dict):
                raise MappingError("options must be a JSON object")
            options = apply_profile(data, options)
        given = {k: form.get(k) for k in ("source", "preset") if form.get(k)}
        options = apply_profile(given, options)
    except (MappingError, ValueError, RecursionError) as error:  # trap 15: deep JSON
        raise ValidationError(str(error), {"options": [str(error)]}) from error
    dry_run = bool(form.get("dry_run"))
    options = replace(options, dry_run=dry_run, preview_rows=PREVIEW_ROWS)
    if form.get("save_profile"):
        save_import_profile(actor, form["save_profile"], options)
    return options


# -- import profiles --------------------------------------------------------------------------
PROFILE_NAME = re.compile(r"^[a-z0-9_\-]{1,40}$")


def save_import_profile(actor: Actor, name: str, options: ImportOptions) -> ImportProfile:
    """Store (or replace) the named profile for these options (coordinators and admins)."""
    actor.require("import.run")
    name = (name or "").strip().lower()
    if not PROFILE_NAME.match(name):
        raise ValidationError(
            "A profile name is 1 to 40 lower-case letters, digits, - or _.",
            {"profile": ["Use a short name such as vacant_notices."]},
        )
    profile = db.session.scalar(select(ImportProfile).where(ImportProfile.name == name))
    if profile is None:
        profile = ImportProfile(name=name)
        db.session.add(profile)
    profile.options = profile_of(options)
    db.session.commit()
    return profile


def import_profile(actor: Actor, name: str) -> dict[str, Any]:
    """The stored profile's data, or NotFoundError naming the profiles there are."""
    actor.require("import.run")
    key = (name or "").strip().lower()
    data = db.session.scalar(select(ImportProfile.options).where(ImportProfile.name == key))
    if data is None:
        known = ", ".join(
            db.session.scalars(select(ImportProfile.name).order_by(ImportProfile.name))
        )
        raise NotFoundError(f"No import profile {name!r} (stored: {known or 'none'}).")
    return dict(data)


def list_import_profiles(actor: Actor) -> list[str]:
    """The stored profiles' names."""
    actor.require("import.run")
    return list(db.session.scalars(select(ImportProfile.name).order_by(ImportProfile.name)))


# -- duplicates -------------------------------------------------------------------------------
def separate_duplicate(
    actor: Actor, need_id: int, *, note: str = "", now: datetime | None = None
) -> Need:
    """A coordinator decides a probable duplicate is a need of its own: the link is removed.

    (Confirming one is the lifecycle's `mark_duplicate` action, with `duplicate_of`.)
    """
    actor.require("need.edit")
    now = now or utcnow()
    need = get_or_not_found(Need, need_id, f"No need with id {need_id}.")
    if need.duplicate_of_id is None:
        raise ConflictError("This need is not marked as a probable duplicate.")
    if need.status != "open":
        raise ConflictError(f"A need that is {need.status} keeps its duplicate link.")
    was = need.duplicate_of_id
    need.duplicate_of_id = None
    need.updated_at = now
    reason = f"Not a duplicate of need {was}" + (f": {note}" if note.strip() else "")
    record_event(need.id, actor, "separate", need.status, need.status, now=now, note=reason)
    db.session.commit()
    return need
