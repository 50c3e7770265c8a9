"""The one check every request's text passes before any view: path, query string, form fields
and JSON bodies. Bad input is a clear 4xx here, never a 500 further in.

- Path and query text: no control characters (a NUL reaches PostgreSQL from a filter just as
  from a body: docs/field-notes.md, traps 2 and 15), no invalid Unicode, bounded length.
  Invalid Unicode arrives as percent-escapes that are not UTF-8 (`%80`, or `%ED%A0%80`, a lone
  surrogate): Werkzeug keeps such a query value as its literal `%80` text and turns such path
  bytes into U+FFFD, so the raw bytes are what is checked (docs/field-notes.md, trap 42).
- Form fields: the same (a URL-encoded body's raw bytes too; multipart fields reach us with
  bad bytes already turned into U+FFFD), except that tab and line breaks are allowed, and
  the length bound is `MAX_BODY_TEXT_CHARS` (at least the longest field any schema accepts;
  some fields, such as a password's confirmation, have no bound of their own).
- JSON bodies: parsed once here with limits: nesting depth, digits of an integer (Python
  refuses more than 4,300 with a ValueError, and nests with a RecursionError: trap 15),
  no NaN or Infinity (400), and no NUL, unpaired surrogate or string over
  `MAX_BODY_TEXT_CHARS` in any string or key (422 naming the top-level field, as the field's
  own validation would).

Fields still apply their own rules (lengths, patterns, ranges: commonground/fields.py);
this is the floor under all of them, including filters that do not use those fields.
Imports Flask only; no feature package.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, request

from commonground.http_errors import error_response

MAX_QUERY_VALUE_CHARS = 2048
MAX_JSON_DEPTH = 32
MAX_JSON_INTEGER_DIGITS = 30
# Never stored nor queried: `commonground.links.same_site_path` keeps a safe one and ignores any
# other, so a bad link still signs people in (to the home page) instead of refusing them.
REDIRECT_TARGETS = frozenset({"next"})
TextKind = Literal["line", "multiline", "json"]
# What each kind of text may not hold: a line (path, query) no control character at all, a
# form field keeps tab and line breaks, a JSON string leaves other control characters to its
# field; none an unpaired surrogate.
_UNSAFE: dict[str, re.Pattern[str]] = {
    "line": re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]"),
    "multiline": re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]"),
    "json": re.compile(r"[\x00\ud800-\udfff]"),
}
UNSAFE_TEXT = "Control characters and invalid Unicode are not allowed."


class BadJsonError(ValueError):
    """A JSON body broke one of the limits (the message says which): 400."""


class BadJsonTextError(BadJsonError):
    """A string of a JSON body holds a NUL or invalid Unicode: 422 naming the top-level field."""

    def __init__(self, field: str, problem: str = UNSAFE_TEXT) -> None:
        super().__init__(problem)
        self.field = field


def text_problem(
    value: str, *, kind: TextKind = "line", max_chars: int | None = None
) -> str | None:
    """Why a piece of request text is refused, or None when it is acceptable."""
    if _UNSAFE[kind].search(value):
        return UNSAFE_TEXT
    if max_chars is not None and len(value) > max_chars:
        return f"Longer than {max_chars} characters."
    return None


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")  # strict: refuses stray bytes and encoded surrogates alike
    except UnicodeDecodeError:
        return False
    return True


def _bounded_integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_JSON_INTEGER_DIGITS:
        raise BadJsonError(f"A number has more than {MAX_JSON_INTEGER_DIGITS} digits.")
    return int(digits)


def _no_constant(name: str) -> float:
    raise BadJsonError(f"{name} is not a JSON number.")


def _check_tree(document: Any, max_text_chars: int | None) -> None:
    """Depth and string rules over a parsed document, without recursion."""
    stack: list[tuple[Any, int, str]] = [(document, 1, "_body")]
    while stack:
        value, depth, field = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_JSON_DEPTH:
            raise BadJsonError(f"The document is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                where = key[:100] if depth == 1 else field
                problem = text_problem(key, kind="json", max_chars=max_text_chars)
                if problem:
                    raise BadJsonTextError("_body" if depth == 1 else field, problem)
                stack.append((item, depth + 1, where))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, str):
            problem = text_problem(value, kind="json", max_chars=max_text_chars)
            if problem:
                raise BadJsonTextError(field, problem)


def check_json(data: bytes, *, max_text_chars: int | None = None) -> None:
    """Raise BadJsonError when the body is not JSON within the limits (strings and keys at most
    `max_text_chars` long, when given)."""
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
    _check_tree(document, max_text_chars)


def _refuse(status: int, message: str, name: str, problem: str) -> Response:
    """The one error shape: `errors` maps the offending field (or "path", "_body") to messages."""
    return error_response(status, message, {name: [problem]})


def _undecodable_parameter(encoded: bytes) -> str | None:
    """The name of the first parameter of a query string or URL-encoded form whose bytes are not
    UTF-8, if any (Werkzeug holds such a value as its literal escapes, which look like
    acceptable text, or drops the whole form for raw bytes)."""
    for pair in encoded.split(b"&"):
        name, _, value = (
            unquote_to_bytes(part) for part in pair.replace(b"+", b" ").partition(b"=")
        )
        if name.decode("utf-8", "replace") in REDIRECT_TARGETS:
            continue
        if not (_is_utf8(name) and _is_utf8(value)):
            return name.decode("utf-8", "replace")[:100]
    return None


def _check_path_and_query() -> Response | None:
    # WSGI hands the path over as latin-1 text of its bytes; `request.path` has already replaced
    # the bytes that are not UTF-8.
    raw_path = request.environ.get("PATH_INFO", "").encode("latin-1", "replace")
    problem = text_problem(request.path) or (None if _is_utf8(raw_path) else UNSAFE_TEXT)
    if problem:
        return _refuse(400, "The address holds characters it may not.", "path", problem)
    undecodable = _undecodable_parameter(request.query_string)
    if undecodable is not None:
        return _refuse(422, "The input is not valid.", undecodable, UNSAFE_TEXT)
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
    max_chars = current_app.config["MAX_BODY_TEXT_CHARS"]
    if request.is_json:
        data = request.get_data(cache=True)
        if data:
            try:
                check_json(data, max_text_chars=max_chars)
            except BadJsonTextError as error:
                return _refuse(422, "The input is not valid.", error.field, str(error))
            except BadJsonError as error:
                return _refuse(400, "The JSON body is refused.", "_body", str(error))
        return None
    if request.mimetype == "application/x-www-form-urlencoded":
        # Read before `request.form`, which then parses the kept bytes.
        undecodable = _undecodable_parameter(request.get_data(cache=True))
        if undecodable is not None:
            return _refuse(422, "The input is not valid.", undecodable, UNSAFE_TEXT)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            problem = text_problem(name, max_chars=100) or text_problem(
                value, kind="multiline", max_chars=max_chars
            )
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
