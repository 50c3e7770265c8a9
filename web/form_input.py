"""Reading HTML form input through the API's marshmallow schemas, so pages and the API apply
the same rules, and turning refusals into per-field messages shown next to the inputs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from commonground.errors import DomainError


def load_form(
    schema: Schema,
    form: MultiDict,
    names: Iterable[str],
    *,
    coerce: dict[str, Callable[[str], Any]] | None = None,
    blank_is_none: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validated data and per-field errors for the named form fields.

    A blank field is left out (so the schema's default applies), or sent as None when named in
    `blank_is_none` (so an optional value can be cleared). `coerce` turns text into numbers
    before validation; text that does not convert is passed on for the schema to reject.
    """
    coerce = coerce or {}
    clear = set(blank_is_none)
    raw: dict[str, Any] = {}
    for name in names:
        value = form.get(name, "")
        if value.strip() == "":
            if name in clear:
                raw[name] = None
            continue
        convert = coerce.get(name)
        if convert is not None:
            with contextlib.suppress(ValueError):
                value = convert(value.strip())
        raw[name] = value
    try:
        return schema.load(raw), {}
    except SchemaError as exc:
        return {}, field_messages(exc.messages)


def field_messages(messages: Any) -> dict[str, list[str]]:
    """Flatten marshmallow's nested messages to {field: [text, ...]}."""
    if not isinstance(messages, dict):
        return {"_form": [str(m) for m in _as_list(messages)]}
    flat: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict) and all(isinstance(key, int) for key in value):
            # A list field: messages per item belong to the field itself.
            for texts in value.values():
                flat.setdefault(str(name), []).extend(str(m) for m in _as_list(texts))
        elif isinstance(value, dict):
            for inner, texts in field_messages(value).items():
                flat.setdefault(str(name) if inner == "_form" else inner, []).extend(texts)
        else:
            flat.setdefault(str(name), []).extend(str(m) for m in _as_list(value))
    return flat


def domain_messages(exc: DomainError) -> dict[str, list[str]]:
    """A service's refusal as per-field messages, with its summary under `_form`."""
    errors = {
        key: [str(m) for m in _as_list(value)]
        for key, value in (exc.errors or {}).items()
        if key not in ("allowed", "status")
    }
    errors.setdefault("_form", []).append(exc.message)
    return errors


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]
