"""The Open311 GeoReport v2 endpoint at /open311/v2/ (JSON and XML).

    GET  discovery.{fmt}            GET  services.{fmt}          GET services/{code}.{fmt}
    GET  requests.{fmt}             POST requests.{fmt}          GET requests/{id}.{fmt}
    GET  tokens/{token}.{fmt}

GET requests pages (our extension, off by default so the spec's behaviour is kept): `page`
(1, 2, ...) and `page_size` (1-1000, default 1000), newest first; a page shorter than its
`page_size` is the last, so a peer reads any number of requests in one date window.

Views parse input (marshmallow at the edge), call one function of `open311.services` and render
the spec's shape. Errors are the spec's `[{code, description}]` list with status 400, 403 or
404, in the format the URL asked for. POST is form-encoded and authenticated by `api_key`, a
Common Ground API token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request, url_for
from marshmallow import EXCLUDE, Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from accounts.services import authenticate_token
from commonground.errors import DomainError
from commonground.fields import Latitude, Longitude, Text, Url
from commonground.rate_limits import per_api_key
from open311 import services
from open311.errors import Open311Error, error_body
from open311.formats import render

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

FMT = "<any(json, xml):fmt>"
STATUS_FOR_DOMAIN_ERROR = {401: 403, 403: 403, 404: 404}


class RequestCreateSchema(Schema):
    """POST requests: a GeoReport v2 service request (form fields)."""

    class Meta:
        unknown = EXCLUDE

    api_key = fields.String(required=True, validate=validate.Length(1, 200))
    service_code = fields.String(required=True, validate=validate.Length(1, 40))
    lat = Latitude(load_default=None)
    long = Longitude(load_default=None)
    address_string = Text(max_length=300, load_default=None)
    address_id = Text(max_length=80, load_default=None)
    email = fields.Email(validate=validate.Length(max=254), load_default=None)
    first_name = Text(max_length=60, load_default=None)
    last_name = Text(max_length=60, load_default=None)
    phone = Text(max_length=40, load_default=None)
    description = Text(max_length=4000, multiline=True, load_default="")
    media_url = Url(load_default=None)

    @validates_schema
    def _location(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if (data.get("lat") is None) != (data.get("long") is None):
            raise SchemaError("lat and long must be given together", "lat")
        if data.get("lat") is None and not data.get("address_string"):
            if data.get("address_id"):
                raise SchemaError("address_id is not known here; send lat/long or an address")
            raise SchemaError("lat/long or address_string is required")


def _respond(root: str, payload: Any, fmt: str, status: int = 200) -> Response:
    body, content_type = render(root, payload, fmt)  # type: ignore[arg-type]
    return Response(body, status=status, content_type=content_type)


def _fmt() -> str:
    return (request.view_args or {}).get("fmt", "xml")


@bp.errorhandler(Open311Error)
def _open311_error(error: Open311Error) -> Response:
    body, content_type = error_body(error, _fmt())  # type: ignore[arg-type]
    return Response(body, status=error.status, content_type=content_type)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Response:
    status = STATUS_FOR_DOMAIN_ERROR.get(error.status, 400)
    details = [f"{field}: {'; '.join(map(str, msgs))}" for field, msgs in error.errors.items()]
    message = "Invalid api_key" if error.status == 401 else error.message
    return _open311_error(Open311Error(status, message, *details))


@bp.route(f"/discovery.{FMT}")
def discovery(fmt: str) -> Response:
    base = url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0] + "/"
    return _respond("discovery", services.discovery(base), fmt)


@bp.route(f"/services.{FMT}")
def service_list(fmt: str) -> Response:
    return _respond("services", services.list_services(), fmt)


@bp.route(f"/services/<string(maxlength=40):code>.{FMT}")
def service_definition(code: str, fmt: str) -> Response:
    return _respond("service_definition", services.service_definition(code), fmt)


def _when(name: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if "T" in raw and " " in raw:  # an unencoded "+hh:mm" offset arrives as a space
        raw = raw.replace(" ", "+")
    try:
        moment = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith("Z") else raw)
    except ValueError:
        raise Open311Error.bad_request(f"{name} must be an ISO 8601 date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(name: str, low: int, high: int, default: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw[:9]) <= high or len(raw) > 9:
        raise Open311Error.bad_request(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _list(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in request.args.get(name, "").split(",") if v.strip())


def _filters() -> services.RequestFilters:
    statuses = _list("status")
    if set(statuses) - {"open", "closed"}:
        raise Open311Error.bad_request("status must be open or closed")
    filters = services.RequestFilters(
        ids=services.parse_ids(_list("service_request_id")),
        service_codes=_list("service_code"),
        start=_when("start_date"),
        end=_when("end_date"),
        statuses=statuses,
        page=_number("page", 1, 10**6, 1),
        page_size=_number("page_size", 1, services.MAX_REQUESTS, services.MAX_REQUESTS),
    )
    if filters.start and filters.end and filters.start > filters.end:
        raise Open311Error.bad_request("start_date is after end_date")
    return filters


@bp.route(f"/requests.{FMT}", methods=["GET"])
def request_list(fmt: str) -> Response:
    return _respond("service_requests", services.list_requests(_filters()), fmt)


@bp.route(f"/requests.{FMT}", methods=["POST"])
@per_api_key("RATELIMIT_OPEN311_POST")
def request_create(fmt: str) -> Response:
    form = {key: value for key, value in request.form.items() if value.strip()}
    if not form.get("api_key"):
        raise Open311Error.forbidden("api_key is required to post a service request")
    try:
        data = RequestCreateSchema().load(form)
    except SchemaError as error:
        raise Open311Error.bad_request(*_messages(error.normalized_messages())) from error
    actor, _user = authenticate_token(data.pop("api_key"))
    return _respond("service_requests", services.create_request(actor, data), fmt)


def _messages(messages: dict[str, Any]) -> list[str]:
    result = []
    for field, value in messages.items():
        texts = value if isinstance(value, list) else [value]
        prefix = "" if field == "_schema" else f"{field}: "
        result.extend(f"{prefix}{text}" for text in texts)
    return result


@bp.route(f"/requests/<string(maxlength=20):request_id>.{FMT}")
def request_item(request_id: str, fmt: str) -> Response:
    return _respond("service_requests", services.get_request(request_id), fmt)


@bp.route(f"/tokens/<string(maxlength=40):token>.{FMT}")
def token_item(token: str, fmt: str) -> Response:
    return _respond("service_requests", services.request_for_token(token), fmt)
