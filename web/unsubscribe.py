"""One-click unsubscribe from a notification email, without signing in.

GET shows what the signed link would switch off and a button; POST switches it off. The POST
also answers a mail client's RFC 8058 one-click request (`List-Unsubscribe=One-Click`), which
carries no CSRF token and no cookie: the signed token in the URL is the authority, so the POST
is exempt from CSRF (commonground/app.py). Must not import `api`.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from notifications.kinds import KINDS
from notifications.preferences import unsubscribe
from notifications.unsubscribe import read_unsubscribe_token

bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
"""The link is a credential for one switch: keep it out of caches and Referer headers."""


@bp.get("/<token>")
def page(token: str):
    """Ask to confirm (a link scanner following the link must not unsubscribe anyone)."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render_template("unsubscribe/invalid.html"), 404, HEADERS
    label = KINDS[found.kind].label
    return render_template("unsubscribe/confirm.html", label=label, token=token), 200, HEADERS


@bp.post("/<token>")
def confirm(token: str):
    """Switch the kind off for the person the link names (also the RFC 8058 one-click POST)."""
    found = read_unsubscribe_token(token)
    if found is None or not unsubscribe(found.user_id, found.kind):
        return render_template("unsubscribe/invalid.html"), 404, HEADERS
    return render_template("unsubscribe/done.html", label=KINDS[found.kind].label), 200, HEADERS
