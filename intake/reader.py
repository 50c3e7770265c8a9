"""Streaming readers for intake files: CSV (any size, flat memory) and GeoJSON.

Both yield `RawRow`s: the row's values keyed by header name, the *physical* line number where
the record starts in the file (for GeoJSON: the feature's 1-based position), and - instead of
values - an `error` when the row cannot be read (ragged row, undecodable bytes, unterminated
quote). A bad row never stops the file; a bad file (too large, no header, not a
FeatureCollection) raises `IntakeFileError`.

CSV: the file is read as bytes, one physical line at a time; physical lines are joined into a
record while a quoted field is still open (an odd number of `"` so far - RFC 4180 escapes a
quote by doubling it, which keeps the count even), and each record is decoded on its own (UTF-8;
a BOM is dropped), so one bad byte costs one row, not the file. A leading unnamed column (the
index pandas writes) is dropped. A record is capped at `max_record_bytes`: an unterminated quote
reports its starting line and reading resumes on the next physical line.

GeoJSON: a FeatureCollection is parsed whole (the standard library has no streaming JSON
parser), so it is capped at `DEFAULT_MAX_GEOJSON_BYTES` (50 MiB) unless told otherwise. Point
geometries give latitude/longitude; polygons give the mean of their outer ring's vertices; a
null geometry gives no coordinates (the address must then be geocoded).

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "DEFAULT_MAX_CSV_BYTES",
    "DEFAULT_MAX_GEOJSON_BYTES",
    "CsvFile",
    "FileTooLargeError",
    "GeoJsonFile",
    "IntakeFileError",
    "RawRow",
    "open_intake_file",
    "read_csv",
    "read_geojson",
]

DEFAULT_MAX_CSV_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_GEOJSON_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_RECORD_BYTES = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_RAW_EXCERPT = 200

Source = str | os.PathLike[str] | IO[bytes]


class IntakeFileError(ValueError):
    """The file as a whole cannot be read (no rows of it are imported)."""


class FileTooLargeError(IntakeFileError):
    """The file is larger than the configured maximum."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file is too large: {size:,} bytes or more, the limit is {limit:,} bytes")
        self.size = size
        self.limit = limit


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record of an intake file, not yet interpreted.

    `values` is None exactly when `error` says why the row could not be read; `raw` then holds
    the start of the record's text (decoded leniently) for the error report.
    """

    line: int
    values: dict[str, str] | None
    error: str | None = None
    raw: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


class _CountingReader:
    """Reads lines from a binary stream and refuses to go past `limit` bytes."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self.consumed = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self.consumed += len(chunk)
            if self.consumed > self._limit:
                raise FileTooLargeError(self.consumed, self._limit)
            yield chunk


@contextmanager
def _open_binary(source: Source, limit: int) -> Iterator[IO[bytes]]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        size = path.stat().st_size
        if size > limit:
            raise FileTooLargeError(size, limit)
        with path.open("rb") as handle:
            yield handle
        return
    if isinstance(source, io.TextIOBase):
        raise TypeError("intake readers take a path or a binary stream, not a text stream")
    yield source


def _excerpt(data: bytes) -> str:
    return data[:_RAW_EXCERPT].decode("utf-8", errors="replace").rstrip("\r\n")


def _parse_fields(text: str) -> list[str]:
    """The fields of one record; csv.Error for a field over the csv module's size limit."""
    return next(csv.reader(io.StringIO(text, newline="")), [])


def _decode_fields(data: bytes, encoding: str) -> list[str] | str:
    """The fields of one record's bytes, or why they cannot be read (reported for the row)."""
    try:
        return _parse_fields(data.decode(encoding))
    except UnicodeDecodeError:
        return f"undecodable bytes (not {encoding})"
    except csv.Error as error:  # e.g. a field longer than csv.field_size_limit() (131,072)
        return f"unreadable record: {error}"


def _records(lines: Iterator[bytes], max_record_bytes: int) -> Iterator[tuple[int, bytes, str]]:
    """Group physical lines into CSV records: (start line, bytes, problem or "")."""
    pending: deque[tuple[int, bytes]] = deque()
    numbered = ((number, line) for number, line in enumerate(lines, start=1))

    def next_line() -> tuple[int, bytes] | None:
        if pending:
            return pending.popleft()
        return next(numbered, None)

    while (first := next_line()) is not None:
        start, data = first
        parts = [data]
        size = len(data)
        quotes = data.count(b'"')
        held: list[tuple[int, bytes]] = []
        while quotes % 2 == 1:
            following = next_line()
            if following is None or size > max_record_bytes:
                if following is not None:
                    held.append(following)
                break
            held.append(following)
            parts.append(following[1])
            size += len(following[1])
            quotes += following[1].count(b'"')
        if quotes % 2 == 1:
            # Unterminated quote: report this line, re-read the lines it swallowed.
            pending.extendleft(reversed(held))
            yield start, data, "unterminated quoted field"
            continue
        yield start, b"".join(parts), ""


class CsvFile:
    """A CSV intake file: `header` once entered, then `RawRow`s by iteration.

    Use as a context manager (`with CsvFile(path) as rows: rows.header; for row in rows`).
    Memory stays flat whatever the file's size: one record is held at a time.
    """

    def __init__(
        self,
        source: Source,
        *,
        max_bytes: int = DEFAULT_MAX_CSV_BYTES,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        encoding: str = "utf-8",
    ) -> None:
        self.source = source
        self.max_bytes = max_bytes
        self.max_record_bytes = max_record_bytes
        self.encoding = encoding
        self.header: list[str] = []
        self._drop_index = False
        self._stack = ExitStack()
        self._records: Iterator[tuple[int, bytes, str]] | None = None
        self._counter: _CountingReader | None = None

    @property
    def bytes_read(self) -> int:
        """How far reading has gone, in bytes (for progress bars)."""
        return self._counter.consumed if self._counter else 0

    def __enter__(self) -> CsvFile:
        stream = self._stack.enter_context(_open_binary(self.source, self.max_bytes))
        try:
            self._counter = _CountingReader(stream, self.max_bytes)
            lines = iter(self._counter)
            self._records = _records(lines, self.max_record_bytes)
            self.header, self._drop_index = _read_header(self._records, self.encoding)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def __iter__(self) -> Iterator[RawRow]:
        if self._records is None:
            raise RuntimeError("use CsvFile as a context manager before iterating it")
        width = len(self.header) + (1 if self._drop_index else 0)
        for line, data, problem in self._records:
            if problem:
                yield RawRow(line, None, problem, _excerpt(data))
                continue
            if not data.strip():
                continue  # blank line
            fields = _decode_fields(data, self.encoding)
            if isinstance(fields, str):  # why the record cannot be read
                yield RawRow(line, None, fields, _excerpt(data))
                continue
            if len(fields) != width:
                yield RawRow(
                    line, None, f"expected {width} fields, found {len(fields)}", _excerpt(data)
                )
                continue
            if self._drop_index:
                fields = fields[1:]
            yield RawRow(line, dict(zip(self.header, fields, strict=True)))


def read_csv(source: Source, **options: Any) -> Iterator[RawRow]:
    """Yield the rows of a CSV file with a header line (see `CsvFile` for the options)."""
    with CsvFile(source, **options) as rows:
        yield from rows


def _read_header(
    records: Iterator[tuple[int, bytes, str]], encoding: str
) -> tuple[list[str], bool]:
    for _line, data, problem in records:
        if problem:
            raise IntakeFileError("the header line has an unterminated quoted field")
        if data.startswith(_BOM):
            data = data[len(_BOM) :]
        if not data.strip():
            continue
        try:
            names = [name.strip() for name in _parse_fields(data.decode(encoding))]
        except UnicodeDecodeError as error:
            raise IntakeFileError(f"the header line is not valid {encoding}") from error
        except csv.Error as error:
            raise IntakeFileError(f"the header line cannot be read: {error}") from error
        drop_index = bool(names) and names[0] == ""
        if drop_index:
            names = names[1:]
        return _unique(names), drop_index
    raise IntakeFileError("the file is empty: no header line")


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for position, name in enumerate(names, start=1):
        base = name or f"column_{position}"
        seen[base] = seen.get(base, 0) + 1
        result.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return result


class GeoJsonFile:
    """A GeoJSON FeatureCollection as an intake file: `header` (property names, plus latitude
    and longitude), then one `RawRow` per feature. Read whole, so capped at `max_bytes`."""

    def __init__(self, source: Source, *, max_bytes: int = DEFAULT_MAX_GEOJSON_BYTES) -> None:
        self.source = source
        self.max_bytes = max_bytes
        self.header: list[str] = []
        self._rows: list[RawRow] = []
        self.bytes_read = 0

    def __enter__(self) -> GeoJsonFile:
        with _open_binary(self.source, self.max_bytes) as stream:
            data = stream.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise FileTooLargeError(len(data), self.max_bytes)
        self.bytes_read = len(data)
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise IntakeFileError(f"not a JSON document: {error}") from error
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            raise IntakeFileError("not a GeoJSON FeatureCollection")
        features = document.get("features")
        if not isinstance(features, list):
            raise IntakeFileError("the FeatureCollection has no features list")
        del data, document
        self._rows = [_feature_row(n, feature) for n, feature in enumerate(features, start=1)]
        names: dict[str, None] = {}
        for row in self._rows:
            names.update(dict.fromkeys(row.values or {}))
        names.update(dict.fromkeys(("latitude", "longitude")))
        self.header = list(names)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._rows = []

    def __iter__(self) -> Iterator[RawRow]:
        return iter(self._rows)


def read_geojson(source: Source, **options: Any) -> Iterator[RawRow]:
    """Yield one `RawRow` per feature of a GeoJSON FeatureCollection (read whole, capped)."""
    with GeoJsonFile(source, **options) as rows:
        yield from rows


def open_intake_file(source: Source, *, kind: str | None = None, **options: Any) -> Any:
    """A `CsvFile` or `GeoJsonFile` for `source`, by `kind` ("csv"/"geojson") or file suffix."""
    if kind is None:
        name = str(source) if isinstance(source, str | os.PathLike) else ""
        kind = "geojson" if name.lower().endswith((".geojson", ".json")) else "csv"
    if kind == "geojson":
        return GeoJsonFile(source, **options)
    if kind == "csv":
        return CsvFile(source, **options)
    raise IntakeFileError(f"unknown intake file kind {kind!r} (csv or geojson)")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False)


def _feature_row(number: int, feature: Any) -> RawRow:
    raw = json.dumps(feature, ensure_ascii=False)[:_RAW_EXCERPT]
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return RawRow(number, None, "not a GeoJSON Feature", raw)
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return RawRow(number, None, "feature properties are not an object", raw)
    values = {str(key): _text(value) for key, value in properties.items()}
    if "id" in feature and "id" not in values:
        values["id"] = _text(feature["id"])
    try:
        point = _representative_point(feature.get("geometry"))
    except (TypeError, ValueError, IndexError) as error:
        return RawRow(number, None, f"bad geometry: {error}", raw)
    if point is not None:
        values["longitude"], values["latitude"] = (repr(float(c)) for c in point)
    return RawRow(number, values)


def _representative_point(geometry: Any) -> tuple[float, float] | None:
    """(lon, lat) for a Point, the outer-ring vertex mean for polygons, None for no geometry."""
    if geometry is None:
        return None
    if not isinstance(geometry, dict):
        raise TypeError("geometry is not an object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return float(coordinates[0]), float(coordinates[1])
    if kind in {"Polygon", "MultiPolygon"}:
        ring = coordinates[0] if kind == "Polygon" else coordinates[0][0]
        vertices = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
        if not vertices:
            raise ValueError("empty polygon")
        return (
            sum(float(v[0]) for v in vertices) / len(vertices),
            sum(float(v[1]) for v in vertices) / len(vertices),
        )
    raise ValueError(f"unsupported geometry type {kind!r}")
