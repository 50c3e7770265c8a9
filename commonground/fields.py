"""Marshmallow fields and validators every input schema shares, whichever edge reads it (the
JSON API, the pages, the seeds, Open311).

Text is bounded and free of control characters; coordinates are in range; ids fit the column;
a capability code and a neighbourhood name have one shape everywhere.
Must not import Flask, SQLAlchemy or any feature package: marshmallow and `commonground.text`
only.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from commonground.text import (
    MULTILINE_PATTERN,
    SINGLE_LINE_PATTERN,
    control_character_problem,
)

MAX_ID = 2**31 - 1
# A source names where needs come from (311, blight_survey, open311...): any short name.
SOURCE_NAME = validate.Regexp(r"^[a-z0-9_]{1,20}$")


class Text(fields.String):
    """A string with a maximum length and no control characters (NUL crashes PostgreSQL)."""

    def __init__(
        self, *, max_length: int, multiline: bool = False, min_length: int = 0, **kwargs: Any
    ) -> None:
        validators = list(kwargs.pop("validate", []) or [])
        validators.append(validate.Length(min=min_length, max=max_length))
        # Document the character rule, so clients (and schemathesis) know it.
        metadata = {"pattern": MULTILINE_PATTERN if multiline else SINGLE_LINE_PATTERN}
        metadata.update(kwargs.pop("metadata", None) or {})
        super().__init__(validate=validators, metadata=metadata, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = control_character_problem(text, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)
        return text.strip() if not self.multiline else text


def Latitude(**kwargs: Any) -> fields.Float:
    """A latitude in degrees, -90..90."""
    return fields.Float(validate=validate.Range(-90, 90), allow_nan=False, **kwargs)


def Longitude(**kwargs: Any) -> fields.Float:
    """A longitude in degrees, -180..180."""
    return fields.Float(validate=validate.Range(-180, 180), allow_nan=False, **kwargs)


def Id(*, strict: bool = True, **kwargs) -> fields.Integer:
    """A database id: a positive integer that fits the column.

    JSON ids must be numbers (`strict`); a query string's are text, so query schemas pass
    `strict=False` (a strict id there refuses every value).
    """
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


def Url(**kwargs: Any) -> fields.Url:
    """An http(s) URL only: no javascript: or data: links in user text."""
    return fields.Url(schemes={"http", "https"}, validate=validate.Length(max=300), **kwargs)


def CapabilityCode(**kwargs: Any) -> Text:
    """A reference to a capability of the taxonomy by its code (the service checks it exists);
    as text, it cannot smuggle a NUL into a query (PostgreSQL refuses it with an error)."""
    return Text(min_length=1, max_length=40, **kwargs)


def NeighbourhoodName(**kwargs: Any) -> Text:
    """A neighbourhood, by name, as a filter."""
    return Text(min_length=1, max_length=80, **kwargs)


def SourceName(**kwargs: Any) -> fields.String:
    """Where needs come from: a short lower-case name (311, blight_survey, open311...)."""
    return fields.String(validate=SOURCE_NAME, **kwargs)


class Flag(fields.Boolean):
    """A JSON boolean only: true or false, not 1, "yes" or "on" (the document says boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
