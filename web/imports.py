"""The upload page for coordinators: import a file of needs, saying which column is which,
with a preview first.

    GET  /imports/   the form: file, source, a stored profile, the column mapping
    POST /imports/   action=preview: a dry run - the first rows as the needs they would become,
                     the columns not used, the counts; the file is kept under the instance
                     folder (named by the user and a random token; a day at most) so "Import"
                     needs no second upload. action=import: the import itself, as a job
                     (one transaction in a worker); the page goes to the job's page, which
                     shows its progress and then the import's report.

The form's mapping becomes the same options JSON as `POST /api/v1/imports` takes
(`intake.services.import_options_from_form`), so the page, the API and the command line read a
file the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from capabilities.services import list_capabilities
from commonground.errors import DomainError, ValidationError
from intake.mapping import CANONICAL_FIELDS
from intake.services import import_needs, import_options_from_form, list_import_profiles
from jobs.imports import file_kind, keep_upload, kept_upload, start_import
from jobs.models import Job
from web.access import current_actor, login_required
from web.form_input import domain_messages

bp = Blueprint("import_pages", __name__, url_prefix="/imports")

MAPPED_FIELDS = (
    "external_id", "category", "title", "description", "address", "latitude", "longitude",
    "opened_at", "status", "parcel_id", "zip_code", "neighbourhood",
)  # fmt: skip


def _stored(token: str) -> Path | None:
    """The file kept at the preview, if this user's token names one."""
    return kept_upload(current_actor(), token)


def _keep_upload() -> tuple[str, str] | None:
    """Save a newly sent file; (token, its name). None when no file was sent."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return keep_upload(current_actor(), upload)


def _lines(text: str) -> dict[str, str]:
    """`KEY=VALUE` lines (blank lines skipped) as a table."""
    table = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and value.strip():
            table[key.strip()] = value.strip()
    return table


def options_json(form: Any) -> str:
    """The form's mapping as the options JSON of `POST /api/v1/imports`."""
    data: dict[str, Any] = {}
    columns = {name: form.get(f"column-{name}", "").strip() for name in MAPPED_FIELDS}
    if any(columns.values()):
        data["columns"] = {k: v for k, v in columns.items() if v}
    if form.get("set-category"):
        data["set"] = {"category": form["set-category"]}
    for key in ("location_column", "date_format", "timezone"):
        if form.get(key, "").strip():
            data[key] = form[key].strip()
    if form.get("duplicate_radius_m", "").strip():
        try:
            data["duplicate_radius_m"] = float(form["duplicate_radius_m"])
        except ValueError:
            data["duplicate_radius_m"] = form["duplicate_radius_m"]  # refused with a message
    if form.get("categories", "").strip():
        data["categories"] = _lines(form["categories"])
    if form.get("no_geocode"):
        data["geocode"] = False
    return json.dumps(data)


def _form(preview: bool) -> dict[str, Any]:
    """The upload's options as the API's form fields."""
    return {
        "source": request.form.get("source", "").strip() or None,
        "preset": request.form.get("preset") or None,
        "profile": request.form.get("profile") or None,
        "options": options_json(request.form),
        "dry_run": preview,
        "save_profile": None if preview else (request.form.get("save_profile", "").strip() or None),
    }


def _kept(token: str) -> Path:
    path = _stored(token)
    if path is None:
        raise ValidationError(
            "Choose a file to import.", {"file": ["Choose a CSV or GeoJSON file."]}
        )
    return path


def _preview(token: str, filename: str) -> Any:
    """A dry run of the kept file, in the request: the first rows, nothing stored."""
    path = _kept(token)
    options = import_options_from_form(current_actor(), _form(True), file_kind(filename))
    return import_needs(current_actor(), path, options, filename=filename)


def _start_import(token: str, filename: str) -> Job:
    """Import the kept file as a job (`jobs.imports.start_import`: the options are checked
    now, so a refusal is shown on the form); the job removes the file when it is done."""
    return start_import(current_actor(), _kept(token), filename, _form(False))


@bp.route("/", methods=["GET", "POST"])
@login_required
def upload():
    """The upload form; a preview (dry run) of the mapped file; the import."""
    actor = current_actor()
    actor.require("import.run")  # before reading the form
    errors: dict[str, list[str]] = {}
    report = None
    token, filename = request.form.get("upload_token", ""), request.form.get("filename", "")
    if request.method == "POST":
        kept = _keep_upload()
        if kept is not None:
            token, filename = kept
        preview = request.form.get("action", "preview") != "import"
        try:
            if not preview:
                job = _start_import(token, filename)
                flash("The file is being imported; this page shows how far it got.", "success")
                return redirect(url_for("job_pages.show", job_id=job.id), 303)
            report = _preview(token, filename)
        except DomainError as exc:
            errors = domain_messages(exc)
    status = 422 if errors else 200
    return render_template(
        "imports/upload.html",
        form=request.form,
        errors=errors,
        report=report,
        token=token,
        filename=filename,
        fields=MAPPED_FIELDS,
        all_fields=CANONICAL_FIELDS,
        capabilities=list_capabilities(actor),
        profiles=list_import_profiles(actor),
    ), status
