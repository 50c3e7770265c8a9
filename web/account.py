"""The signed-in user's own account: profile, API tokens (shown once), password, sessions."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from accounts.security_log import security_event
from accounts.services import (
    actor_for,
    change_password,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)
from accounts.sessions import clock, current_session_key, end_all_sessions
from accounts.web_sessions import count_live_sessions
from commonground.errors import ValidationError
from web.forms import PlainText, apply_domain_errors

bp = Blueprint("account", __name__, url_prefix="/account")

EXPIRY_CHOICES = [
    SelectChoice("30", "30 days"),
    SelectChoice("90", "90 days"),
    SelectChoice("365", "1 year"),
    SelectChoice("7", "7 days"),
]


class TokenForm(FlaskForm):
    """Name and lifetime of a new API token."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=80), PlainText()])
    expires_in_days = SelectField("Expires after", choices=EXPIRY_CHOICES, default="90")


class PasswordChangeForm(FlaskForm):
    """Current and new password."""

    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", "Not the same.")],
    )


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token."""


def _present_token(token) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
        "active": token.revoked_at is None
        and (token.expires_at is None or token.expires_at > clock()),
    }


def _page(token_form=None, password_form=None, new_token: str | None = None, status: int = 200):
    actor = actor_for(current_user)
    context = {
        "me": {
            "name": current_user.name,
            "email": current_user.email,
            "role": current_user.role,
            "is_partner_admin": current_user.is_partner_admin,
            "partner_id": current_user.partner_id,
        },
        "tokens": [_present_token(t) for t in list_api_tokens(actor)],
        "sessions": count_live_sessions(current_user.id),
        "token_form": token_form or TokenForm(formdata=None),
        "password_form": password_form or PasswordChangeForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "new_token": new_token,
    }
    return render_template("account/profile.html", **context), status, {"Cache-Control": "no-store"}


@bp.get("")
@login_required
def profile():
    """Who I am, my API tokens and my sessions."""
    return _page()


@bp.post("/tokens")
@login_required
def create_token():
    """Create an API token and show it this once (never stored, never put in a cookie)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form, status=422)
    now = clock()
    token, raw = create_api_token(
        actor_for(current_user),
        name=form.name.data,
        expires_at=now + timedelta(days=int(form.expires_in_days.data)),
        now=now,
    )
    security_event("token_created", "success", user_id=current_user.id, token_id=token.id)
    return _page(new_token=raw, status=201)


@bp.post("/tokens/<int(min=1, max=2147483647):token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of my tokens."""
    revoke_api_token(actor_for(current_user), token_id, now=clock())
    security_event("token_revoked", "success", user_id=current_user.id, token_id=token_id)
    flash("The token is revoked.", "success")
    return redirect(url_for("account.profile"))


@bp.post("/password")
@login_required
def password():
    """Change my password; my other sessions are signed out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(
                actor_for(current_user),
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                keep_session_key=current_session_key(),
                now=clock(),
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc.errors)
        else:
            flash(
                "Your password is changed; your other sessions are signed out and your API "
                "tokens revoked.",
                "success",
            )
            return redirect(url_for("account.profile"))
    return _page(password_form=form, status=422)


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """Sign out of every browser, this one included, and revoke every API token."""
    user_id = current_user.id
    count = end_all_sessions()
    security_event("logout_everywhere", "success", user_id=user_id, sessions=count)
    flash(f"Signed out of {count} session(s).", "info")
    return redirect(url_for("auth.login"))
