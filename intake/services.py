"""Use cases for intake: import a file of needs, geocode what is pending, settle duplicates.

`import_needs` streams a file's rows through the pure core (reader -> mapping -> records) and
writes needs in ONE transaction per file: a crash or a `kill -9` halfway leaves nothing
(FIELD-NOTES trap 11). It is idempotent by (source, external_id): an unchanged row changes
nothing (the row's fingerprint is kept on the need), a changed row updates its need with an
"edit" event, and a row closed at the source closes an open need through the lifecycle's
`close_at_source` action. Every good row is kept and every bad one reported with its line,
field and reason. Rows without usable coordinates are geocoded through the `GeocodeCache`;
when the geocoder fails the need waits as "location pending" for `geocode_pending`. A new open
need of the same capability within DUPLICATE_RADIUS_M (30 m) of an open need is linked to it as
a probable duplicate (`duplicate_of_id`), never dropped; coordinators confirm it (the
`mark_duplicate` action) or `separate_duplicate` it.

Writes go through SQLAlchemy Core in batches (flat memory, ~100k rows in seconds); counts come
from our own tallies, never from a bulk statement's rowcount (FIELD-NOTES trap 8).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import func, insert, select, text, update

from accounts.actor import Actor
from capabilities.models import Capability
from commonground.db_types import utcnow
from commonground.errors import ConflictError, NotFoundError, ValidationError
from commonground.extensions import db
from geo.geocoders import ConfiguredGeocoder, suppressed_retry_log_records
from geo.geocoding import CachedGeocoder, configured_geocoder
from geo.services import Centre, nearest_neighbourhood, neighbourhood_centres
from intake.duplicates import ProximityIndex
from intake.mapping import CategoryMap, MappingError, detect_preset, get_preset
from intake.reader import IntakeFileError, RawRow, open_intake_file
from intake.records import NeedRecord, RecordBuilder, RowError
from intake.report import IntakeReport, write_errors_csv
from needs.lifecycle import transition
from needs.models import Claim, Need, NeedEvent
from needs.services import record_event

__all__ = [
    "GeocodePassReport",
    "ImportReport",
    "geocode_pending",
    "import_needs",
    "import_rows",
    "separate_duplicate",
]

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
SOURCE_PATTERN = re.compile(r"^[a-z0-9_]{1,20}$")
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    """What one import did. `intake` holds the row counts and every row error."""

    source: str
    preset: str
    filename: str
    intake: IntakeReport = field(default_factory=IntakeReport)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed_at_source: int = 0
    located_by_geocoder: int = 0
    location_pending: int = 0
    probable_duplicates: int = 0
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        return self.intake.rows_read

    @property
    def rows_rejected(self) -> int:
        return self.intake.rows_rejected

    @property
    def errors(self) -> list[RowError]:
        return self.intake.errors

    def reject(self, errors: list[RowError]) -> None:
        """A row the core accepted but the database cannot take (counted as rejected)."""
        self.intake.records_ok -= 1
        self.intake.errors.extend(errors)
        self.intake.rejected_lines.update(e.line for e in errors)

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "preset": self.preset,
            "file": self.filename,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed_at_source": self.closed_at_source,
            "rows_rejected": self.rows_rejected,
            "located_by_geocoder": self.located_by_geocoder,
            "location_pending": self.location_pending,
            "probable_duplicates": self.probable_duplicates,
            "errors": dict(self.intake.reasons()),
            "seconds": round(self.seconds, 2),
        }

    def write_errors_csv(self, stream: IO[str]) -> int:
        return write_errors_csv(self.errors, stream)


@dataclass(frozen=True, slots=True)
class _Known:
    """An existing need of this source, as much as the import needs to know."""

    id: int
    status: str
    fingerprint: str | None


def fingerprint(record: NeedRecord) -> str:
    """A digest of everything a row says about its need (not where in the file it was)."""
    parts = (
        record.capability, record.title, record.description, record.address,
        record.latitude, record.longitude, record.opened_at.isoformat(), record.closed,
        record.closed_at.isoformat() if record.closed_at else None, record.neighbourhood,
        record.zip_code, record.parcel_id, record.priority,
        record.due_at.isoformat() if record.due_at else None,
    )  # fmt: skip
    return hashlib.sha1(repr(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


class _Importer:
    """The database side of one import: lookups loaded once, writes batched."""

    def __init__(
        self,
        actor: Actor,
        report: ImportReport,
        *,
        now: datetime,
        geocoder: CachedGeocoder | None,
        radius_m: float,
        city_tz: ZoneInfo,
    ) -> None:
        self.actor = actor
        self.report = report
        self.source = report.source
        self.now = now
        self.geocoder = geocoder
        self.city_tz = city_tz
        self.known: dict[str, _Known] = {
            ext: _Known(nid, status, fp)
            for ext, nid, status, fp in db.session.execute(
                select(Need.external_id, Need.id, Need.status, Need.import_fingerprint).where(
                    Need.source == self.source, Need.external_id.is_not(None)
                )
            )
        }
        self.index = ProximityIndex(radius_m)
        for nid, code, lat, lon in db.session.execute(
            select(Need.id, Need.capability_code, Need.latitude, Need.longitude).where(
                Need.status == "open", Need.latitude.is_not(None), Need.longitude.is_not(None)
            )
        ):
            self.index.add(nid, code, lat, lon)
        self.efforts: dict[str, float] = dict(
            db.session.execute(
                select(Capability.code, Capability.default_effort_hours).where(
                    Capability.is_active.is_(True)
                )
            ).all()
        )
        self.centres = neighbourhood_centres()
        self.first_line: dict[str, int] = {}
        self.inserts: list[dict[str, Any]] = []
        self.insert_meta: list[tuple[tuple[str, int], NeedRecord, Any, str | None]] = []
        self.changed: list[tuple[NeedRecord, _Known, str]] = []
        self.new_ids: dict[tuple[str, int], int] = {}
        self.new_count = 0
        self._id_sequence: str | None = None
        self._next_id: int | None = None

    # -- one record ---------------------------------------------------------------------------
    def add(self, record: NeedRecord) -> None:
        problem = self._refuse(record)
        if problem:
            self.report.reject([problem])
            return
        self.first_line[record.external_id] = record.line
        known = self.known.get(record.external_id)
        digest = fingerprint(record)
        if known is None:
            self._add_new(record, digest)
        elif known.fingerprint == digest:
            self.report.unchanged += 1
        else:
            self.changed.append((record, known, digest))
            if len(self.changed) >= BATCH_SIZE:
                self._flush_changed()

    def _refuse(self, record: NeedRecord) -> RowError | None:
        if record.external_id in self.first_line:
            first = self.first_line[record.external_id]
            reason = f"the same id is on line {first} of this file"
            return RowError(record.line, "external_id", reason, record.external_id)
        if record.capability not in self.efforts:
            reason = "the capability is not in the taxonomy (or not active)"
            return RowError(record.line, "category", reason, record.capability)
        return None

    def _locate(self, record: NeedRecord) -> tuple[float | None, float | None, str]:
        if not record.needs_geocoding:
            return record.latitude, record.longitude, "ok"
        if self.geocoder is not None and record.address:
            result = self.geocoder.lookup(record.address)
            if result.found:
                self.report.located_by_geocoder += 1
                return result.latitude, result.longitude, "ok"
        self.report.location_pending += 1
        return None, None, "pending"

    def _neighbourhood(self, record: NeedRecord, lat: float | None, lon: float | None) -> Any:
        if record.neighbourhood or lat is None or lon is None:
            return record.neighbourhood
        return nearest_neighbourhood(lat, lon, centres=self.centres)

    def _due_date(self, record: NeedRecord) -> date | None:
        return record.due_at.astimezone(self.city_tz).date() if record.due_at else None

    def _add_new(self, record: NeedRecord, digest: str) -> None:
        lat, lon, location_status = self._locate(record)
        status = "closed" if record.closed else "open"
        self.new_count += 1
        key = ("new", self.new_count)
        duplicate_key = None
        if status == "open" and lat is not None and lon is not None:
            duplicate_key = self.index.nearest(record.capability, lat, lon)
            self.index.add(key, record.capability, lat, lon)
        if duplicate_key is not None:
            self.report.probable_duplicates += 1
        self.inserts.append(
            {
                "capability_code": record.capability,
                "title": record.title,
                "description": record.description,
                "address": record.address,
                "latitude": lat,
                "longitude": lon,
                "location_status": location_status,
                "neighbourhood": self._neighbourhood(record, lat, lon),
                "parcel_id": record.parcel_id,
                "priority": record.priority,
                "effort_hours": self.efforts[record.capability],
                "source": self.source,
                "external_id": record.external_id,
                "due_date": self._due_date(record),
                "status": status,
                "duplicate_of_id": duplicate_key if isinstance(duplicate_key, int) else None,
                "posted_by_id": self.actor.user_id,
                "opened_at": record.opened_at,
                "created_at": self.now,
                "updated_at": self.now,
                "import_fingerprint": digest,
            }
        )
        self.insert_meta.append((key, record, duplicate_key, location_status))
        self.report.created += 1
        if len(self.inserts) >= BATCH_SIZE:
            self._flush_new()

    # -- batches ------------------------------------------------------------------------------
    def _allocate_ids(self, connection: Any, count: int) -> list[int]:
        """Ids for `count` new needs, known before they are inserted.

        RETURNING in row order costs a statement a row on SQLite and heavy client-side work on
        PostgreSQL; reading ids back by (source, external_id) defeats PostgreSQL's planner
        mid-transaction. PostgreSQL hands out a block of the id sequence; on SQLite the import's
        transaction holds the database's write lock from its first statement (BEGIN
        IMMEDIATE), so counting on from the highest id is safe.
        """
        if connection.dialect.name == "postgresql":
            if self._id_sequence is None:
                self._id_sequence = connection.execute(
                    text("SELECT pg_get_serial_sequence('need', 'id')")
                ).scalar_one()
            return list(
                connection.execute(
                    text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :n)"),
                    {"sequence": self._id_sequence, "n": count},
                ).scalars()
            )
        if self._next_id is None:
            self._next_id = (connection.execute(select(func.max(Need.id))).scalar() or 0) + 1
        first, self._next_id = self._next_id, self._next_id + count
        return list(range(first, first + count))

    def _flush_new(self) -> None:
        if not self.inserts:
            return
        connection = db.session.connection()
        ids = self._allocate_ids(connection, len(self.inserts))
        for row, need_id in zip(self.inserts, ids, strict=True):
            row["id"] = need_id
        connection.execute(Need.__table__.insert(), self.inserts)  # a plain executemany
        events, late_duplicates = [], []
        for (key, record, duplicate_key, location_status), need_id in zip(
            self.insert_meta, ids, strict=True
        ):
            self.new_ids[key] = need_id
            target = (
                self.new_ids.get(duplicate_key)
                if isinstance(duplicate_key, tuple)
                else duplicate_key
            )
            if isinstance(duplicate_key, tuple) and target is not None:
                late_duplicates.append({"id": need_id, "duplicate_of_id": target})
            events.append(
                self._event(need_id, "import", None, "closed" if record.closed else "open",
                            self._import_note(record, location_status, target))
            )  # fmt: skip
        if late_duplicates:  # an ORM bulk UPDATE by primary key
            db.session.execute(update(Need), late_duplicates)
        connection.execute(NeedEvent.__table__.insert(), events)
        self.inserts, self.insert_meta = [], []

    def _import_note(self, record: NeedRecord, location_status: str, duplicate: int | None) -> str:
        note = f"Imported from {self.source}, line {record.line}"
        if record.closed:
            note += "; closed at the source"
        if location_status == "pending":
            note += f"; location pending ({record.location_problem})"
        elif record.location_problem:
            note += f"; located by the geocoder ({record.location_problem})"
        if duplicate is not None:
            note += f"; probable duplicate of need {duplicate}"
        return note

    def _event(
        self, need_id: int, action: str, from_status: str | None, to_status: str, note: str
    ) -> dict[str, Any]:
        return {
            "need_id": need_id,
            "action": action,
            "from_status": from_status,
            "to_status": to_status,
            "actor_id": self.actor.user_id,
            "actor_label": self.actor.label,
            "partner_id": None,
            "note": note,
            "at": self.now,
        }

    _COMPARED = ("title", "description", "address", "neighbourhood", "parcel_id", "priority",
                 "capability_code", "due_date", "opened_at", "latitude", "longitude")  # fmt: skip

    def _flush_changed(self) -> None:
        if not self.changed:
            return
        ids = [known.id for _record, known, _digest in self.changed]
        columns = [getattr(Need, name) for name in self._COMPARED]
        old = {
            row.id: row
            for row in db.session.execute(
                select(Need.id, Need.status, Need.location_status, *columns).where(Need.id.in_(ids))
            )
        }
        for record, known, digest in self.changed:
            self._update_one(record, old[known.id], digest)
        self.changed = []

    def _update_one(self, record: NeedRecord, old: Any, digest: str) -> None:
        values: dict[str, Any] = {
            "title": record.title,
            "description": record.description,
            "address": record.address,
            "parcel_id": record.parcel_id,
            "priority": record.priority,
            "due_date": self._due_date(record),
            "opened_at": record.opened_at,
        }
        if old.status == "open":
            values["capability_code"] = record.capability
        if not record.needs_geocoding or record.address != old.address:
            lat, lon, location_status = self._locate(record)
            values.update(latitude=lat, longitude=lon, location_status=location_status)
        lat, lon = values.get("latitude", old.latitude), values.get("longitude", old.longitude)
        values["neighbourhood"] = self._neighbourhood(record, lat, lon) or old.neighbourhood
        changed = sorted(name for name, value in values.items() if getattr(old, name) != value)
        values.update(import_fingerprint=digest, updated_at=self.now)
        db.session.execute(
            update(Need)
            .where(Need.id == old.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if changed:
            note = f"Updated from {self.source}, line {record.line}: " + ", ".join(changed)
            db.session.execute(
                insert(NeedEvent), [self._event(old.id, "edit", old.status, old.status, note)]
            )
            self.report.updated += 1
        else:
            self.report.unchanged += 1
        if record.closed and old.status != "closed":
            self._close_at_source(record, old.id, old.status)

    def _close_at_source(self, record: NeedRecord, need_id: int, status: str) -> None:
        try:
            step = transition(status, "close_at_source")
        except ConflictError:
            return  # already finished here (completed, verified, cancelled...): leave it
        self.actor.require(step.permission)
        moved = db.session.execute(
            update(Need)
            .where(Need.id == need_id, Need.status.in_(sorted(step.sources)))
            .values(status=step.target, updated_at=self.now)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # a single-row UPDATE: its rowcount is reliable
            self.report.reject(
                [RowError(record.line, "status", "the need changed meanwhile; not closed", "")]
            )
            return
        when = record.closed_at.date().isoformat() if record.closed_at else "an unknown date"
        reason = f"Closed at the source ({self.source}) on {when}"
        db.session.execute(
            update(Claim)
            .where(Claim.need_id == need_id, Claim.status == "active")
            .values(status="released", released_at=self.now, release_reason=reason)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            insert(NeedEvent),
            [self._event(need_id, "close_at_source", status, step.target, reason)],
        )
        self.index.discard(need_id)
        self.report.closed_at_source += 1

    def finish(self) -> None:
        self._flush_new()
        self._flush_changed()


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
    *,
    source: str,
    filename: str = "",
    preset: str | None = None,
    categories: CategoryMap | None = None,
    geocoder: ConfiguredGeocoder | None = None,
    geocode: bool = True,
    duplicate_radius_m: float | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import already-read rows (a file's, or an Open311 endpoint's) in one transaction.

    Local times without a zone are read in `timezone`, else the preset's own zone (Boston 311
    exports are US Eastern), else the city's CITY_TIMEZONE.
    """
    actor.require("import.run")
    source = _check_source(source)
    now = now or utcnow()
    started = time.perf_counter()
    config = current_app.config
    try:
        chosen = get_preset(preset) if preset else detect_preset(header)
        builder = RecordBuilder(
            header,
            source=source,
            preset=chosen,
            categories=categories,
            city_tz=timezone or chosen.timezone or config["CITY_TIMEZONE"],
            placeholder_points=config.get("INTAKE_PLACEHOLDER_POINTS", ()),
            default_opened_at=now,
        )
    except MappingError as error:
        raise ValidationError(str(error), {"file": [str(error)]}) from error
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            f"Unknown time zone {timezone!r}.", {"timezone": ["Use a name like America/Chicago."]}
        ) from error
    report = ImportReport(source=source, preset=builder.preset.name, filename=filename)
    cached = None
    if geocode:
        cached = CachedGeocoder(geocoder or configured_geocoder(), now=now)
    try:
        importer = _Importer(
            actor,
            report,
            now=now,
            geocoder=cached,
            radius_m=duplicate_radius_m or config.get("DUPLICATE_RADIUS_M", 30.0),
            city_tz=ZoneInfo(config["CITY_TIMEZONE"]),
        )
        for raw in rows:
            outcome = builder.build(raw)
            report.intake.add(outcome)
            if isinstance(outcome, NeedRecord):
                importer.add(outcome)
            if progress is not None:
                progress(raw.line)
        importer.finish()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    report.seconds = time.perf_counter() - started
    return report


def import_needs(
    actor: Actor,
    file: str | Path | IO[bytes],
    *,
    source: str = "311",
    preset: str | None = None,
    kind: str | None = None,
    categories: CategoryMap | None = None,
    geocoder: ConfiguredGeocoder | None = None,
    geocode: bool = True,
    duplicate_radius_m: float | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    filename: str | None = None,
) -> ImportReport:
    """Import a CSV or GeoJSON file of needs (coordinators and admins): one transaction.

    `progress`, when given, is called with the number of bytes read so far.
    """
    actor.require("import.run")
    name = filename or (str(file) if isinstance(file, str | Path) else "upload")
    options: dict[str, Any] = {"max_bytes": current_app.config["INTAKE_MAX_FILE_BYTES"]}
    try:
        intake_file = open_intake_file(file, kind=kind, **options)
        with intake_file as rows:
            step = None
            if progress is not None:

                def step(_line: int) -> None:
                    progress(intake_file.bytes_read)

            return import_rows(
                actor,
                iter(rows),
                rows.header,
                source=source,
                filename=name,
                preset=preset,
                categories=categories,
                geocoder=geocoder,
                geocode=geocode,
                duplicate_radius_m=duplicate_radius_m,
                timezone=timezone,
                now=now,
                progress=step,
            )
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
        select(Need.id, Need.address, Need.capability_code, Need.status, Need.neighbourhood)
        .where(Need.location_status == "pending", Need.address.is_not(None))
        .order_by(Need.id)
    )
    if limit:
        query = query.limit(limit)
    pending = db.session.execute(query).all()
    report = GeocodePassReport(needs_pending=len(pending))
    index = ProximityIndex(current_app.config.get("DUPLICATE_RADIUS_M", 30.0))
    for nid, code, lat, lon in db.session.execute(
        select(Need.id, Need.capability_code, Need.latitude, Need.longitude).where(
            Need.status == "open", Need.latitude.is_not(None)
        )
    ):
        index.add(nid, code, lat, lon)
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
        duplicate = index.nearest(row.capability_code, lat, lon, exclude=row.id)
        index.add(row.id, row.capability_code, lat, lon)
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


# -- duplicates -------------------------------------------------------------------------------
def separate_duplicate(
    actor: Actor, need_id: int, *, note: str = "", now: datetime | None = None
) -> Need:
    """A coordinator decides a probable duplicate is a need of its own: the link is removed.

    (Confirming one is the lifecycle's `mark_duplicate` action, with `duplicate_of`.)
    """
    actor.require("need.edit")
    now = now or utcnow()
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFoundError(f"No need with id {need_id}.")
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
