"""Sign-in, sign-out and password reset pages; their forms are read with `accounts.schemas`.

Must not import `api`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from accounts.schemas import ForgotPasswordSchema, LoginSchema, NewPasswordSchema
from accounts.security_log import security_event
from accounts.services import (
    check_password,
    one_time_token_user,
    request_password_reset,
    set_password_with_token,
)
from accounts.sessions import clock, end_session, start_session
from commonground.errors import ValidationError
from commonground.links import public_url, same_site_path
from commonground.rate_limits import per_account, per_address
from web.form_input import domain_messages, load_form, read_form

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths (commonground.links.same_site_path): no open redirects. Without
    one, the person's own home (`web.home.mine`)."""
    return same_site_path(target) or url_for("home.mine")


@bp.route("/login", methods=["GET", "POST"])
@per_address("RATELIMIT_LOGIN")
@per_account("RATELIMIT_LOGIN")
def login():
    """Show the sign-in form and sign the user in."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data, errors = load_form(LoginSchema(), request.form)
        user = None if errors else check_password(data["email"], data["password"])
        if user is not None:
            target = _safe_next(request.args.get("next"))  # decided before any session exists
            start_session(user)
            security_event("login", "success", user_id=user.id, partner_id=user.partner_id)
            return redirect(target)
        if not errors:
            security_event("login", "failure", email=data["email"])
            flash("Email or password is wrong.", "error")
    status = 200 if request.method == "GET" else 401
    return render_template("auth/login.html", form=request.form, errors=errors), status


@bp.post("/logout")
def logout():
    """Sign out this browser; its session is revoked server-side."""
    if current_user.is_authenticated:
        security_event("logout", "success", user_id=current_user.id)
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@per_address("RATELIMIT_PASSWORD_RESET")
@per_account("RATELIMIT_PASSWORD_RESET")
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    data, errors = ({}, {})
    if request.method == "POST":
        data, errors = load_form(ForgotPasswordSchema(), request.form)
    if data:
        request_password_reset(
            data["email"],
            link_for=lambda token: public_url("auth.reset_password", token=token),
            lifetime=timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"]),
            now=clock(),
        )
        flash("If an account uses that email, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=request.form, errors=errors)


@bp.route("/password/reset/<string(maxlength=100):token>", methods=["GET", "POST"])
@per_address("RATELIMIT_PASSWORD_RESET")
def reset_password(token: str):
    """Choose a new password with a single-use link (reset or invitation)."""
    if one_time_token_user(token, now=clock()) is None:
        return render_template("auth/reset_invalid.html"), 404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        schema = NewPasswordSchema()
        try:
            set_password_with_token(token, read_form(schema, request.form)["password"], now=clock())
        except ValidationError as exc:
            errors = domain_messages(exc, schema.load_fields)
        else:
            if current_user.is_authenticated:
                end_session()
            flash("Your password is set. Sign in with it.", "success")
            return redirect(url_for("auth.login"))
    response = current_app.make_response(
        render_template("auth/reset.html", form=request.form, errors=errors)
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
