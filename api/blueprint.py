"""The blueprint every API resource is made with, and the one error shape it documents.

A resource blueprint requires a bearer token on every route, bounds its pages, and documents
its error responses with `@blp.errors(403, 404, ...)`: each names a response flask-smorest
defines once for the whole document, with `ErrorResponseSchema` as its body.
Must not import `web`; reads the database only through services.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.auth import authenticate_request
from commonground.errors import ValidationError

API_ROOT = "/api/v1"
"""Where the API lives: every resource blueprint and the documentation are below it."""
MAX_PAGE = 1_000_000
NOT_COUNTED = -1
"""`item_count` of a keyset page (read after a cursor, the rows before it not counted): its
X-Pagination header holds `page_size` and `next_after`, the cursor of the next page (None on
the last), instead of the totals."""


class ErrorResponseSchema(Schema):
    """The one error shape of the API."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status phrase"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "Per-field messages or details"})
    request_id = fields.String(
        metadata={"description": "This request's id, as in the X-Request-ID header and our logs"}
    )


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose pages are bounded and whose errors are named once.

    A huge `page` would overflow the database's OFFSET (a 500 found by schemathesis): it is
    refused as a 422 instead.
    """

    def paginate(self, pager=None, *, page=None, page_size=None, max_page_size=None):
        outer = super().paginate(pager, page=page, page_size=page_size, max_page_size=max_page_size)

        def decorator(func):
            @wraps(func)
            def bounded(*args, pagination_parameters, **kwargs):
                if pagination_parameters.page > MAX_PAGE:
                    raise ValidationError(
                        "That page does not exist.", {"page": [f"At most {MAX_PAGE}."]}
                    )
                return func(*args, pagination_parameters=pagination_parameters, **kwargs)

            return outer(bounded)

        return decorator

    def _set_pagination_metadata(self, page_params, result, headers):
        if page_params.item_count != NOT_COUNTED:
            return super()._set_pagination_metadata(page_params, result, headers)
        headers = dict(headers or {})
        headers[self.PAGINATION_HEADER_NAME] = json.dumps(
            {
                "page_size": page_params.page_size,
                "next_after": getattr(page_params, "next_after", None),
            }
        )
        return result, headers

    def errors(self, *codes: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the error statuses an operation answers with (403, 404, 409, 429...)."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            for code in codes:
                func = self.alt_response(code, response=HTTPStatus(code).name)(func)
            return func

        return decorator


def one_page(
    pagination_parameters: Any, lister: Callable[..., tuple[list[Any], int]], *args: Any, **kw: Any
) -> list[Any]:
    """The requested page from a service that lists `(rows, total)` by `offset` and `limit`;
    the total goes into the X-Pagination header."""
    rows, total = lister(
        *args,
        offset=pagination_parameters.first_item,
        limit=pagination_parameters.page_size,
        **kw,
    )
    pagination_parameters.item_count = total
    return rows


def token_blueprint(
    name: str, import_name: str, description: str, *, path: str | None = None
) -> ApiBlueprint:
    """A resource blueprint under `API_ROOT` (at `/<name>` unless `path` says otherwise) whose
    every route requires a bearer token."""
    prefix = API_ROOT + (f"/{name}" if path is None else path)
    blueprint = ApiBlueprint(name, import_name, url_prefix=prefix, description=description)
    blueprint.before_request(authenticate_request)
    return blueprint
