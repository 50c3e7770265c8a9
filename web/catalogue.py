"""The city resources catalogue page: everyone signed in reads it, coordinators edit it."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from briefings import catalogue as services
from briefings.schemas import CatalogueEntryCreateSchema, CatalogueEntryUpdateSchema
from capabilities.services import capability_labels
from web.access import current_actor, login_required
from web.actions import run_action
from web.form_input import read_form

bp = Blueprint("catalogue_pages", __name__, url_prefix="/catalogue")
ID = "<id:entry_id>"


@bp.get("/")
@login_required
def index():
    """The catalogue and, for coordinators, a form to add to it."""
    actor = current_actor()
    labels = capability_labels()
    entries = services.list_catalogue(actor, include_inactive=True)
    return render_template(
        "catalogue/index.html",
        entries=[services.present_entry(e, labels) for e in entries],
        capabilities=sorted(labels.items(), key=lambda item: item[1]),
        can_manage=actor.can("catalogue.manage"),
    )


@bp.post("/")
@login_required
def add():
    """Add a city resource (coordinators)."""
    actor = current_actor()
    actor.require("catalogue.manage")  # refuse before reading the form
    return run_action(
        lambda: services.add_catalogue_entry(
            actor, read_form(CatalogueEntryCreateSchema(), request.form)
        ),
        done=lambda entry: f"Added “{entry.title}”.",
        back=url_for("catalogue_pages.index"),
        status=303,
    )


@bp.get(f"/{ID}/edit")
@login_required
def edit(entry_id: int):
    """The form to change one resource (coordinators)."""
    actor = current_actor()
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
    actor = current_actor()
    actor.require("catalogue.manage")
    # A checkbox is present or absent, not a JSON boolean.
    checkbox = {"blanks": {"is_active": False}, "coerce": {"is_active": bool}}
    return run_action(
        lambda: services.update_catalogue_entry(
            actor, entry_id, read_form(CatalogueEntryUpdateSchema(), request.form, **checkbox)
        ),
        done="Saved.",
        back=url_for("catalogue_pages.index"),
        refused_back=url_for("catalogue_pages.edit", entry_id=entry_id),
        status=303,
    )


@bp.post(f"/{ID}/delete")
@login_required
def delete(entry_id: int):
    """Remove one resource (coordinators)."""
    return run_action(
        lambda: services.delete_catalogue_entry(current_actor(), entry_id),
        done="Removed.",
        back=url_for("catalogue_pages.index"),
        refusals=(),
        status=303,
    )
