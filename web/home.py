"""The landing page, and each role's home after signing in: coordinators land on what needs
attention, partner members on the tasks near them, outreach staff on the directory and
briefings (`web.navigation.HOMES` decides which)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from briefings.services import briefing_page_options
from web.access import current_actor, login_required
from web.navigation import home_endpoint

bp = Blueprint("home", __name__)

OUTREACH_RECENT = 5
"""How many stored briefings the outreach home lists."""


@bp.get("/")
def index():
    """What Common Ground is, and where to go next."""
    return render_template("home.html", user=current_user, home=home_endpoint())


@bp.get("/home")
@login_required
def mine():
    """The signed-in person's own home (where signing in lands without a `next` page)."""
    return redirect(url_for(home_endpoint() or "home.index"))


@bp.get("/outreach")
@login_required
def outreach():
    """Outreach staff's home: find a partner in the directory, make or reopen a briefing."""
    options = briefing_page_options(current_actor())
    return render_template(
        "home_outreach.html",
        recent=options["recent"][:OUTREACH_RECENT],
        stored=options["stored"],
        partners=len(options["partners"]),
    )
