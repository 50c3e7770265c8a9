"""Sign-in, sign-out and password reset pages."""

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
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

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
from web.forms import PlainText, apply_domain_errors

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254), PlainText()])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class ForgotPasswordForm(FlaskForm):
    """The email of the account to reset."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254), PlainText()])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("password", "Not the same.")]
    )


def _safe_next(target: str | None) -> str:
    """Only same-site paths (commonground.links.same_site_path): no open redirects."""
    return same_site_path(target) or url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@per_address("RATELIMIT_LOGIN")
@per_account("RATELIMIT_LOGIN")
def login():
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = check_password(form.email.data, form.password.data)
        if user is not None:
            target = _safe_next(request.args.get("next"))  # decided before any session exists
            start_session(user)
            security_event("login", "success", user_id=user.id, partner_id=user.partner_id)
            return redirect(target)
        security_event("login", "failure", email=form.email.data)
        flash("Email or password is wrong.", "error")
    status = 200 if request.method == "GET" else 401
    return render_template("auth/login.html", form=form), status


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
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(
            form.email.data,
            link_for=lambda token: public_url("auth.reset_password", token=token),
            lifetime=timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"]),
            now=clock(),
        )
        flash("If an account uses that email, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<string(maxlength=100):token>", methods=["GET", "POST"])
@per_address("RATELIMIT_PASSWORD_RESET")
def reset_password(token: str):
    """Choose a new password with a single-use link (reset or invitation)."""
    if one_time_token_user(token, now=clock()) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            set_password_with_token(token, form.password.data, now=clock())
        except ValidationError as exc:
            apply_domain_errors(form, exc.errors)
        else:
            if current_user.is_authenticated:
                end_session()
            flash("Your password is set. Sign in with it.", "success")
            return redirect(url_for("auth.login"))
    response = current_app.make_response(render_template("auth/reset.html", form=form))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
