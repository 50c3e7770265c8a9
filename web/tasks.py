"""Partner member pages: tasks near us (map and list), claim / start / complete / release with
a confirmation and a clear message when someone else was first or we are over capacity, our
claims, and our history and impact.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from accounts.actor import Actor
from commonground.db_types import utcnow
from commonground.errors import ConflictError, DomainError, ValidationError
from commonground.rate_limits import per_organisation_shared
from media.images import CleanPhoto
from media.services import PhotoRejectedError, Upload, clean_upload
from needs import services
from needs.detail import need_detail
from needs.schemas import CompletionReportSchema, NoteSchema, ReasonSchema
from needs.tasks import full_this_week, lost_claim, our_claims, our_history
from performance.services import partner_impact
from planning.services import accept_offer, decline_offer, tasks_near
from web.access import current_actor, json_login_required, login_required
from web.actions import run_action
from web.form_input import domain_messages, load_form
from web.needs import capability_choices, map_settings

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

MAX_COMPLETION_PHOTOS = 3  # before, and as many after
NID = "<id:need_id>"
REPORT_FIELDS = ("volunteers", "hours", "units", "unit_kind", "notes")


@bp.get("/")
@login_required
def index():
    """Offers from city plans, then open needs we can act on in our area, ranked with reasons."""
    actor = current_actor()
    found = tasks_near(actor, actor.partner_id, now=utcnow())
    return render_template(
        "tasks/index.html",
        found=found,
        full=full_this_week(found["capacity"]),
        can=actor.can,
        capabilities=capability_choices(),
        map=map_settings(),
    )


@bp.get("/near.geojson")
@json_login_required
def near_geojson():
    """The same tasks as GeoJSON for the map beside the list."""
    actor = current_actor()
    found = tasks_near(actor, actor.partner_id, now=utcnow())
    features = [
        {
            "type": "Feature",
            "id": t["id"],
            "geometry": {"type": "Point", "coordinates": [t["longitude"], t["latitude"]]},
            "properties": {
                "title": t["title"],
                "status": "open",
                "capability": t["capability"],
                "priority": t["priority"],
            },
        }
        for t in found["tasks"]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": found["truncated"]}


@bp.get("/claims")
@login_required
def claims():
    """Our claims in hand (each saying when the city may release it), and completions waiting
    for the city to verify."""
    return render_template("tasks/claims.html", claims=our_claims(current_actor()), now=utcnow())


@bp.get("/history")
@login_required
def history():
    """What we did: finished, released and rejected claims, and our impact totals (read as our
    briefings read them)."""
    actor = current_actor()
    history = our_history(actor)
    return render_template(
        "tasks/history.html",
        history=history,
        impact=partner_impact(actor, history["partner_id"]),
    )


OFFER = "<id:plan_id>/<id:assignment_id>"


@bp.post(f"/offers/{OFFER}/accept")
@login_required
def accept(plan_id: int, assignment_id: int):
    """Accept a task the city offered us: it becomes our claim."""
    return _button(
        lambda: accept_offer(current_actor(), plan_id, assignment_id),
        "Accepted: the task is in “Our claims”.",
        "Not accepted: ",
        url_for("tasks.index"),
    )


@bp.post(f"/offers/{OFFER}/decline")
@login_required
def decline(plan_id: int, assignment_id: int):
    """Decline a task the city offered us."""
    data, errors = load_form(NoteSchema(), request.form, ("note",))
    if errors:
        flash(f"Not declined: {' '.join(errors.get('note', []))}", "error")
        return redirect(url_for("tasks.index"))
    return _button(
        lambda: decline_offer(current_actor(), plan_id, assignment_id, data["note"]),
        "Declined: the city will find someone else.",
        "Not declined: ",
        url_for("tasks.index"),
    )


@bp.post(f"/{NID}/claim")
@login_required
@per_organisation_shared("RATELIMIT_CLAIM", "claim")  # one counter with the API's claims
def claim(need_id: int):
    """Claim an open need for our organisation."""
    done = "Claimed. It is in “Our claims”; start it when work begins."
    actor = current_actor()
    try:
        services.claim_need(actor, need_id)
    except ConflictError as exc:
        lost = lost_claim(actor, need_id, utcnow())
        if lost is None:
            flash(f"Not claimed: {exc.message}", "error")
            return _back(need_id)
        flash(_lost_words(lost), "error")
        return redirect(url_for("need_pages.show", need_id=need_id) + "#similar-h")
    flash(done, "success")
    return _back(need_id)


def _lost_words(lost: dict) -> str:
    """ "Northside Crew claimed this 2 minutes ago — here are 3 similar tasks nearby." """
    minutes = lost["minutes"]
    ago = (
        "just now"
        if minutes < 1
        else f"{minutes} minute{'' if minutes == 1 else 's'} ago"
        if minutes < 120
        else f"{minutes // 60} hours ago"
        if minutes < 2880
        else f"{minutes // 1440} days ago"
    )
    count = len(lost["similar"])
    rest = (
        f"here {'is' if count == 1 else 'are'} {count} similar task{'' if count == 1 else 's'} "
        "nearby."
        if count
        else "no similar task is open nearby right now."
    )
    return f"{lost['partner_name']} claimed this {ago} — {rest}"


@bp.post(f"/{NID}/start")
@login_required
def start(need_id: int):
    """Start work on a need we claimed."""
    return _need_button(services.start_need, need_id, "Work started.", "Not started: ")


@bp.post(f"/{NID}/release")
@login_required
def release(need_id: int):
    """Give a claimed need back, with a reason."""
    data, errors = load_form(ReasonSchema(), request.form, ("reason",))
    if errors:
        flash("Not released: say why you are giving the task back.", "error")
        return _back(need_id)
    try:
        services.release_need(current_actor(), need_id, data["reason"])
    except (ConflictError, ValidationError) as exc:
        flash(f"Not released: {exc.message}", "error")
    else:
        flash("Released: the need is open for others again.", "success")
    return _back(need_id)


@bp.route(f"/{NID}/complete", methods=["GET", "POST"])
@login_required
def complete(need_id: int):
    """The completion report: volunteers, hours, units, notes."""
    actor = current_actor()
    actor.require("need.work")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, errors = load_form(
            CompletionReportSchema(), request.form, REPORT_FIELDS, coerce={"volunteers": int}
        )
        photos, photo_errors = _completion_photos()
        errors.update(photo_errors)
        if not errors:
            try:
                services.complete_need(actor, need_id, data, photos=photos)
            except DomainError as exc:
                if isinstance(exc, ConflictError | ValidationError):
                    errors = domain_messages(exc)
                else:
                    raise
            else:
                flash("Reported done. The city will verify it.", "success")
                return redirect(url_for("tasks.claims"))
    return render_template(
        "tasks/complete.html",
        need=need_detail(actor, need_id),
        form=request.form,
        errors=errors,
    ), (422 if errors else 200)


def _completion_photos() -> tuple[list[tuple[str, CleanPhoto]], dict[str, list[str]]]:
    """The before and after photos of a completion form, cleaned; a refused one is a message
    on its field (the partner's typed report is kept on the form)."""
    photos: list[tuple[str, CleanPhoto]] = []
    errors: dict[str, list[str]] = {}
    for role in ("before", "after"):
        files = [f for f in request.files.getlist(f"{role}_photos") if f and f.filename]
        if len(files) > MAX_COMPLETION_PHOTOS:
            errors[f"{role}_photos"] = [f"At most {MAX_COMPLETION_PHOTOS} photos."]
            continue
        for upload in files:
            try:
                photos.append((role, clean_upload(Upload(upload.filename or "", upload.read()))))
            except PhotoRejectedError as exc:
                errors.setdefault(f"{role}_photos", []).append(f"{upload.filename}: {exc}.")
    return photos, errors


def _button(call: Callable[[], object], done: str, refused: str, back: str) -> Response:
    """A partner's button: one service call; a conflict is flashed after `refused`."""
    return run_action(call, done=done, back=back, refused=refused, refusals=(ConflictError,))


def _need_button(
    service: Callable[[Actor, int], object], need_id: int, done: str, refused: str
) -> Response:
    """A button on one need: `service(actor, need_id)`, then back to where the button was."""
    return _button(lambda: service(current_actor(), need_id), done, refused, _back_url(need_id))


def _back(need_id: int):
    """Back to where the button was (a need page, the task list or our claims)."""
    return redirect(_back_url(need_id))


def _back_url(need_id: int) -> str:
    """Where the button was, if it is one of ours (a need page, the task list, our claims)."""
    target = request.form.get("next", "")
    allowed = {
        url_for("tasks.index"),
        url_for("tasks.claims"),
        url_for("need_pages.show", need_id=need_id),
    }
    return target if target in allowed else url_for("need_pages.show", need_id=need_id)
