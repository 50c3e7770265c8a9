"""An uploaded import as a job, one path for the page (`web.imports`) and the API
(`POST /api/v1/imports`): the upload is kept in a file under the instance folder, the options
are checked in the request (a refusal is answered at once and starts nothing), then
`start_import` queues the `import_file` job (`jobs.work`), which imports the kept file in a
worker, removes it, and leaves the import's report (`ImportReport.as_data`) in its result.

Kept files are named by the user and a random token, so one person cannot name another's
file; files never imported (a preview left alone) go after a day.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import IO, Any, Protocol

from flask import current_app

from accounts.actor import Actor
from intake.services import import_options_from_form
from jobs.models import Job
from jobs.services import start_job

TOKEN = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
KEEP_SECONDS = 24 * 3600


class Upload(Protocol):
    """What an uploaded file offers (Werkzeug's `FileStorage`)."""

    filename: str | None

    def save(self, dst: str | Path | IO[bytes]) -> None: ...


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads() -> None:
    """Files kept for a preview that was never imported go after a day."""
    limit = time.time() - KEEP_SECONDS
    for path in _upload_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def keep_upload(actor: Actor, upload: Upload) -> tuple[str, str]:
    """Save a newly sent file for `actor`; (its token, its name without folders)."""
    _forget_old_uploads()
    token = secrets.token_urlsafe(18)
    upload.save(_upload_dir() / f"{actor.user_id}-{token}")
    return token, Path(upload.filename or "upload").name


def kept_upload(actor: Actor, token: str) -> Path | None:
    """The file kept for `actor` under `token`, if there is one."""
    if not TOKEN.match(token or ""):
        return None
    path = _upload_dir() / f"{actor.user_id}-{token}"
    return path if path.is_file() else None


def file_kind(filename: str) -> str:
    """csv or geojson, by the file's name."""
    return "geojson" if filename.lower().endswith(("json", "geojson")) else "csv"


def start_import(
    actor: Actor, path: Path, filename: str, form: dict[str, Any], kind: str | None = None
) -> Job:
    """Check the import's options now (a `DomainError` refuses them and starts nothing; a
    `save_profile` is stored here, once), then import the kept file at `path` as a job."""
    kind = kind or file_kind(filename)
    import_options_from_form(actor, form, kind)
    params = {
        "path": str(path),
        "filename": filename,
        "kind": kind,
        "size": path.stat().st_size,
        "form": {**form, "save_profile": None, "dry_run": False},
    }
    return start_job(actor, "import_file", params, label=f"Import of {filename}")
