"""Input schemas of the partner registry: a new or changed profile, its capabilities with
weekly capacity, its service area, list filters and status actions.

Read by every edge alike (the JSON API, the profile and registration pages, the seeds), so a
profile obeys one set of rules wherever it comes from. Must not import Flask, SQLAlchemy, `api`
or `web`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaValidationError

from commonground.fields import (
    CapabilityCode,
    Latitude,
    Longitude,
    NeighbourhoodName,
    Text,
    Url,
)
from partners.sectors import SECTORS
from partners.status import STATUS_ACTIONS, STATUSES


def Sector(**kwargs) -> fields.String:
    """One of the partner sectors."""
    return fields.String(validate=validate.OneOf(SECTORS), **kwargs)


class PartnerCapabilitySchema(Schema):
    """A capability with weekly capacity."""

    capability = CapabilityCode(required=True)
    tasks_per_week = fields.Integer(load_default=1, validate=validate.Range(0, 1000))
    volunteer_hours_per_week = fields.Float(load_default=0.0, validate=validate.Range(0, 10000))
    equipment = Text(load_default="", max_length=500)


class ServiceAreaPolygonSchema(Schema):
    """A GeoJSON Polygon (RFC 7946: [lon, lat] positions)."""

    type = fields.String(required=True, validate=validate.Equal("Polygon"))
    coordinates = fields.List(
        fields.List(
            fields.List(fields.Float(allow_nan=False), validate=validate.Length(2, 3)),
            validate=validate.Length(4, 2000),
        ),
        required=True,
        validate=validate.Length(1, 20),
    )


class PartnerUpdateSchema(Schema):
    """Profile fields; what a member may change is decided by the service."""

    name = Text(max_length=160, min_length=2)
    sector = Sector()
    description = Text(max_length=5000, multiline=True)
    website = Url(allow_none=True)
    contact_name = Text(max_length=120, allow_none=True)
    contact_email = fields.Email(validate=validate.Length(max=254), allow_none=True)
    contact_phone = Text(max_length=40, allow_none=True)
    # Agreed to be named on residents' public report pages ("a partner is on it" otherwise).
    show_name_publicly = fields.Boolean()
    base_address = Text(max_length=300, allow_none=True)
    base_latitude = Latitude()
    base_longitude = Longitude()
    service_radius_km = fields.Float(validate=validate.Range(0.1, 100), allow_nan=False)
    service_neighbourhoods = fields.List(Text(max_length=80), validate=validate.Length(max=100))
    service_area_geojson = fields.Nested(ServiceAreaPolygonSchema, allow_none=True)
    capabilities = fields.List(
        fields.Nested(PartnerCapabilitySchema), validate=validate.Length(max=50)
    )


class PartnerCreateSchema(PartnerUpdateSchema):
    """A new organisation (it starts pending verification). Its base is a point
    (base_latitude and base_longitude), or a base_address the service looks up, or both (the
    point kept, with a warning when they disagree): `geo.places.locate`."""

    name = Text(max_length=160, min_length=2, required=True)
    sector = Sector(required=True)

    @validates_schema
    def _whole_point(self, data: dict, **_kwargs) -> None:
        if ("base_latitude" in data) != ("base_longitude" in data):
            missing = "base_longitude" if "base_latitude" in data else "base_latitude"
            raise SchemaValidationError("Give both coordinates, or neither.", missing)


class PartnerQuerySchema(Schema):
    """Filters for the partner list and its exports."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    sector = Sector()
    capability = CapabilityCode()
    neighbourhood = NeighbourhoodName()


class StatusActionSchema(Schema):
    """A status change: verify, pause, resume or archive."""

    action = fields.String(required=True, validate=validate.OneOf(sorted(STATUS_ACTIONS)))
    # Told to the organisation's members when a coordinator verifies it or declines it.
    reason = Text(max_length=500, multiline=True, load_default="")
