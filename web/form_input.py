"""The one way pages read a form: through the same marshmallow schemas the API uses, with
refusals — the schema's or a service's — turned into per-field messages for the page.

`read_form` gives the schema's data or raises `InvalidForm` (a domain ValidationError);
`domain_messages` turns any domain error into {field: [message, ...]} with the summary under
`_form`. A blank input is left out (the schema's default applies) unless `blanks` gives the
value it stands for; list fields read every value of a repeated input; integer fields are
converted from text (the API's integers are strict); values are trimmed, except passwords and
multiline text; `Rows` reads repeated groups of inputs, such as a capacity row per ticked
capability.
Must not import `api`: the schemas live with their packages.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from commonground.errors import DomainError, ValidationError

FORM_MESSAGE = "Please correct the form."
HIDDEN_DETAILS = ("allowed", "status")  # a conflict's machine details, not messages


class InvalidForm(ValidationError):
    """The form broke the schema's rules; `errors` holds the per-field messages."""


@dataclass(frozen=True)
class Rows:
    """Repeated groups of inputs: one row per value of the input `key` (e.g. each ticked
    capability), its other inputs named `<field>-<key value>`; a blank one takes its default."""

    key: str
    fields: tuple[str, ...]
    defaults: Mapping[str, str] = field(default_factory=dict)

    def read(self, form: MultiDict) -> tuple[list[str], list[dict[str, str]]]:
        """The keys chosen and a row of raw values for each."""
        keys = [k for k in form.getlist(self.key) if k]
        rows = [
            {
                self.key: key,
                **{
                    name: form.get(f"{name}-{key}", "").strip() or self.defaults.get(name, "")
                    for name in self.fields
                },
            }
            for key in keys
        ]
        return keys, rows


def read_form(
    schema: Schema,
    form: MultiDict,
    names: Iterable[str] | None = None,
    *,
    blanks: Mapping[str, Any] | None = None,
    coerce: Mapping[str, Callable[[str], Any]] | None = None,
    rows: Mapping[str, Rows] | None = None,
) -> dict[str, Any]:
    """The schema's data from the named inputs (default: every field of the schema; other
    inputs are ignored), or InvalidForm with per-field messages."""
    rows = rows or {}
    chosen = list(names) if names is not None else list(schema.load_fields)
    raw: dict[str, Any] = {}
    for name in chosen:
        if name in rows:
            continue
        value = _raw_value(schema.load_fields.get(name), form, name, blanks or {}, coerce or {})
        if value is not _LEFT_OUT:
            raw[name] = value
    row_keys = {}
    for name, group in rows.items():
        row_keys[name], raw[name] = group.read(form)
    try:
        return schema.load(raw)
    except SchemaError as exc:
        flat = field_messages(exc.messages, row_keys)
        lists = {n for n, f in schema.load_fields.items() if isinstance(f, fields.List)}
        raise InvalidForm(
            FORM_MESSAGE,
            {name: for_people(name, texts, name in lists) for name, texts in flat.items()},
        ) from exc


def load_form(
    schema: Schema,
    form: MultiDict,
    names: Iterable[str] | None = None,
    *,
    coerce: Mapping[str, Callable[[str], Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """`read_form` as (data, per-field messages), for pages that show messages by the inputs."""
    try:
        return read_form(schema, form, names, coerce=coerce), {}
    except InvalidForm as exc:
        return {}, domain_messages(exc)


def domain_messages(exc: DomainError, inputs: Iterable[str] | None = None) -> dict[str, list[str]]:
    """A refusal as per-field messages; a service's summary goes under `_form` (a form's own
    summary is implied by the page's "Please correct the marked fields."). Given the page's
    `inputs`, messages about anything else join the summary."""
    errors: dict[str, list[str]] = {}
    shown = set(inputs) if inputs is not None else None
    for key, value in (exc.errors or {}).items():
        if key in HIDDEN_DETAILS:
            continue
        target = key if shown is None or key in shown else "_form"
        errors.setdefault(target, []).extend(str(m) for m in _as_list(value))
    if not isinstance(exc, InvalidForm):
        errors.setdefault("_form", []).append(exc.message)
    return errors


# marshmallow's stock messages, and what a person reads instead ({words}: the field's name in
# words). The schemas' own messages are already written for people and pass unchanged.
STOCK_MESSAGES = {
    "Missing data for required field.": "Please fill in the {words}.",
    "Field may not be null.": "Please fill in the {words}.",
    "Not a valid integer.": "Please type a whole number for the {words}.",
    "Not a valid number.": "Please type a number for the {words}.",
    "Not a valid email address.": "Please type an email address, like name@example.org.",
    "Not a valid URL.": "Please type a web address starting with https://.",
    "Not a valid date.": "Please give a date, like 2026-12-31.",
    "Not a valid boolean.": "Please tick or untick the {words}.",
}


def for_people(name: str, texts: list[str], is_list: bool = False) -> list[str]:
    """A field's messages with marshmallow's stock phrases rewritten for people: "Missing
    data for required field." becomes "Please fill in the reason."; a list field (`is_list`)
    that must hold at least one value says "Choose at least one"."""
    words = name.split("-")[0].replace("_", " ").strip() or "form"
    shown = []
    for text in texts:
        if (
            text.startswith("Length must be between 1 and")
            or text == "Shorter than minimum length 1."
        ):
            shown.append(f"Choose at least one ({words}).")
        else:
            shown.append(STOCK_MESSAGES.get(text, text).format(words=words))
    return shown


def field_messages(
    messages: Any, row_keys: Mapping[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Flatten marshmallow's nested messages to {field: [text, ...]}; messages of a row of
    `Rows` go to `<field>-<row key>`, the input they came from."""
    if not isinstance(messages, dict):
        return {"_form": [str(m) for m in _as_list(messages)]}
    row_keys = row_keys or {}
    flat: dict[str, list[str]] = {}
    for name, value in messages.items():
        if name in row_keys and isinstance(value, dict):
            _row_messages(flat, value, row_keys[name])
        elif isinstance(value, dict) and all(isinstance(key, int) for key in value):
            # A list field: messages per item belong to the field itself.
            for texts in value.values():
                flat.setdefault(str(name), []).extend(str(m) for m in _as_list(texts))
        elif isinstance(value, dict):
            for inner, texts in field_messages(value).items():
                flat.setdefault(str(name) if inner == "_form" else inner, []).extend(texts)
        else:
            flat.setdefault(str(name), []).extend(str(m) for m in _as_list(value))
    return flat


def _row_messages(flat: dict[str, list[str]], by_index: dict, keys: list[str]) -> None:
    for index, row_errors in by_index.items():
        key = keys[index] if isinstance(index, int) and index < len(keys) else ""
        for name, texts in field_messages(row_errors).items():
            flat.setdefault(f"{name}-{key}", []).extend(texts)


_LEFT_OUT = object()


def _raw_value(
    schema_field: fields.Field | None,
    form: MultiDict,
    name: str,
    blanks: Mapping[str, Any],
    coerce: Mapping[str, Callable[[str], Any]],
) -> Any:
    """What the form says for one field: a list, typed text, a blank's value, or _LEFT_OUT."""
    if isinstance(schema_field, fields.List):
        return [v for v in form.getlist(name) if v.strip()]
    value = form.get(name, "")
    if value.strip() == "":
        return blanks.get(name, _LEFT_OUT)
    if _keeps_its_spaces(schema_field):
        return value
    convert = coerce.get(name) or (int if isinstance(schema_field, fields.Integer) else None)
    if convert is not None:
        with contextlib.suppress(ValueError):
            return convert(value.strip())
    return value.strip()


def _keeps_its_spaces(schema_field: fields.Field | None) -> bool:
    """Passwords (plain strings) and multiline text are read as typed; the rest is trimmed."""
    return type(schema_field) is fields.String or bool(getattr(schema_field, "multiline", False))


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]
