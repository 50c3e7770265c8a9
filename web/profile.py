"""Partner member page: our profile — description, contacts, capabilities with weekly
capacity and equipment, and the service area (radius from base on the map, or neighbourhoods).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from api.partners import PartnerUpdateSchema
from commonground.errors import DomainError
from geo.services import list_neighbourhoods
from needs.tasks import our_profile
from partners.services import update_partner
from web.access import current_actor, login_required
from web.form_input import domain_messages, field_messages
from web.needs import capability_choices, map_settings

bp = Blueprint("profile", __name__, url_prefix="/profile")

TEXT_FIELDS = (
    "description",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "base_address",
)
NUMBER_FIELDS = ("base_latitude", "base_longitude", "service_radius_km")
CAPACITY_FIELDS = ("tasks_per_week", "volunteer_hours_per_week", "equipment")


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit():
    """Show and change our organisation's profile."""
    actor = current_actor()
    profile = our_profile(actor)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, errors = read_profile_form(request.form)
        if not errors:
            try:
                update_partner(actor, profile["id"], data)
            except DomainError as exc:
                errors = domain_messages(exc)
            else:
                flash("Profile saved.", "success")
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
    for name in profile["service_neighbourhoods"] or []:
        form.add("service_neighbourhoods", name)
    for item in profile["capabilities"]:
        code = item["capability"]
        form.add("capability", code)
        for field in CAPACITY_FIELDS:
            form[f"{field}-{code}"] = str(item[field])
    return form


def read_profile_form(form: MultiDict) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The profile form through PartnerUpdateSchema; capability errors keyed per row."""
    raw: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = form.get(name, "").strip()
        raw[name] = value if value or name == "description" else None
    for name in NUMBER_FIELDS:
        raw[name] = form.get(name, "").strip()
    raw["service_neighbourhoods"] = form.getlist("service_neighbourhoods")
    codes = [c for c in form.getlist("capability") if c]
    raw["capabilities"] = [
        {
            "capability": code,
            **{f: form.get(f"{f}-{code}", "").strip() or _default(f) for f in CAPACITY_FIELDS},
        }
        for code in codes
    ]
    try:
        return PartnerUpdateSchema().load(raw), {}
    except SchemaError as exc:
        messages = dict(exc.messages)
        rows = messages.pop("capabilities", {})
        errors = field_messages(messages)
        if isinstance(rows, dict):
            for index, row_errors in rows.items():
                code = codes[index] if isinstance(index, int) and index < len(codes) else ""
                for name, texts in field_messages(row_errors).items():
                    errors.setdefault(f"{name}-{code}", []).extend(texts)
        return {}, errors


def _default(field: str) -> str:
    return {"tasks_per_week": "1", "volunteer_hours_per_week": "0", "equipment": ""}[field]
