"""The one way a page runs an action from a button or a small form: call one service, flash
what happened, and go back to a page.

A refusal the person can act on (by default a form that breaks the schema, a conflict, a
domain rule; a page may name fewer) is flashed — each field's messages, then the summary — and
the person goes back; anything else (not signed in, not allowed, not found) is left to the
error pages.
Must not import `api`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from commonground.errors import ConflictError, DomainError, ValidationError
from web.form_input import domain_messages

T = TypeVar("T")
Say = str | Callable[[Any], str]


def run_action(
    call: Callable[[], T],
    *,
    done: Say | None,
    back: Say,
    refused_back: str | None = None,
    refused: str = "",
    refusals: tuple[type[DomainError], ...] = (ConflictError, ValidationError),
    status: int = 302,
) -> Response:
    """Run `call`; flash `done` and go to `back` (each text, or a function of the result), or
    flash one of the `refusals` (prefixed with `refused`) and go to `refused_back` (default
    `back`)."""
    try:
        result = call()
    except refusals as exc:
        flash_refusal(exc, prefix=refused)
        return redirect(refused_back or _say(back, None), status)
    if done is not None:
        flash(_say(done, result), "success")
    return redirect(_say(back, result), status)


def _say(what: Say, result: Any) -> str:
    return what(result) if callable(what) else what


def flash_refusal(exc: DomainError, *, prefix: str = "") -> None:
    """Flash a refusal: "Field name: messages" for each field, then its summary."""
    messages = domain_messages(exc)
    summary = messages.pop("_form", [])
    if exc.message not in summary:
        summary.append(exc.message)
    for name, texts in messages.items():
        flash(f"{name.replace('_', ' ').capitalize()}: {' '.join(texts)}", "error")
    for text in summary:
        flash(f"{prefix}{text}", "error")


def back_to(default: str, *also: str) -> str:
    """Where a button's form says to go back to (its `next` field), if that is `default` or one
    of `also` (a `#fragment` may follow, to land on the row's group); else `default`."""
    target = request.form.get("next", "")
    path, _, fragment = target.partition("#")
    if path in (default, *also) and (not fragment or fragment.replace("-", "").isalnum()):
        return target
    return default
