"""The signed-in user's own account: profile, API tokens (shown once), password, sessions, and
which notification emails they receive.

Forms are read with `accounts.schemas`. Must not import `api`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from accounts.schemas import TOKEN_LIFETIMES, PasswordChangeSchema, TokenFormSchema
from accounts.security_log import security_event
from accounts.services import (
    change_password,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)
from accounts.sessions import clock, current_session_key, end_all_sessions
from accounts.web_sessions import count_live_sessions
from commonground.errors import ValidationError
from notifications.preferences import preferences_for, set_preferences
from notifications.schemas import NotificationPreferencesSchema
from web.access import current_actor, login_required
from web.actions import run_action
from web.form_input import InvalidForm, domain_messages, read_form

bp = Blueprint("account", __name__, url_prefix="/account")

TOKEN_STARTS = MultiDict({"expires_in_days": "90"})


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


def _page(
    *,
    token: tuple[MultiDict, dict] | None = None,
    password: tuple[MultiDict, dict] | None = None,
    new_token: str | None = None,
    status: int = 200,
):
    """The account page; `token` and `password` are a form as sent and its messages."""
    token_form, token_errors = token or (TOKEN_STARTS, {})
    password_form, password_errors = password or (MultiDict(), {})
    context = {
        "me": {
            "name": current_user.name,
            "email": current_user.email,
            "role": current_user.role,
            "is_partner_admin": current_user.is_partner_admin,
            "partner_id": current_user.partner_id,
        },
        "tokens": [_present_token(t) for t in list_api_tokens(current_actor())],
        "sessions": count_live_sessions(current_user.id),
        "token_form": token_form,
        "token_errors": token_errors,
        "lifetimes": TOKEN_LIFETIMES,
        "password_form": password_form,
        "password_errors": password_errors,
        "new_token": new_token,
        "notifications": preferences_for(current_actor()),
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
    try:
        data = read_form(TokenFormSchema(), request.form)
    except InvalidForm as exc:
        return _page(token=(request.form, domain_messages(exc)), status=422)
    now = clock()
    token, raw = create_api_token(
        current_actor(),
        name=data["name"],
        expires_at=now + timedelta(days=int(data["expires_in_days"])),
        now=now,
    )
    security_event("token_created", "success", user_id=current_user.id, token_id=token.id)
    return _page(new_token=raw, status=201)


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of my tokens."""

    def revoke() -> None:
        revoke_api_token(current_actor(), token_id, now=clock())
        security_event("token_revoked", "success", user_id=current_user.id, token_id=token_id)

    return run_action(
        revoke, done="The token is revoked.", back=url_for("account.profile"), refusals=()
    )


@bp.post("/password")
@login_required
def password():
    """Change my password; my other sessions are signed out."""
    schema = PasswordChangeSchema()
    try:
        data = read_form(schema, request.form)
        change_password(
            current_actor(),
            current_password=data["current_password"],
            new_password=data["new_password"],
            keep_session_key=current_session_key(),
            now=clock(),
        )
    except ValidationError as exc:
        return _page(password=(request.form, domain_messages(exc, schema.load_fields)), status=422)
    flash(
        "Your password is changed; your other sessions are signed out and your API tokens revoked.",
        "success",
    )
    return redirect(url_for("account.profile"))


@bp.post("/notifications")
@login_required
def notifications():
    """Choose which notification emails I receive (ticked: on)."""
    try:
        data = read_form(NotificationPreferencesSchema(), request.form)
    except InvalidForm:
        flash("Choose among the notifications listed.", "error")
        return _page(status=422)
    set_preferences(current_actor(), data["enabled"])
    flash("Your email choices are saved.", "success")
    return redirect(url_for("account.profile"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """Sign out of every browser, this one included, and revoke every API token."""
    user_id = current_user.id
    count = end_all_sessions()
    security_event("logout_everywhere", "success", user_id=user_id, sessions=count)
    flash(f"Signed out of {count} session(s).", "info")
    return redirect(url_for("auth.login"))
