"""`api.dumping.FastDumpSchema` dumps what marshmallow's own `Schema.dump` dumps, for the values
a presenter hands it and for the awkward ones: missing keys, defaults, objects, renamed keys,
types that need converting, fields it leaves to marshmallow, hooks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from marshmallow import Schema, fields, post_dump

from api.dumping import FastDumpSchema


class Inner(FastDumpSchema):
    id = fields.Integer()
    at = fields.DateTime(allow_none=True)


class Outer(FastDumpSchema):
    id = fields.Integer()
    share = fields.Float()
    name = fields.String(allow_none=True)
    day = fields.Date(allow_none=True)
    at = fields.DateTime()
    stamp = fields.DateTime(format="%Y/%m/%d")
    tags = fields.List(fields.String())
    inner = fields.Nested(Inner, allow_none=True)
    inners = fields.Nested(Inner, many=True)
    count_text = fields.Integer(as_string=True)
    flag = fields.Boolean()
    fallback = fields.String(dump_default="none given")
    renamed = fields.Integer(data_key="renamedKey")
    source = fields.String(attribute="original")
    shout = fields.Method("loud")
    blob = fields.Raw()

    def loud(self, obj) -> str:
        name = obj.get("name") if isinstance(obj, dict) else obj.name
        return (name or "").upper()


AT = datetime(2026, 12, 1, 9, 30, 5, 123, tzinfo=UTC)
FULL = {
    "id": 7,
    "share": 3,  # an int where a float is declared: dumped as 3.0
    "name": "Lot",
    "day": date(2026, 12, 24),
    "at": AT,
    "stamp": AT,
    "tags": ["a", 5],
    "inner": {"id": "8", "at": None},  # a string where an int is declared: dumped as 8
    "inners": [{"id": 1, "at": AT}, {"id": True}],
    "count_text": 12,
    "flag": 1,
    "renamed": Decimal("4"),
    "original": b"bytes",
    "blob": {"any": ["thing"]},
}


@pytest.mark.parametrize(
    "value",
    [
        FULL,
        {**FULL, "name": None, "day": None, "inner": None, "tags": None, "share": None},
        {"id": 1, "at": AT, "name": "only a few keys"},
        {},
        SimpleNamespace(**FULL),
    ],
    ids=["full", "nones", "missing keys", "empty", "an object"],
)
def test_a_fast_dump_is_marshmallows_dump(value):
    assert Outer().dump(value) == Schema.dump(Outer(), value)
    assert Outer(many=True).dump([value, value]) == Schema.dump(Outer(many=True), [value, value])


def test_only_and_exclude_are_honoured():
    fast, slow = Outer(only=("id", "inner.id")), Outer(only=("id", "inner.id"))
    assert fast.dump(FULL) == Schema.dump(slow, FULL) == {"id": 7, "inner": {"id": 8}}
    assert Outer(exclude=("shout",)).dump(FULL) == Schema.dump(Outer(exclude=("shout",)), FULL)


def test_a_schema_with_dump_hooks_is_dumped_by_marshmallow():
    class Hooked(FastDumpSchema):
        id = fields.Integer()

        @post_dump
        def tag(self, data, **kwargs):
            return {**data, "hooked": True}

    assert Hooked().dump({"id": "3"}) == {"id": 3, "hooked": True}
