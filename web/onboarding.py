"""Partner onboarding pages: an organisation registers itself; its partner admins manage members.

Registration reads its form with `accounts.schemas.RegistrationSchema`, the partner schema's
rules; the sectors are the registry's own vocabulary. Must not import `api`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from accounts.onboarding import invite_member, list_members, register_organisation, remove_member
from accounts.schemas import InviteSchema, RegistrationSchema
from accounts.sessions import clock, start_session
from commonground.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from commonground.links import public_url
from commonground.rate_limits import per_address
from partners.sectors import SECTOR_LABELS
from web.access import current_actor, login_required
from web.actions import run_action
from web.city_map import outlines_for_pages
from web.form_input import domain_messages, read_form
from web.needs import map_settings

bp = Blueprint("onboarding", __name__)

REGISTRATION_STARTS = MultiDict({"service_radius_km": "5.0"})


@bp.route("/register", methods=["GET", "POST"])
@per_address("RATELIMIT_REGISTER")
def register():
    """An organisation registers itself (pending verification) with its first member. Its
    base address is looked up on submit; with JavaScript a pin on the map confirms it (a pin
    far from the address is kept, with a warning)."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        schema = RegistrationSchema()
        try:
            warnings: list[str] = []
            _, user = register_organisation(**read_form(schema, request.form), warnings=warnings)
        except DomainError as exc:
            errors = domain_messages(exc, schema.load_fields)
        else:
            start_session(user)
            flash(
                "Your organisation is registered. A city coordinator will verify it; "
                "until then you can complete your profile.",
                "success",
            )
            for warning in warnings:
                flash(warning, "warning")
            return redirect(url_for("onboarding.members"))
    return render_template(
        "onboarding/register.html",
        form=request.form if request.method == "POST" else REGISTRATION_STARTS,
        errors=errors,
        sectors=SECTOR_LABELS,
        map=map_settings(),
        outlines=[] if map_settings()["tile_url"] else outlines_for_pages(),
    ), (422 if request.method == "POST" else 200)


def _own_partner_id() -> int:
    partner_id = current_actor().partner_id
    if partner_id is None:
        raise PermissionDeniedError("Only partner members have an organisation here.")
    return partner_id


def _members_page(form: MultiDict | None = None, errors: dict | None = None, status: int = 200):
    members = list_members(current_actor(), _own_partner_id())
    return (
        render_template(
            "onboarding/members.html",
            members=members,
            form=form if form is not None else MultiDict(),
            errors=errors or {},
        ),
        status,
    )


@bp.get("/organisation/members")
@login_required
def members():
    """The members of my organisation (partner admins)."""
    return _members_page()


@bp.post("/organisation/members")
@login_required
def invite():
    """Invite a member by email: they get a single-use link to choose a password."""
    schema = InviteSchema()
    try:
        data = read_form(schema, request.form)
        invite_member(
            current_actor(),
            _own_partner_id(),
            email=data["email"],
            name=data["name"],
            link_for=lambda token: public_url("auth.reset_password", token=token),
            lifetime=timedelta(days=current_app.config["INVITATION_DAYS"]),
            now=clock(),
        )
    except (ValidationError, ConflictError) as exc:
        return _members_page(request.form, domain_messages(exc, schema.load_fields), exc.status)
    flash("Invitation sent.", "success")
    return redirect(url_for("onboarding.members"))


@bp.post("/organisation/members/<id:member_id>/remove")
@login_required
def remove(member_id: int):
    """Remove a member: their sessions and API tokens stop working at once."""
    return run_action(
        lambda: remove_member(current_actor(), _own_partner_id(), member_id, now=clock()),
        done="The member is removed.",
        back=url_for("onboarding.members"),
        refusals=(),  # removing yourself is a 409 page
    )
