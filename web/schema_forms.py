"""Reading HTML form posts with the API's marshmallow schemas, so pages and API validate alike."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from commonground.errors import ValidationError


def load_form(schema: Schema, form: MultiDict, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form's fields (empty ones dropped; `lists` read as repeated fields) loaded by
    `schema`, or a domain ValidationError carrying the schema's per-field messages."""
    raw: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in lists:
            raw[key] = [v for v in form.getlist(key) if v]
        elif form.get(key, "").strip() != "":
            raw[key] = form.get(key)
    for key in lists:
        raw.setdefault(key, [])
    try:
        return schema.load(raw)
    except SchemaError as exc:
        raise ValidationError("Please correct the form.", exc.messages_dict) from exc
