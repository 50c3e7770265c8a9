"""`ImportOptions`: what the person importing chose, one object for a file or an endpoint's rows.

The command line (`flask import-needs`, `flask import-open311`), the API and the tests fill it
in; `intake.services.import_needs` and `import_rows` read it. It is plain, frozen data - no
geocoder, no clock, no database - so options that come later (column mapping, fixed values,
import profiles read from a file, a dry run) join it as fields, and a profile is one of these.

Must not import Flask, SQLAlchemy or any Common Ground package except `intake`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.mapping import CategoryOverrides, ColumnMapping

__all__ = ["ImportOptions"]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to read and map one import.

    source: where the rows come from (1-20 of a-z, 0-9, _); with the row's id it makes the need
        unique, so importing the same source again updates rather than duplicates.
    preset: boston311, open311 or generic; None: detected from the header.
    kind: csv or geojson (files only); None: from the file's name.
    categories: a category file's overrides of the source type -> capability code map.
    geocode: locate rows without usable coordinates (else they wait as location pending).
    timezone: the zone of local times without one; None: the preset's, else the city's.
    duplicate_radius_m: how near an open need of the same capability is a probable duplicate;
        None: DUPLICATE_RADIUS_M; 0: no check.
    mapping: columns named by hand, fixed values, a point column, a date format.
    dry_run: read and check everything, report what would happen, store nothing.
    preview_rows: how many of the first rows the report shows as the needs they become.
    """

    source: str = "311"
    preset: str | None = None
    kind: str | None = None
    categories: CategoryOverrides | None = None
    geocode: bool = True
    timezone: str | None = None
    duplicate_radius_m: float | None = None
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    dry_run: bool = False
    preview_rows: int = 0
