"""The kinds of long work that run as jobs, off the request: the city plan, the briefing batch,
an uploaded import, and geocoding what is pending. Each calls the service that does the work,
as the person who started it, and makes a repeated run (after a lost worker) do it once:

- city plan: the plan id is saved with the plan in one unit of work; a run that finds it saved
  reports that plan instead of planning again;
- briefing batch: each briefing's id is saved with the briefing; a run skips those partners;
- import: an import is idempotent (re-importing changes only rows that changed); the kept file
  is removed when the job succeeds;
- geocoding what is pending: each pass only locates needs still pending;
- a briefing's PDF: made once and stored with the briefing; a run finding it stored is done.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from accounts.actor import Actor
from briefings.models import Briefing
from briefings.services import run_batch, store_pdf
from commonground.errors import ValidationError
from intake.services import geocode_pending, import_needs, import_options_from_form
from jobs.kinds import JobOutcome, JobRun, job_kind, result_ref
from jobs.services import start_job
from planning.models import Plan
from planning.services import run_city_plan

log = logging.getLogger(__name__)

PLAN_STAGES = 100
"""A plan's progress is reported as a percentage."""


@job_kind("city_plan", "City plan", permission="plan.run")
def city_plan(actor: Actor, run: JobRun) -> JobOutcome:
    """Compute and store the optimal city plan (`planning.services.run_city_plan`)."""
    plan_id = run.saved.get("plan_id")
    if plan_id is None:

        def progress(stage: str, fraction: float) -> None:
            run.progress(min(PLAN_STAGES - 1, int(fraction * PLAN_STAGES)), PLAN_STAGES, stage)

        def keep(plan: Plan) -> None:
            run.save(plan_id=plan.id)

        plan = run_city_plan(actor, k=run.params.get("k"), progress=progress, within=keep)
        plan_id = plan.id
    return JobOutcome(
        f"Plan #{plan_id} is ready: review it, then offer tasks to partners.",
        {"plan_id": plan_id},
        result_ref("plan", plan_id),
    )


@job_kind("briefing_batch", "Briefing batch", permission="briefing.generate")
def briefing_batch(actor: Actor, run: JobRun) -> JobOutcome:
    """A briefing for every active partner (or the partners given), one unit of work each."""
    made: dict[str, int] = dict(run.saved.get("generated", {}))

    def keep(partner_id: int, briefing: Briefing) -> None:
        made[str(partner_id)] = briefing.id
        run.save(generated=dict(made))

    result = run_batch(
        actor,
        run.params.get("partner_ids"),
        progress=lambda done, total: run.progress(done, total),
        already={int(k): v for k, v in made.items()},
        within=keep,
    )
    failed = len(result.failures)
    return JobOutcome(
        f"Generated {len(result.generated)} of {result.total} briefing(s); {failed} failed.",
        {"generated": made, "failures": result.failures, "total": result.total},
        result_ref("briefings"),
    )


@job_kind("briefing_pdf", "Briefing PDF", permission="briefing.generate")
def briefing_pdf(actor: Actor, run: JobRun) -> JobOutcome:
    """Make and store one briefing's PDF (`briefings.services.store_pdf`)."""
    briefing_id = int(run.params["briefing_id"])
    size = store_pdf(actor, briefing_id)
    return JobOutcome(
        f"The PDF of briefing #{briefing_id} is ready.",
        {"briefing_id": briefing_id, "bytes": size},
        result_ref("briefings"),
    )


def with_pdf_made_later(actor: Actor, briefing: Briefing) -> Briefing:
    """Start the job that makes a briefing's PDF, just made, off the request: its PDF link then
    serves the stored file. Called after the briefing's unit of work, by the pages and the API.
    The briefing is made whatever happens to the queue: when the job cannot be queued (the
    queue's storage unreachable), that is logged and the PDF is made when first asked for."""
    try:
        start_job(
            actor,
            "briefing_pdf",
            {"briefing_id": briefing.id},
            label=f"PDF of briefing #{briefing.id}",
        )
    except Exception:  # the briefing is stored; its PDF can still be made on demand
        log.exception("The PDF job of briefing %s could not be queued", briefing.id)
    return briefing


@job_kind("import_file", "Import", permission="import.run")
def import_file(actor: Actor, run: JobRun) -> JobOutcome:
    """Import an uploaded file kept under the instance folder (the page's or the API's, both
    started by `jobs.imports.start_import`); the result's `import` is the import's report."""
    params: dict[str, Any] = run.params
    path = Path(params["path"])
    if not path.is_file():
        raise ValidationError("The uploaded file is no longer kept: upload it again.")
    options = import_options_from_form(actor, params.get("form", {}), params.get("kind"))
    report = import_needs(
        actor,
        path,
        options,
        filename=params.get("filename"),
        progress=lambda read: run.progress(read, params.get("size") or None),
    )
    path.unlink(missing_ok=True)
    summary = report.as_data()  # the report `POST /api/v1/imports` answered in the request
    return JobOutcome(
        f"{summary['rows_read']} rows read: {summary['created']} new, {summary['updated']} "
        f"updated, {summary['unchanged']} unchanged, {summary['rows_rejected']} rejected.",
        {"import": summary},
        result_ref("needs"),
    )


@job_kind("geocode_pending", "Geocoding", permission="import.run")
def geocode(actor: Actor, run: JobRun) -> JobOutcome:
    """Locate the needs still waiting for the geocoder."""
    report = geocode_pending(actor, retry_not_found=bool(run.params.get("retry_not_found")))
    return JobOutcome(report.line(), {"located": report.located, "pending": report.still_pending})
