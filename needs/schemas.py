"""Input schemas of city needs: posting and correcting a need, the lifecycle's reasons and
notes, the completion report, and the filters of the list, map and exports.

Read by every edge alike (the JSON API, the need and task pages, the seeds), so a need obeys one
set of rules wherever it comes from. Must not import Flask, `api` or `web`.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from commonground.fields import (
    CapabilityCode,
    Id,
    Latitude,
    Longitude,
    NeighbourhoodName,
    SourceName,
    Text,
)
from needs.filters import NeedFilters
from needs.lifecycle import STATUSES

# Where a need may be posted from by hand; imports may name their own (see SourceName).
SOURCES = ("coordinator", "311", "blight_survey", "public", "open311")


class NeedUpdateSchema(Schema):
    """Need fields a coordinator may set or correct."""

    capability = CapabilityCode()
    title = Text(max_length=200, min_length=3)
    description = Text(max_length=5000, multiline=True)
    address = Text(max_length=300, allow_none=True)
    latitude = Latitude(allow_none=True)
    longitude = Longitude(allow_none=True)
    neighbourhood = Text(max_length=80, allow_none=True)
    parcel_id = Text(max_length=60, allow_none=True)
    priority = fields.Integer(strict=True, validate=validate.Range(1, 5))
    effort_hours = fields.Float(validate=validate.Range(0.1, 1000), allow_nan=False)
    due_date = fields.Date(allow_none=True)

    @validates_schema
    def _both_coordinates(self, data, **_kwargs):
        if ("latitude" in data) != ("longitude" in data) or (
            (data.get("latitude") is None) != (data.get("longitude") is None)
        ):
            raise ValidationError("Give latitude and longitude together.", "latitude")


class NeedCreateSchema(NeedUpdateSchema):
    """A new need."""

    capability = CapabilityCode(required=True)
    title = Text(max_length=200, min_length=3, required=True)
    priority = fields.Integer(strict=True, validate=validate.Range(1, 5), load_default=3)
    effort_hours = fields.Float(
        validate=validate.Range(0.1, 1000), allow_nan=False, load_default=None, allow_none=True
    )
    source = fields.String(validate=validate.OneOf(SOURCES), load_default="coordinator")
    external_id = Text(max_length=80, allow_none=True)
    reporter_name = Text(max_length=120, allow_none=True)
    reporter_email = fields.Email(validate=validate.Length(max=254), allow_none=True)
    reporter_phone = Text(max_length=40, allow_none=True)


class ReasonSchema(Schema):
    """A required reason (release, reopen, cancel...)."""

    reason = Text(required=True, min_length=1, max_length=1000, multiline=True)


class NoteSchema(Schema):
    """An optional note (verify, decline an offer, separate a probable duplicate)."""

    note = Text(load_default="", max_length=1000, multiline=True)


class CloseSchema(ReasonSchema):
    """Close a need without work."""

    duplicate_of = Id(load_default=None, allow_none=True)


class MergeSchema(NoteSchema):
    """Merge a resident's report into an existing need."""

    into = Id(required=True)


class CompletionReportSchema(Schema):
    """What the partner did."""

    volunteers = fields.Integer(strict=True, validate=validate.Range(0, 10000), load_default=None)
    hours = fields.Float(validate=validate.Range(0, 100000), allow_nan=False, load_default=None)
    units = fields.Float(validate=validate.Range(0, 1000000), allow_nan=False, load_default=None)
    unit_kind = Text(max_length=40, load_default=None, allow_none=True)
    notes = Text(max_length=5000, multiline=True, load_default=None, allow_none=True)


def _comma_floats(value: str, n: int, name: str) -> tuple[float, ...]:
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        raise ValidationError(f"{name} takes {n} comma-separated numbers.") from None
    if len(parts) != n or any(p != p or abs(p) == float("inf") for p in parts):
        raise ValidationError(f"{name} takes {n} comma-separated numbers.")
    return parts


class NeedQuerySchema(Schema):
    """Filters for the need list, map and exports; loads into `NeedFilters`."""

    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    capability = fields.List(CapabilityCode())
    neighbourhood = NeighbourhoodName()
    # Imports may name their own sources (blight_survey, open311, ...): any short name.
    source = SourceName()
    bbox = fields.String(metadata={"description": "min_lon,min_lat,max_lon,max_lat"})
    near = fields.String(metadata={"description": "lat,lon"})
    radius_km = fields.Float(validate=validate.Range(0.01, 100), allow_nan=False, load_default=5.0)
    opened_after = fields.AwareDateTime(default_timezone=None)
    opened_before = fields.AwareDateTime(default_timezone=None)
    q = Text(min_length=1, max_length=100)

    @post_load
    def _to_filters(self, data, **_kwargs) -> NeedFilters:
        bbox = near = None
        if "bbox" in data:
            bbox = _comma_floats(data["bbox"], 4, "bbox")
            if not (-180 <= bbox[0] <= bbox[2] <= 180 and -90 <= bbox[1] <= bbox[3] <= 90):
                raise ValidationError(
                    "bbox must be min_lon,min_lat,max_lon,max_lat in range.", "bbox"
                )
        if "near" in data:
            near = _comma_floats(data["near"], 2, "near")
            if not (-90 <= near[0] <= 90 and -180 <= near[1] <= 180):
                raise ValidationError("near must be lat,lon in range.", "near")
        return NeedFilters(
            status=tuple(data.get("status", ())),
            capability=tuple(data.get("capability", ())),
            neighbourhood=data.get("neighbourhood"),
            source=data.get("source"),
            bbox=bbox,
            near=near,
            radius_km=data["radius_km"],
            opened_after=data.get("opened_after"),
            opened_before=data.get("opened_before"),
            q=data.get("q"),
        )
