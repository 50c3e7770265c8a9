"""Intake over HTTP: upload a file of needs, list probable duplicates, separate one.

    POST /api/v1/imports                      (multipart: file, preset, source, profile, options)
    GET  /api/v1/needs/probable-duplicates    open needs linked as probable duplicates, paged
                                              (page, page_size; X-Pagination has the total)
    POST /api/v1/needs/{id}/separate          not a duplicate after all (coordinators)

Confirming a duplicate is the lifecycle's `POST /api/v1/needs/{id}/mark-duplicate`.
"""

from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from api.auth import current_actor, token_blueprint
from api.common import ErrorResponseSchema
from api.fields import Text
from api.needs import NID, NeedSchema, _out
from commonground.errors import ValidationError
from commonground.rate_limits import per_organisation
from intake.services import (
    import_needs,
    import_options_from_form,
    separate_duplicate,
)
from intake.services import probable_duplicates as list_probable_duplicates

blp = token_blueprint(
    "intake",
    __name__,
    url_prefix="/api/v1",
    description="Importing needs from 311 exports and surveys; probable duplicates.",
)

MAX_ERRORS_SHOWN = 1000


class ImportFormSchema(Schema):
    """The form fields sent with the file."""

    preset = fields.String(
        validate=validate.OneOf(["boston311", "open311", "generic"]), load_default=None
    )
    source = fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,20}$"), load_default=None)
    kind = fields.String(validate=validate.OneOf(["csv", "geojson"]), load_default=None)
    profile = fields.String(
        validate=validate.Regexp(r"^[a-z0-9_\-]{1,40}$"),
        load_default=None,
        metadata={"description": "a stored import profile's name"},
    )
    options = fields.String(
        load_default=None,
        validate=validate.Length(max=20_000),
        metadata={
            "description": "JSON object: columns {field: header}, set {field: value}, "
            "location_column, date_format, timezone, categories {value: code}, "
            "duplicate_radius_m, geocode (as in an import profile)"
        },
    )
    dry_run = fields.Boolean(load_default=False)
    save_profile = fields.String(
        validate=validate.Regexp(r"^[a-z0-9_\-]{1,40}$"), load_default=None
    )


class RowErrorSchema(Schema):
    line = fields.Integer()
    field = fields.String()
    reason = fields.String()
    value = fields.String()


class ImportReportSchema(Schema):
    """What an import did; `row_errors` lists the first 1000 bad rows."""

    source = fields.String()
    preset = fields.String()
    file = fields.String()
    rows_read = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    closed_at_source = fields.Integer()
    rows_rejected = fields.Integer()
    located_by_geocoder = fields.Integer()
    location_pending = fields.Integer()
    probable_duplicates = fields.Integer()
    errors = fields.Dict(keys=fields.String(), values=fields.Integer())
    row_errors = fields.List(fields.Nested(RowErrorSchema))
    seconds = fields.Float()
    unused_columns = fields.List(fields.String())
    dry_run = fields.Boolean()
    preview = fields.List(fields.Dict())


@blp.route("/imports", methods=["POST"])
@blp.arguments(ImportFormSchema, location="form")
@blp.response(201, ImportReportSchema)
@blp.alt_response(403, schema=ErrorResponseSchema)
@blp.alt_response(422, schema=ErrorResponseSchema)
@blp.alt_response(429, schema=ErrorResponseSchema, description="too many imports")
@per_organisation("RATELIMIT_IMPORT")
def create_import(form):
    """Import a CSV or GeoJSON file of needs (coordinators): one transaction, a full report."""
    current_actor().require("import.run")  # before looking at what was sent
    if request.is_json:  # a JSON body gets the same schema (unknown fields refused); no file
        try:
            form = ImportFormSchema().load(request.get_json(silent=True) or {})
        except SchemaError as error:
            raise ValidationError("The input is not valid.", error.normalized_messages()) from error
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Send the file as multipart field 'file'.", {"file": ["Missing."]})
    kind = form["kind"] or ("geojson" if upload.filename.endswith("json") else "csv")
    options = import_options_from_form(current_actor(), form, kind)
    report = import_needs(current_actor(), upload.stream, options, filename=upload.filename)
    data = report.summary()
    data["preview"] = report.preview
    data["row_errors"] = [
        {"line": e.line, "field": e.field, "reason": e.reason, "value": e.value}
        for e in report.errors[:MAX_ERRORS_SHOWN]
    ]
    return data


@blp.route("/needs/probable-duplicates")
@blp.response(200, NeedSchema(many=True))
@blp.paginate()
def probable_duplicates(pagination_parameters):
    """Open needs linked as probable duplicates, awaiting a coordinator's decision: every one,
    a page at a time (`page`, `page_size`; the X-Pagination header has the total)."""
    total, rows = list_probable_duplicates(
        current_actor(),
        first=pagination_parameters.first_item,
        size=pagination_parameters.page_size,
    )
    pagination_parameters.item_count = total
    return [_out(need) for need in rows]


class SeparateSchema(Schema):
    """Why the need is not a duplicate (kept in its history)."""

    note = Text(load_default="", max_length=1000, multiline=True)


@blp.route(f"/needs/{NID}/separate", methods=["POST"])
@blp.arguments(SeparateSchema)
@blp.response(200, NeedSchema)
@blp.alt_response(403, schema=ErrorResponseSchema)
@blp.alt_response(404, schema=ErrorResponseSchema)
@blp.alt_response(409, schema=ErrorResponseSchema)
def separate(data, need_id):
    """Not a duplicate after all: remove the probable-duplicate link (coordinators)."""
    return _out(separate_duplicate(current_actor(), need_id, note=data["note"]))
