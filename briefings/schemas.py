"""Input schemas of briefings and the city resources catalogue: what to brief (a registered
partner, a prospective organisation, a neighbourhood, a batch), list filters, and a catalogue
entry to add or change.

Read by every edge alike (the JSON API, the briefing and catalogue pages, the seeds).
Must not import Flask, `api` or `web`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from commonground.fields import CapabilityCode, Flag, Id, Latitude, Longitude, Text
from partners.sectors import PROSPECT_SECTORS

# The kinds of briefing, each with its own generator in `briefings.services`.
KINDS = ("partner", "prospect", "neighbourhood")


class PartnerBriefingCreateSchema(Schema):
    """Which registered partner the briefing is for."""

    partner_id = Id(required=True)


class ProspectBriefingCreateSchema(Schema):
    """An organisation that is not registered yet, as outreach types it in."""

    name = Text(required=True, min_length=1, max_length=160)
    sector = fields.String(load_default="other", validate=validate.OneOf(PROSPECT_SECTORS))
    address = Text(load_default="", max_length=300)
    neighbourhood = Text(load_default=None, allow_none=True, max_length=80)
    latitude = Latitude(load_default=None, allow_none=True)
    longitude = Longitude(load_default=None, allow_none=True)
    radius_km = fields.Float(load_default=3.0, validate=validate.Range(0.2, 30), allow_nan=False)
    capabilities = fields.List(CapabilityCode(), required=True, validate=validate.Length(1, 20))
    tasks_per_week = fields.Integer(load_default=2, validate=validate.Range(1, 100))
    volunteer_hours_per_week = fields.Float(
        load_default=8.0, validate=validate.Range(0, 2000), allow_nan=False
    )


class NeighbourhoodBriefingCreateSchema(Schema):
    """A neighbourhood, for a community meeting, and how many tasks residents might take on."""

    neighbourhood = Text(required=True, min_length=1, max_length=80)
    weekly_tasks = fields.Integer(load_default=5, validate=validate.Range(1, 50))


class BriefingQuerySchema(Schema):
    """Filters for the list of stored briefings."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    partner_id = Id(strict=False)  # query text: "12"


class BatchCreateSchema(Schema):
    """Which partners: the given ids, or every active partner when omitted."""

    partner_ids = fields.List(Id(), load_default=None, validate=validate.Length(1, 500))


class CatalogueEntryUpdateSchema(Schema):
    """Fields of a city resource; all optional when changing one."""

    title = Text(min_length=1, max_length=160)
    description = Text(max_length=2000, multiline=True)
    who_qualifies = Text(max_length=1000, multiline=True)
    how_to_request = Text(max_length=1000, multiline=True)
    lead_time_days = fields.Integer(strict=True, validate=validate.Range(0, 365))
    capabilities = fields.List(CapabilityCode())
    is_active = Flag()


class CatalogueEntryCreateSchema(CatalogueEntryUpdateSchema):
    """A new city resource."""

    title = Text(required=True, min_length=1, max_length=160)
    description = Text(load_default="", max_length=2000, multiline=True)
    who_qualifies = Text(load_default="", max_length=1000, multiline=True)
    how_to_request = Text(load_default="", max_length=1000, multiline=True)
    lead_time_days = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 365))
    capabilities = fields.List(CapabilityCode(), load_default=list)
    is_active = Flag(load_default=True)


class CatalogueQuerySchema(Schema):
    """Whether to include withdrawn entries (coordinators only)."""

    include_inactive = fields.Boolean(load_default=False)
