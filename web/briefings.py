"""Briefing pages for outreach and coordinators: generate each kind, reopen stored ones, open
their PDF, and run the batch for every active partner with a progress bar."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from api.briefings import NeighbourhoodBriefingCreateSchema, ProspectBriefingCreateSchema
from briefings import services
from commonground.errors import ValidationError
from web.schema_forms import load_form
from web.signed_in import page_actor

bp = Blueprint("briefing_pages", __name__, url_prefix="/briefings")
ID = "<int(min=1, max=2147483647):briefing_id>"


@bp.get("/")
@login_required
def index():
    """Forms for the three kinds of briefing, and the stored ones."""
    return render_template(
        "briefings/index.html", page=services.briefing_page_options(page_actor())
    )


def _invalid(exc: ValidationError):
    for field, messages in exc.errors.items():
        flash(f"{field}: {' '.join(str(m) for m in messages)}", "error")
    flash(exc.message, "error")
    return redirect(url_for("briefing_pages.index")), 303


@bp.post("/partner")
@login_required
def partner():
    """Generate a briefing for a registered partner."""
    raw = request.form.get("partner_id", "")
    if not raw.isdigit() or len(raw) > 10:
        return _invalid(ValidationError("Choose a partner.", {"partner_id": ["Required."]}))
    briefing = services.generate_partner_briefing(page_actor(), int(raw))
    return redirect(url_for("briefing_pages.show", briefing_id=briefing.id), 303)


@bp.post("/prospect")
@login_required
def prospect():
    """Generate a briefing for an organisation that is not registered yet."""
    try:
        data = load_form(ProspectBriefingCreateSchema(), request.form, lists=("capabilities",))
        briefing = services.generate_prospect_briefing(page_actor(), data)
    except ValidationError as exc:
        return _invalid(exc)
    return redirect(url_for("briefing_pages.show", briefing_id=briefing.id), 303)


@bp.post("/neighbourhood")
@login_required
def neighbourhood():
    """Generate a briefing for a neighbourhood's community meeting."""
    try:
        data = load_form(NeighbourhoodBriefingCreateSchema(), request.form)
        briefing = services.generate_neighbourhood_briefing(
            page_actor(), data["neighbourhood"], weekly_tasks=data["weekly_tasks"]
        )
    except ValidationError as exc:
        return _invalid(exc)
    return redirect(url_for("briefing_pages.show", briefing_id=briefing.id), 303)


@bp.get(f"/{ID}")
@login_required
def show(briefing_id: int):
    """A stored briefing: who made it, when, and links to its document and PDF."""
    briefing = services.get_briefing(page_actor(), briefing_id)
    return render_template("briefings/show.html", briefing=services.present_briefing(briefing))


@bp.get(f"/{ID}/document")
@login_required
def document(briefing_id: int):
    """The stored briefing document, exactly as it was handed over."""
    return Response(services.get_briefing(page_actor(), briefing_id).html, mimetype="text/html")


@bp.get(f"/{ID}.pdf")
@login_required
def pdf(briefing_id: int):
    """The stored briefing as PDF."""
    actor = page_actor()
    briefing = services.get_briefing(actor, briefing_id)
    name = services.pdf_filename(briefing)
    return Response(
        services.render_pdf(actor, briefing_id),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.get("/batch")
@login_required
def batch_page():
    """The batch page: a briefing for every active partner, with a progress bar."""
    total = len(services.active_partner_ids(page_actor()))
    return render_template("briefings/batch.html", total=total, result=None)


@bp.post("/batch")
@login_required
def batch_all():
    """Without JavaScript: the whole batch in one request, then its report."""
    result = services.run_batch(page_actor())
    return render_template(
        "briefings/batch.html",
        total=result.total,
        result={"generated": result.generated, "failures": result.failures},
    )


@bp.post("/batch/step")
@login_required
def batch_step():
    """With JavaScript: the next few partners, as JSON for the progress bar."""
    raw = request.form.get("offset", "0")
    offset = int(raw) if raw.isdigit() and len(raw) < 7 else 0
    return jsonify(services.run_batch_step(page_actor(), offset))
