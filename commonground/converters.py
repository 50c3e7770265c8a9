"""URL converters every blueprint shares, registered once on the app by `register_converters`.

`<id:name>` is a database id: an integer from 1 to 2**31-1, so a larger number is a 404 and
never an overflow in the database. The OpenAPI document shows it as an integer with those
bounds (flask-smorest documents any IntegerConverter so).
Must not import any feature package.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from commonground.fields import MAX_ID


class IdConverter(IntegerConverter):
    """A database id in a URL: 1 to 2**31-1."""

    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def register_converters(app: Flask) -> None:
    """Make `<id:...>` available to every route; call before registering blueprints."""
    app.url_map.converters["id"] = IdConverter
