"""Partner member page: our profile — description, contacts, capabilities with weekly
capacity and equipment, and the service area (radius from base on the map, or neighbourhoods).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from commonground.errors import DomainError
from geo.services import list_neighbourhoods
from needs.tasks import our_profile
from partners.schemas import PartnerUpdateSchema
from partners.services import CONTACT_FIELDS, update_partner
from web.access import current_actor, login_required
from web.form_input import Rows, domain_messages, read_form
from web.needs import capability_choices, map_settings

bp = Blueprint("profile", __name__, url_prefix="/profile")

TEXT_FIELDS = ("description", "website", *CONTACT_FIELDS, "base_address")
NUMBER_FIELDS = ("base_latitude", "base_longitude", "service_radius_km")
CAPACITY_FIELDS = ("tasks_per_week", "volunteer_hours_per_week", "equipment")
PROFILE_FORM = {
    "names": (
        *TEXT_FIELDS,
        *NUMBER_FIELDS,
        "service_neighbourhoods",
        "capabilities",
        "show_name_publicly",
    ),
    # A blank contact clears it; a blank description empties it; a blank position is refused.
    "blanks": {
        **dict.fromkeys(TEXT_FIELDS[1:]),
        "description": "",
        **dict.fromkeys(NUMBER_FIELDS, ""),
        "show_name_publicly": False,  # an unticked box sends nothing: it means no
    },
    "rows": {
        "capabilities": Rows(
            "capability",
            CAPACITY_FIELDS,
            {"tasks_per_week": "1", "volunteer_hours_per_week": "0", "equipment": ""},
        )
    },
}


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit():
    """Show and change our organisation's profile. A changed base address moves the base (looked
    up on save) unless the pin was moved too; a pin far from the address is kept, with a
    warning."""
    actor = current_actor()
    profile = our_profile(actor)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            data = read_form(PartnerUpdateSchema(), request.form, **PROFILE_FORM)
            warnings: list[str] = []
            update_partner(actor, profile["id"], data, warnings=warnings)
        except DomainError as exc:
            errors = domain_messages(exc)
        else:
            flash("Profile saved.", "success")
            for warning in warnings:
                flash(warning, "warning")
            return redirect(url_for("profile.edit"))
    return render_template(
        "profile/edit.html",
        profile=profile,
        form=request.form if request.method == "POST" else profile_form(profile),
        errors=errors,
        capabilities=capability_choices(),
        neighbourhoods=[n.name for n in list_neighbourhoods()],
        map=map_settings(),
    ), (422 if errors else 200)


def profile_form(profile: dict[str, Any]) -> MultiDict:
    """The saved profile as the form's starting values."""
    form = MultiDict()
    for name in (*TEXT_FIELDS, *NUMBER_FIELDS):
        value = profile.get(name)
        form[name] = "" if value is None else str(value)
    if profile.get("show_name_publicly"):
        form["show_name_publicly"] = "true"
    for name in profile["service_neighbourhoods"] or []:
        form.add("service_neighbourhoods", name)
    for item in profile["capabilities"]:
        code = item["capability"]
        form.add("capability", code)
        for field in CAPACITY_FIELDS:
            form[f"{field}-{code}"] = str(item[field])
    return form
