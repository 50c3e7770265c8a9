"""Output schemas whose `dump` is compiled once into plain conversions, for the API's hot lists.

marshmallow's own dump walks every field of every row through `Field.serialize` (attribute
lookup, default handling, formatting): for a page of 50 needs that was a quarter of the call
(bench/README.md, "Mixed load, second pass"). `FastDumpSchema.dump` gives the same data: each
field's value is found as marshmallow finds it (a key of a mapping, else an attribute; missing
values are left out or take `dump_default`), and formatted by a converter chosen from the
field's type — `int()`, `float()`, `str()`, `isoformat()` — exactly what those fields'
`_serialize` does, or by the field's own `_serialize` for every other type. Hooks (`pre_dump`,
`post_dump`) fall back to marshmallow's dump. `tests/api/test_need_list_shapes.py` compares
both dumps on a city's needs.

The schema is still a marshmallow schema: flask-smorest documents it and loads with it as
before. Must not import our packages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing, utils

Converter = Callable[[Any], Any]
"""A value (never None or missing) -> its dumped form."""


_KEPT = {fields.Integer: int, fields.Float: float, fields.String: str}
"""Field type -> the value type its `_serialize` returns unchanged (`int(3)` is 3)."""


class _Never:
    """A type no value has: fields whose every value is converted."""


_ABSENT = object()
"""A key no mapping holds: fields read by marshmallow's own serialize."""


def _plain(field: fields.Field) -> Converter | None:
    """The converter that formats a present, non-None value exactly as `field._serialize`
    does, for the plain field types; None for any other type (marshmallow formats those)."""
    kind = type(field)
    if kind in (fields.Integer, fields.Float) and not field.as_string:
        return field.num_type
    if kind is fields.String:
        return utils.ensure_text_type
    if kind is fields.DateTime and (field.format or "iso") in ("iso", "iso8601"):
        return dt.datetime.isoformat
    if kind is fields.Date and (field.format or "iso") in ("iso", "iso8601"):
        return dt.date.isoformat
    if kind is fields.List:
        inner = _plain(field.inner)
        if inner is None:
            return None
        return lambda value: [None if each is None else inner(each) for each in value]
    if kind is fields.Nested and isinstance(field.schema, FastDumpSchema):
        nested, many = field.schema, bool(field.schema.many or field.many)
        return lambda value: nested.dump(value, many=many)
    return None


def _serializer(name: str, field: fields.Field, schema: Schema) -> Callable[[Any], Any]:
    """obj -> the field's dumped value, or `missing` (left out), as `Field.serialize` gives
    it: the value is a mapping's key, else an attribute, else `dump_default`."""
    plain = _plain(field)
    if plain is None:
        return lambda obj: field.serialize(name, obj, accessor=schema.get_attribute)
    key = field.attribute or name
    default = field.dump_default

    def serialize(obj: Any) -> Any:
        value = schema.get_attribute(obj, key, missing)
        if value is missing:
            value = default() if callable(default) else default
            if value is missing:
                return missing
        return None if value is None else plain(value)

    return serialize


class FastDumpSchema(Schema):
    """A marshmallow output schema whose dump is compiled once per instance (see the module)."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """What `Schema.dump` returns, made by the compiled converters."""
        many = self.many if many is None else bool(many)
        if self._hooks["pre_dump"] or self._hooks["post_dump"]:
            return super().dump(obj, many=many)
        row = self.__dict__.get("_compiled_row") or self._compile()
        if many:
            return None if obj is None else [row(each) for each in obj]
        return row(obj)

    def _compile(self) -> Callable[[Any], dict[str, Any]]:
        """One row's dump. A plain field of a dict (a presenter's data) is read by its key and
        kept as it is when its type is the one the field returns; any other value, field or
        object goes through `_serializer`."""
        steps = []
        for name, field in self.dump_fields.items():
            plain = _plain(field)
            key = field.attribute or name
            direct = plain is not None and "." not in key
            steps.append(
                (
                    field.data_key if field.data_key is not None else name,
                    key if direct else _ABSENT,
                    _KEPT.get(type(field), _Never) if direct else _Never,
                    plain,
                    _serializer(name, field, self),
                )
            )

        def row(obj: Any) -> dict[str, Any]:
            out = {}
            from_dict = type(obj) is dict
            for out_key, key, kept, plain, serialize in steps:
                if from_dict and key in obj:
                    value = obj[key]
                    out[out_key] = value if value is None or type(value) is kept else plain(value)
                else:
                    value = serialize(obj)
                    if value is not missing:
                        out[out_key] = value
            return out

        self._compiled_row = row
        return row
