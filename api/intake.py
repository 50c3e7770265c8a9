"""Intake over HTTP: upload a file of needs and get the import's report.

    POST /api/v1/imports    (multipart: file, preset, source, profile, options, dry_run,
                             save_profile) -> report, with unused columns and a preview

Probable duplicates and separating one are need routes (`api.needs`); confirming a duplicate is
the lifecycle's `POST /api/v1/needs/{id}/mark-duplicate`. Must not import `web` or touch the
database session.
"""

from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from api.auth import current_actor
from api.blueprint import token_blueprint
from commonground.errors import ValidationError
from commonground.fields import SourceName
from commonground.rate_limits import per_organisation
from intake.services import import_needs, import_options_from_form

blp = token_blueprint(
    "intake", __name__, "Importing needs from 311 exports and surveys.", path="/imports"
)

MAX_ERRORS_SHOWN = 1000


class ImportFormSchema(Schema):
    """The form fields sent with the file."""

    preset = fields.String(
        validate=validate.OneOf(["boston311", "open311", "generic"]), load_default=None
    )
    source = SourceName(load_default=None)
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


@blp.route("", methods=["POST"])
@blp.arguments(ImportFormSchema, location="form")
@blp.response(201, ImportReportSchema)
@blp.errors(403, 422, 429)
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
