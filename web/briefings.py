"""Briefing pages for outreach and coordinators: generate each kind, reopen stored ones, open
their PDF, and run the batch for every active partner as a job whose progress the page shows."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from accounts.actor import Actor
from briefings import services
from briefings.models import Briefing
from briefings.schemas import (
    NeighbourhoodBriefingCreateSchema,
    PartnerBriefingCreateSchema,
    ProspectBriefingCreateSchema,
)
from commonground.errors import ValidationError
from jobs.services import latest_job, start_job
from jobs.work import with_pdf_made_later
from partners.sectors import PROSPECT_SECTORS
from web.access import current_actor, login_required
from web.actions import run_action
from web.form_input import domain_messages, read_form
from web.jobs import REFRESH_SECONDS, job_view

bp = Blueprint("briefing_pages", __name__, url_prefix="/briefings")
ID = "<id:briefing_id>"


PROSPECT_STARTS = MultiDict(
    {"radius_km": "3", "tasks_per_week": "2", "volunteer_hours_per_week": "8"}
)


@bp.get("/")
@login_required
def index():
    """Forms for the three kinds of briefing, and the stored ones."""
    return _index(PROSPECT_STARTS, {})


def _index(prospect_form: MultiDict, prospect_errors: dict[str, list[str]]) -> str:
    return render_template(
        "briefings/index.html",
        page=services.briefing_page_options(current_actor()),
        sectors=PROSPECT_SECTORS,
        form=prospect_form,
        errors=prospect_errors,
    )


def _generate(make: Callable[[Actor], Briefing]) -> Response:
    """Generate a briefing from a form: its page on success, the forms again on a refusal."""
    actor = current_actor()
    actor.require("briefing.generate")  # refuse before reading the form
    return run_action(
        lambda: with_pdf_made_later(actor, make(actor)),
        done=None,
        back=lambda briefing: url_for("briefing_pages.show", briefing_id=briefing.id),
        refused_back=url_for("briefing_pages.index"),
        refusals=(ValidationError,),
        status=303,
    )


@bp.post("/partner")
@login_required
def partner():
    """Generate a briefing for a registered partner."""
    return _generate(
        lambda actor: services.generate_partner_briefing(
            actor, read_form(PartnerBriefingCreateSchema(), request.form)["partner_id"]
        )
    )


@bp.post("/prospect")
@login_required
def prospect():
    """Generate a briefing for an organisation that is not registered yet, placed at its
    typed address (looked up now) or its neighbourhood's centre. A refusal shows the form
    again with what was typed and the messages next to the fields."""
    actor = current_actor()
    actor.require("briefing.generate")  # refuse before reading the form
    schema = ProspectBriefingCreateSchema()
    try:
        briefing = services.generate_prospect_briefing(actor, read_form(schema, request.form))
    except ValidationError as exc:
        return _index(request.form, domain_messages(exc, schema.load_fields)), 422
    with_pdf_made_later(actor, briefing)
    return redirect(url_for("briefing_pages.show", briefing_id=briefing.id), 303)


@bp.post("/neighbourhood")
@login_required
def neighbourhood():
    """Generate a briefing for a neighbourhood's community meeting."""

    def generate(actor: Actor) -> Briefing:
        data = read_form(NeighbourhoodBriefingCreateSchema(), request.form)
        return services.generate_neighbourhood_briefing(
            actor, data["neighbourhood"], weekly_tasks=data["weekly_tasks"]
        )

    return _generate(generate)


@bp.get(f"/{ID}")
@login_required
def show(briefing_id: int):
    """A stored briefing: who made it, when, and links to its document and PDF."""
    briefing = services.get_briefing(current_actor(), briefing_id)
    return render_template("briefings/show.html", briefing=services.present_briefing(briefing))


@bp.get(f"/{ID}/document")
@login_required
def document(briefing_id: int):
    """The stored briefing document, exactly as it was handed over."""
    return Response(services.get_briefing(current_actor(), briefing_id).html, mimetype="text/html")


@bp.get(f"/{ID}.pdf")
@login_required
def pdf(briefing_id: int):
    """The stored briefing as PDF."""
    actor = current_actor()
    briefing = services.get_briefing(actor, briefing_id)
    name = services.pdf_filename(briefing)
    return Response(
        services.briefing_pdf(actor, briefing_id),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.get("/batch")
@login_required
def batch_page():
    """The batch page: start a briefing for every active partner as a job; the latest batch
    job's progress while it runs (the page reloads itself), and its report when done."""
    actor = current_actor()
    total = len(services.active_partner_ids(actor))
    latest = latest_job(actor, "briefing_batch")
    job = job_view(latest) if latest is not None else None
    return render_template(
        "briefings/batch.html",
        total=total,
        job=job,
        refresh=REFRESH_SECONDS if job and job["active"] else None,
    )


@bp.post("/batch")
@login_required
def batch_all():
    """Start the batch as a job and show its progress."""
    return run_action(
        lambda: start_job(current_actor(), "briefing_batch", label="Briefings for every partner"),
        done="The briefings are being generated; this page shows how far it got.",
        back=lambda job: url_for("job_pages.show", job_id=job.id),
        refusals=(),
        status=303,
    )
