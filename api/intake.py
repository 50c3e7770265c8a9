"""Intake over HTTP: upload a file of needs; it is imported as a job, off the request.

    POST /api/v1/imports    (multipart: file, preset, source, profile, options, dry_run,
                             save_profile) -> 202 and the import job (its URL in Location);
                             the finished job's `result.import` is the import's report.
                             With dry_run=true: 200 and the report of a preview, in the request
                             (nothing is stored, nothing is queued).

The options are checked in the request: a refusal is an immediate 4xx and starts no job. The
file is kept and the job started by `jobs.imports`, the same path as the upload page's.
Probable duplicates and separating one are need routes (`api.needs`); confirming a duplicate is
the lifecycle's `POST /api/v1/needs/{id}/mark-duplicate`. Must not import `web` or touch the
database session.
"""

from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from api.auth import current_actor
from api.blueprint import token_blueprint
from api.jobs import JobSchema, accepted
from commonground.errors import DomainError, ValidationError
from commonground.fields import SourceName
from commonground.rate_limits import per_organisation
from intake.services import import_needs, import_options_from_form
from jobs.imports import file_kind, keep_upload, kept_upload, start_import

blp = token_blueprint(
    "intake", __name__, "Importing needs from 311 exports and surveys.", path="/imports"
)


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
    dry_run = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Preview only: answered at once (200) with the report of "
            "what would be imported and its first rows; nothing is stored or queued"
        },
    )
    save_profile = fields.String(
        validate=validate.Regexp(r"^[a-z0-9_\-]{1,40}$"), load_default=None
    )


class RowErrorSchema(Schema):
    """One bad row: its physical line in the file, its own id if any, and why."""

    line = fields.Integer()
    external_id = fields.String()
    field = fields.String()
    reason = fields.String()
    value = fields.String()


class ImportReportSchema(Schema):
    """What an import did (or, for a dry run, would do); `row_errors` lists the first 1000
    bad rows. A finished import job carries it as `result.import`."""

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
@blp.response(202, JobSchema, description="The import job, queued; its URL is in Location")
@blp.alt_response(200, schema=ImportReportSchema, description="dry_run: the preview's report")
@blp.errors(403, 422, 429)
@per_organisation("RATELIMIT_IMPORT")
def create_import(form):
    """Import a CSV or GeoJSON file of needs (coordinators) as a job: the options are checked
    now (a refusal is a 422 and starts no job), the file is kept, and the answer is 202 with the
    job; poll it until it `succeeded`, then read the report in its `result.import`. A dry run
    is a preview answered at once with the report."""
    actor = current_actor()
    actor.require("import.run")  # before looking at what was sent
    if request.is_json:  # a JSON body gets the same schema (unknown fields refused); no file
        try:
            form = ImportFormSchema().load(request.get_json(silent=True) or {})
        except SchemaError as error:
            raise ValidationError("The input is not valid.", error.normalized_messages()) from error
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Send the file as multipart field 'file'.", {"file": ["Missing."]})
    kind = form["kind"] or file_kind(upload.filename)
    if form["dry_run"]:
        options = import_options_from_form(actor, form, kind)
        report = import_needs(actor, upload.stream, options, filename=upload.filename)
        preview = jsonify(ImportReportSchema().dump(report.as_data()))  # not the 202's schema
        return preview, 200
    token, filename = keep_upload(actor, upload)
    path = kept_upload(actor, token)
    try:
        job = start_import(actor, path, filename, form, kind)
    except DomainError:
        path.unlink(missing_ok=True)  # refused: nothing will read the kept file
        raise
    return accepted(job)
