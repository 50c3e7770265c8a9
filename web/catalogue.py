"""The city resources catalogue page: everyone signed in reads it, coordinators edit it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from api.catalogue import CatalogueEntryCreateSchema, CatalogueEntryUpdateSchema
from briefings import catalogue as services
from capabilities.services import capability_labels
from commonground.errors import ConflictError, ValidationError
from web.schema_forms import load_form
from web.signed_in import page_actor

bp = Blueprint("catalogue_pages", __name__, url_prefix="/catalogue")
ID = "<int(min=1, max=2147483647):entry_id>"


@bp.get("/")
@login_required
def index():
    """The catalogue and, for coordinators, a form to add to it."""
    actor = page_actor()
    labels = capability_labels()
    entries = services.list_catalogue(actor, include_inactive=True)
    return render_template(
        "catalogue/index.html",
        entries=[services.present_entry(e, labels) for e in entries],
        capabilities=sorted(labels.items(), key=lambda item: item[1]),
        can_manage=actor.can("catalogue.manage"),
    )


def _refused(exc: ValidationError | ConflictError, target: str):
    for field, messages in exc.errors.items():
        flash(f"{field}: {' '.join(str(m) for m in messages)}", "error")
    flash(exc.message, "error")
    return redirect(target, 303)


@bp.post("/")
@login_required
def add():
    """Add a city resource (coordinators)."""
    try:
        data = load_form(CatalogueEntryCreateSchema(), request.form, lists=("capabilities",))
        entry = services.add_catalogue_entry(page_actor(), data)
    except (ValidationError, ConflictError) as exc:
        return _refused(exc, url_for("catalogue_pages.index"))
    flash(f"Added “{entry.title}”.", "success")
    return redirect(url_for("catalogue_pages.index"), 303)


@bp.get(f"/{ID}/edit")
@login_required
def edit(entry_id: int):
    """The form to change one resource (coordinators)."""
    actor = page_actor()
    actor.require("catalogue.manage")
    labels = capability_labels()
    return render_template(
        "catalogue/edit.html",
        entry=services.present_entry(services.get_catalogue_entry(actor, entry_id), labels),
        capabilities=sorted(labels.items(), key=lambda item: item[1]),
    )


@bp.post(f"/{ID}/edit")
@login_required
def update(entry_id: int):
    """Change one resource (coordinators). Unticked boxes mean withdrawn / no capability."""
    form = request.form.copy()
    form["is_active"] = "true" if form.get("is_active") else "false"
    try:
        data = load_form(CatalogueEntryUpdateSchema(), form, lists=("capabilities",))
        services.update_catalogue_entry(page_actor(), entry_id, data)
    except (ValidationError, ConflictError) as exc:
        return _refused(exc, url_for("catalogue_pages.edit", entry_id=entry_id))
    flash("Saved.", "success")
    return redirect(url_for("catalogue_pages.index"), 303)


@bp.post(f"/{ID}/delete")
@login_required
def delete(entry_id: int):
    """Remove one resource (coordinators)."""
    services.delete_catalogue_entry(page_actor(), entry_id)
    flash("Removed.", "success")
    return redirect(url_for("catalogue_pages.index"), 303)
