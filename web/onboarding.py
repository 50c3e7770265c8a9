"""Partner onboarding pages: an organisation registers itself; its partner admins manage members."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, FloatField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import URL, DataRequired, EqualTo, Length, NumberRange, Optional

from accounts.onboarding import invite_member, list_members, register_organisation, remove_member
from accounts.services import actor_for
from accounts.sessions import clock, start_session
from commonground.errors import ConflictError, PermissionDeniedError, ValidationError
from commonground.links import public_url
from commonground.rate_limits import per_address
from web.forms import PlainText, apply_domain_errors

bp = Blueprint("onboarding", __name__)

SECTORS = [
    SelectChoice("nonprofit", "Nonprofit"),
    SelectChoice("faith_based", "Congregation or faith-based"),
    SelectChoice("business", "Business"),
    SelectChoice("neighbourhood_association", "Neighbourhood association"),
    SelectChoice("school_university", "School or university"),
    SelectChoice("civic_group", "Civic group"),
]


class RegistrationForm(FlaskForm):
    """An organisation and its first member."""

    name = StringField(
        "Organisation name", validators=[DataRequired(), Length(2, 160), PlainText()]
    )
    sector = SelectField("Sector", choices=SECTORS)
    description = TextAreaField(
        "What you do", validators=[Optional(), Length(max=5000), PlainText(multiline=True)]
    )
    website = StringField("Website", validators=[Optional(), Length(max=300), URL(), PlainText()])
    contact_phone = StringField("Phone", validators=[Optional(), Length(max=40), PlainText()])
    base_address = StringField("Address", validators=[Optional(), Length(max=300), PlainText()])
    base_latitude = FloatField("Latitude", validators=[DataRequired(), NumberRange(-90, 90)])
    base_longitude = FloatField("Longitude", validators=[DataRequired(), NumberRange(-180, 180)])
    service_radius_km = FloatField(
        "Service radius (km)", default=5.0, validators=[DataRequired(), NumberRange(0.1, 100)]
    )
    member_name = StringField("Your name", validators=[DataRequired(), Length(1, 120), PlainText()])
    email = EmailField("Your email", validators=[DataRequired(), Length(max=254), PlainText()])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "Password again",
        validators=[DataRequired(), EqualTo("password", "Not the same.")],
    )


class InviteForm(FlaskForm):
    """A new member's name and email."""

    name = StringField("Name", validators=[DataRequired(), Length(1, 120), PlainText()])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), PlainText()])


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token."""


@bp.route("/register", methods=["GET", "POST"])
@per_address("RATELIMIT_REGISTER")
def register():
    """An organisation registers itself (pending verification) with its first member."""
    form = RegistrationForm()
    if form.validate_on_submit():
        website = (form.website.data or "").strip() or None
        if website and not website.lower().startswith(("http://", "https://")):
            form.website.errors = ["Use an http or https address."]
        else:
            try:
                _, user = register_organisation(
                    {
                        "name": form.name.data.strip(),
                        "sector": form.sector.data,
                        "description": form.description.data or "",
                        "website": website,
                        "contact_name": form.member_name.data.strip(),
                        "contact_email": form.email.data.strip().lower(),
                        "contact_phone": form.contact_phone.data or None,
                        "base_address": form.base_address.data or None,
                        "base_latitude": form.base_latitude.data,
                        "base_longitude": form.base_longitude.data,
                        "service_radius_km": form.service_radius_km.data,
                    },
                    {
                        "name": form.member_name.data.strip(),
                        "email": form.email.data,
                        "password": form.password.data,
                    },
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc.errors)
            except ConflictError as exc:
                form.form_errors.append(exc.message)
            else:
                start_session(user)
                flash(
                    "Your organisation is registered. A city coordinator will verify it; "
                    "until then you can complete your profile.",
                    "success",
                )
                return redirect(url_for("onboarding.members"))
    status = 200 if not form.is_submitted() else 422
    return render_template("onboarding/register.html", form=form), status


def _own_partner_id() -> int:
    if current_user.partner_id is None:
        raise PermissionDeniedError("Only partner members have an organisation here.")
    return current_user.partner_id


def _members_page(invite_form=None, status: int = 200):
    partner_id = _own_partner_id()
    members = list_members(actor_for(current_user), partner_id)
    return (
        render_template(
            "onboarding/members.html",
            members=members,
            invite_form=invite_form or InviteForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
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
    form = InviteForm()
    if not form.validate_on_submit():
        return _members_page(form, 422)
    try:
        invite_member(
            actor_for(current_user),
            _own_partner_id(),
            email=form.email.data,
            name=form.name.data.strip(),
            link_for=lambda token: public_url("auth.reset_password", token=token),
            lifetime=timedelta(days=current_app.config["INVITATION_DAYS"]),
            now=clock(),
        )
    except (ValidationError, ConflictError) as exc:
        form.form_errors.append(exc.message)
        return _members_page(form, exc.status)
    flash("Invitation sent.", "success")
    return redirect(url_for("onboarding.members"))


@bp.post("/organisation/members/<int(min=1, max=2147483647):member_id>/remove")
@login_required
def remove(member_id: int):
    """Remove a member: their sessions and API tokens stop working at once."""
    remove_member(actor_for(current_user), _own_partner_id(), member_id, now=clock())
    flash("The member is removed.", "success")
    return redirect(url_for("onboarding.members"))
