"""The one check every request's text passes before any view: path, query string, form fields
and JSON bodies. Bad input is a clear 4xx here, never a 500 further in.

- Path and query text: no control characters (a NUL reaches PostgreSQL from a filter just as
  from a body: docs/field-notes.md, traps 2 and 15), no unpaired surrogates, bounded length.
- Form fields: the same, except that tab and line breaks are allowed (multi-line text).
- JSON bodies: parsed once here with limits: nesting depth, digits of an integer (Python
  refuses more than 4,300 with a ValueError, and nests with a RecursionError: trap 15),
  no NaN or Infinity (400), and no NUL or unpaired surrogate in any string or key (422 naming
  the top-level field, as the field's own validation would).

Fields still apply their own rules (lengths, patterns, ranges: api/fields.py, web/forms.py);
this is the floor under all of them, including filters that do not use those fields.
Imports Flask only; no feature package.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, Response, request

from commonground.http_errors import error_response

MAX_QUERY_VALUE_CHARS = 2048
MAX_JSON_DEPTH = 32
MAX_JSON_INTEGER_DIGITS = 30
# Never stored nor queried: `commonground.links.same_site_path` keeps a safe one and ignores any
# other, so a bad link still signs people in (to the home page) instead of refusing them.
REDIRECT_TARGETS = frozenset({"next"})
_URL_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_FORM_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")


class BadJsonError(ValueError):
    """A JSON body broke one of the limits (the message says which): 400."""


class BadJsonTextError(BadJsonError):
    """A string of a JSON body holds a NUL or invalid Unicode: 422 naming the top-level field."""

    def __init__(self, field: str) -> None:
        super().__init__("Control characters and invalid Unicode are not allowed.")
        self.field = field


def text_problem(
    value: str, *, multiline: bool = False, max_chars: int | None = None
) -> str | None:
    """Why a piece of request text is refused, or None when it is acceptable."""
    unsafe = _FORM_UNSAFE if multiline else _URL_UNSAFE
    if unsafe.search(value):
        return "Control characters and invalid Unicode are not allowed."
    if max_chars is not None and len(value) > max_chars:
        return f"Longer than {max_chars} characters."
    return None


def _bounded_integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_JSON_INTEGER_DIGITS:
        raise BadJsonError(f"A number has more than {MAX_JSON_INTEGER_DIGITS} digits.")
    return int(digits)


def _no_constant(name: str) -> float:
    raise BadJsonError(f"{name} is not a JSON number.")


def _check_tree(document: Any) -> None:
    """Depth and string rules over a parsed document, without recursion."""
    stack: list[tuple[Any, int, str]] = [(document, 1, "_body")]
    while stack:
        value, depth, field = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_JSON_DEPTH:
            raise BadJsonError(f"The document is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                where = key[:100] if depth == 1 else field
                if _JSON_UNSAFE.search(key):
                    raise BadJsonTextError("_body" if depth == 1 else field)
                stack.append((item, depth + 1, where))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, str) and _JSON_UNSAFE.search(value):
            raise BadJsonTextError(field)


def check_json(data: bytes) -> None:
    """Raise BadJsonError when the body is not JSON within the limits."""
    try:
        document = json.loads(data, parse_int=_bounded_integer, parse_constant=_no_constant)
    except RecursionError as error:
        raise BadJsonError(
            f"The document is nested more than {MAX_JSON_DEPTH} levels deep."
        ) from error
    except BadJsonError:
        raise
    except ValueError as error:  # JSONDecodeError, undecodable bytes, oversized numbers
        raise BadJsonError(f"The body is not valid JSON ({str(error)[:120]}).") from error
    _check_tree(document)


def _refuse(status: int, message: str, name: str, problem: str) -> Response:
    """The one error shape: `errors` maps the offending field (or "path", "_body") to messages."""
    return error_response(status, message, {name: [problem]})


def _check_path_and_query() -> Response | None:
    problem = text_problem(request.path)
    if problem:
        return _refuse(400, "The address holds characters it may not.", "path", problem)
    for name, value in request.args.items(multi=True):
        if name in REDIRECT_TARGETS:
            continue  # checked where it is used, and dropped (not refused) when it is unsafe
        problem = text_problem(name, max_chars=100) or text_problem(
            value, max_chars=MAX_QUERY_VALUE_CHARS
        )
        if problem:
            return _refuse(422, "The input is not valid.", name[:100], problem)
    return None


def _check_body() -> Response | None:
    if request.is_json:
        data = request.get_data(cache=True)
        if data:
            try:
                check_json(data)
            except BadJsonTextError as error:
                return _refuse(422, "The input is not valid.", error.field, str(error))
            except BadJsonError as error:
                return _refuse(400, "The JSON body is refused.", "_body", str(error))
        return None
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            problem = text_problem(name, max_chars=100) or text_problem(value, multiline=True)
            if problem:
                return _refuse(422, "The input is not valid.", name[:100], problem)
    return None


def refuse_bad_input() -> Response | None:
    """before_request: a 4xx for unacceptable text anywhere in the request, else nothing."""
    refusal = _check_path_and_query()
    if refusal is None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        refusal = _check_body()
    return refusal


def register_input_guard(app: Flask) -> None:
    """Check every request before its view (and before the rate limiter counts it)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_bad_input)
