"""The landing page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """What Common Ground is, and where to go next."""
    return render_template("home.html", user=current_user)
