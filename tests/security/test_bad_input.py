"""Every bad input is a clear 4xx, never a 500: NUL bytes in query strings and paths, deeply
nested JSON, integers of thousands of digits, a CSV field over the csv module's limit; the
briefing list's partner filter works; the web claim form counts against the same per-organisation
limit as the API (issue 14, item 5; docs/field-notes.md, traps 2 and 15).

The sweep at the end sends the whole list to every route of the app, as an admin and as a
partner admin, and expects no 5xx from any of them.
"""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from marshmallow import Schema, fields, validate
from werkzeug.routing import AnyConverter, IntegerConverter

from commonground.input_guard import MAX_JSON_DEPTH, MAX_QUERY_VALUE_CHARS, UNSAFE_TEXT, check_json
from tests.browser import fresh_request_globals
from tests.factories import ApiClient
from tests.jobs import finish_api_job

NUL = "a\x00b"
DEEP_JSON = "[" * 100_000 + "]" * 100_000
HUGE_INTEGER = "1" * 5_000
# Query parameter names the routes read (filters, paging, Open311, sign-in).
QUERY_NAMES = [
    "q",
    "status",
    "capability",
    "neighbourhood",
    "source",
    "partner_id",
    "kind",
    "page",
    "page_size",
    "since",
    "start_date",
    "end_date",
    "service_code",
    "service_request_id",
    "next",
    "from",
    "to",
    "bbox",
    "near",
    "year",
    "opened_after",
    "opened_before",
    "radius_km",
    "weekly_tasks",
    "format",
    "preset",
]
TEXT_FIELDS = [
    "title",
    "description",
    "name",
    "note",
    "reason",
    "email",
    "address",
    "capability",
    "neighbourhood",
    "subject",
    "website",
    "contact_name",
    "summary",
]
NUMBER_FIELDS = [
    "partner_id",
    "tasks_per_week",
    "priority",
    "latitude",
    "longitude",
    "effort_hours",
    "weekly_tasks",
    "service_radius_km",
    "base_latitude",
    "base_longitude",
    "year",
    "volunteer_hours_per_week",
]


# --- each defect of the issue ----------------------------------------------------------------


def _json_body(text: str) -> dict:
    return {"data": text, "headers": {"Content-Type": "application/json"}}


def test_a_nul_byte_in_a_filter_is_a_422(make, api):
    person = make.user("coordinator")
    response = api(person.token).get("/api/v1/needs/?neighbourhood=a%00b")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["neighbourhood"]  # the field is named
    assert "Control characters" in response.json["errors"]["neighbourhood"][0]


def test_a_nul_byte_refuses_the_needs_export_before_it_starts(make, api):
    person = make.user("coordinator")
    make.need()
    for path in ("/api/v1/needs/export.csv", "/api/v1/needs/export.geojson"):
        response = api(person.token).get(path + "?q=a%00b")
        assert response.status_code == 422, path
        assert response.json["code"] == 422


def test_a_nul_byte_in_a_path_is_a_400(make, client):
    assert client.get("/password/reset/abc%00def").status_code == 400
    assert client.get("/open311/v2/requests/12%00.json").status_code == 400


def test_deeply_nested_json_is_a_400(make, api):
    person = make.user("coordinator")
    response = _send(api(person.token), "POST", "/api/v1/needs/", _json_body(DEEP_JSON))
    assert response.status_code == 400
    assert "nested" in response.json["errors"]["_body"][0]


def test_an_integer_of_thousands_of_digits_is_a_400(make, api):
    person = make.user("coordinator")
    body = '{"title": "x", "capability": "litter_cleanup", "priority": ' + HUGE_INTEGER + "}"
    response = _send(api(person.token), "POST", "/api/v1/needs/", _json_body(body))
    assert response.status_code == 400
    assert "digits" in response.json["errors"]["_body"][0]


def test_json_limits_accept_ordinary_documents():
    check_json(json.dumps({"a": [{"b": [1, 2.5, "text\nwith lines", None, True]}]}).encode())
    check_json(("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)).encode())


@pytest.mark.parametrize(
    "body",
    [
        "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
        '{"n": NaN}',
        '{"n": -Infinity}',
        '{"t": "a\\u0000b"}',
        '{"t": "\\ud800"}',
        '{"\\u0000": 1}',
        "[" + "9" * 31 + "]",
        "not json",
    ],
)
def test_json_limits_refuse(body):
    from commonground.input_guard import BadJsonError

    with pytest.raises(BadJsonError):
        check_json(body.encode())


def test_the_briefing_list_filters_by_partner(make, api):
    person = make.user("outreach")
    partner = make.partner()
    created = api(person.token).post("/api/v1/briefings/partner", json={"partner_id": partner.id})
    assert created.status_code == 201
    listed = api(person.token).get(f"/api/v1/briefings/?partner_id={partner.id}")
    assert listed.status_code == 200
    assert [b["partner_id"] for b in listed.json] == [partner.id]
    assert api(person.token).get("/api/v1/briefings/?partner_id=0").status_code == 422


def test_the_web_claim_form_shares_the_api_claim_limit(app, make, api, browser, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_CLAIM", "3 per minute")
    partner = make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 50}])
    member = make.user("partner", partner=partner)
    needs = [make.need().id for _ in range(5)]
    web = browser(member)
    assert web.post(f"/tasks/{needs[0]}/claim").status_code == 302
    assert web.post(f"/tasks/{needs[1]}/claim").status_code == 302
    assert api(member.token).post(f"/api/v1/needs/{needs[2]}/claim").status_code == 201
    refused = web.post(f"/tasks/{needs[3]}/claim")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert api(member.token).post(f"/api/v1/needs/{needs[4]}/claim").status_code == 429


def test_a_form_field_with_a_nul_byte_is_a_422_page(make, browser):
    person = make.user("coordinator")
    web = browser(person)
    response = web.post("/needs/new", {"title": NUL, "capability": "litter_cleanup"})
    assert response.status_code == 422


OVERSIZED_FIELD_CSV = (
    "id,type,title,address,lat,lng\n"
    "1,Illegal Dumping,Tyres,1 Main St,30.45,-91.18\n"
    f"2,Illegal Dumping,{'x' * 140_000},2 Main St,30.45,-91.18\n"
    "3,Illegal Dumping,Sofa,3 Main St,30.45,-91.18\n"
)


def test_a_csv_field_over_the_csv_limit_is_reported_for_its_row_by_the_cli(app, make, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(OVERSIZED_FIELD_CSV, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-needs", str(path), "--preset", "generic"])
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output
    assert "rejected rows 1" in result.output
    assert "line 3" in result.output
    assert "field larger than field limit" in result.output


def test_a_csv_field_over_the_csv_limit_is_reported_for_its_row_by_the_api(make, api):
    person = make.user("coordinator")
    client = api(person.token)
    response = client.client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(OVERSIZED_FIELD_CSV.encode()), "survey.csv"), "source": "311"},
        headers=client.headers,
        content_type="multipart/form-data",
    )
    report = finish_api_job(client, response)["result"]["import"]
    assert (report["created"], report["rows_rejected"]) == (2, 1)
    assert [e["line"] for e in report["row_errors"]] == [3]


# --- the one checked text type: length and invalid Unicode (issue 14, item 5) ----------------

# Percent-escapes that are not UTF-8: a lone surrogate (U+D800 encoded), a stray continuation
# byte, a sequence cut short. Werkzeug keeps such a query value as its literal escapes and turns
# such path bytes into U+FFFD, so only the guard's look at the raw bytes refuses them.
NOT_UTF8 = ["%ED%A0%80", "%80", "%C3"]


def test_a_query_value_over_the_length_limit_is_a_422_naming_it(make, api):
    person = make.user("coordinator")
    response = api(person.token).get("/api/v1/needs/?q=" + "x" * (MAX_QUERY_VALUE_CHARS + 1))
    assert response.status_code == 422
    assert response.json["errors"] == {"q": [f"Longer than {MAX_QUERY_VALUE_CHARS} characters."]}


def test_a_page_takes_a_query_value_at_the_limit_and_refuses_one_over_it(make, browser):
    web = browser()
    at_limit = web.get("/report?from=" + "x" * MAX_QUERY_VALUE_CHARS)
    assert at_limit.status_code == 200
    over = web.get("/report?from=" + "x" * (MAX_QUERY_VALUE_CHARS + 1))
    assert over.status_code == 422
    assert over.mimetype == "text/html"
    assert "The input is not valid." in over.get_data(as_text=True)


@pytest.mark.parametrize("escapes", NOT_UTF8)
def test_invalid_unicode_in_a_query_value_is_a_422_naming_it(make, api, escapes):
    person = make.user("coordinator")
    response = api(person.token).get(f"/api/v1/needs/?status=open&neighbourhood=a{escapes}b")
    assert response.status_code == 422
    assert response.json["errors"] == {"neighbourhood": [UNSAFE_TEXT]}


def test_invalid_unicode_in_a_query_value_is_a_422_page_and_valid_unicode_is_not(make, browser):
    web = browser(make.user("coordinator"))
    refused = web.get("/needs/?neighbourhood=%ED%A0%80")
    assert refused.status_code == 422
    assert refused.mimetype == "text/html"
    assert "The input is not valid." in refused.get_data(as_text=True)
    assert web.get("/needs/?q=caf%C3%A9").status_code == 200  # é, two UTF-8 bytes


def _as_a_server_hands_it(path: bytes) -> dict:
    """A request whose path holds these bytes, as gunicorn hands them to the app (WSGI's
    PATH_INFO is latin-1 text of the unquoted bytes); Werkzeug's test client would have replaced
    the undecodable ones with U+FFFD already."""
    return {"environ_overrides": {"PATH_INFO": path.decode("latin-1")}}


def test_invalid_unicode_in_a_path_segment_is_a_400_naming_the_path(make, api, browser):
    person = make.user("admin")
    for segment in (b"abc\x80", b"abc\xed\xa0\x80"):
        response = api(person.token).get(
            "/", **_as_a_server_hands_it(b"/api/v1/capabilities/" + segment)
        )
        assert response.status_code == 400, segment
        assert response.json["errors"] == {"path": [UNSAFE_TEXT]}
        page = browser().get("/", **_as_a_server_hands_it(b"/password/reset/" + segment))
        assert page.status_code == 400, segment
        assert page.mimetype == "text/html"
    accented = browser().get("/", **_as_a_server_hands_it("/password/reset/café".encode()))
    assert accented.status_code == 404  # valid UTF-8: the link is looked up, and is unknown


def test_invalid_unicode_in_a_url_encoded_form_is_a_422_naming_the_field(make, api):
    person = make.user("coordinator")
    client = api(person.token)
    for body in (b"source=a%ED%A0%80b&dry_run=true", b"source=a\xffb&dry_run=true"):
        response = client.client.post(
            "/api/v1/imports",
            data=body,
            headers=client.headers,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 422, body
        assert response.json["errors"] == {"source": [UNSAFE_TEXT]}, body


def test_invalid_unicode_in_a_url_encoded_form_is_a_422_page(make, browser):
    web = browser(make.user("coordinator"))
    token = web.csrf_token("/needs/new").encode()
    page = web.client.post(
        "/needs/new",
        data=b"csrf_token=" + token + b"&title=Tyres%80&capability=litter_cleanup",
        content_type="application/x-www-form-urlencoded",
    )
    assert page.status_code == 422
    assert "The input is not valid." in page.get_data(as_text=True)


def _loaded_text_fields() -> list[tuple[str, fields.String]]:
    """("Schema.field", field) for every string a request may send to any schema of ours
    (inside lists too); dump-only fields are never read from a request."""

    def every_schema(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *every_schema(sub))]

    def strings(field: fields.Field) -> list[fields.String]:
        if isinstance(field, fields.List):
            return strings(field.inner)
        return [field] if isinstance(field, fields.String) else []

    found = []
    for cls in set(every_schema(Schema)):
        if cls.__module__.split(".")[0] in {"marshmallow", "flask_smorest", "webargs", "apispec"}:
            continue
        for name, field in cls().load_fields.items():
            found += [(f"{cls.__module__}.{cls.__name__}.{name}", s) for s in strings(field)]
    return found


def _length_max(field: fields.String) -> int | None:
    return max(
        (v.max for v in field.validators if isinstance(v, validate.Length) and v.max is not None),
        default=None,
    )


def test_the_body_text_limit_refuses_nothing_a_field_accepts(app):
    """Some text fields have no length of their own (a password's confirmation, the current
    password), so the guard bounds every form field and JSON string; the bound must be at least
    the longest any field accepts (an import's options: 20,000)."""
    limit = app.config["MAX_BODY_TEXT_CHARS"]
    maxima = {name: _length_max(field) for name, field in _loaded_text_fields()}
    assert len(maxima) > 100  # the schemas were found
    assert {name for name, m in maxima.items() if m is not None and m > limit} == set()
    assert "accounts.schemas.NewPasswordSchema.confirm" in {
        name for name, m in maxima.items() if m is None
    }


def _import_form(options: str) -> dict:
    csv_file = io.BytesIO(
        b"id,type,title,address,lat,lng\n1,Illegal Dumping,Tyres,1 Main St,30.45,-91.18\n"
    )
    return {
        "file": (csv_file, "survey.csv"),
        "source": "311",
        "dry_run": "true",
        "options": options,
    }


def test_a_form_field_over_the_body_text_limit_is_a_422_naming_it(app, make, api):
    person = make.user("coordinator")
    client = api(person.token)
    limit = app.config["MAX_BODY_TEXT_CHARS"]

    def send(options: str):
        return client.client.post(
            "/api/v1/imports",
            data=_import_form(options),
            headers=client.headers,
            content_type="multipart/form-data",
        )

    at_limit = send("{}" + " " * (limit - 2))  # JSON with trailing blanks: still valid options
    assert at_limit.status_code == 200, at_limit.json
    over = send("{}" + " " * (limit - 1))
    assert over.status_code == 422
    assert over.json["errors"] == {"options": [f"Longer than {limit} characters."]}


def test_a_page_form_field_over_the_body_text_limit_is_a_422_page(app, make, browser):
    person = make.user("viewer")
    web = browser(person)
    limit = app.config["MAX_BODY_TEXT_CHARS"]
    form = {"current_password": "x" * (limit + 1), "new_password": "y" * 12, "confirm": "y" * 12}
    response = web.post("/account/password", form)
    assert response.status_code == 422
    assert "The input is not valid." in response.get_data(as_text=True)


def test_a_json_string_over_the_body_text_limit_is_a_422_naming_its_field(app, make, api):
    person = make.user("coordinator")
    limit = app.config["MAX_BODY_TEXT_CHARS"]
    body = {"title": "Tyres", "capability": "litter_cleanup", "description": "y" * (limit + 1)}
    response = api(person.token).post("/api/v1/needs/", json=body)
    assert response.status_code == 422
    assert response.json["errors"] == {"description": [f"Longer than {limit} characters."]}


# --- the sweep: every route, every bad input ------------------------------------------------


def _path_values(rule, text: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = text
    return values


def _urls(app: Flask, rule, method: str) -> list[tuple[str, str, dict]]:
    """(what, url, request kwargs) for every bad input that applies to this route."""
    adapter = app.url_map.bind("localhost")
    plain = adapter.build(rule.endpoint, _path_values(rule, "x"), method=method)
    cases = []
    if rule._converters and any(
        not isinstance(c, IntegerConverter | AnyConverter) for c in rule._converters.values()
    ):
        nul_path = adapter.build(rule.endpoint, _path_values(rule, NUL), method=method)
        cases.append(("nul in path", nul_path, {}))
    separator = "&" if "?" in plain else "?"
    cases.append(
        ("nul in query", plain + separator + "&".join(f"{n}=a%00b" for n in QUERY_NAMES), {})
    )
    cases.append(
        (
            "huge numbers in query",
            plain + separator + "&".join(f"{n}={'9' * 40}" for n in QUERY_NAMES),
            {},
        )
    )
    cases.append(("long query", plain + separator + "q=" + "x" * 5000, {}))
    if method in ("POST", "PUT", "PATCH"):
        if plain.startswith("/api/"):
            cases += [
                ("deep json", plain, _json_body(DEEP_JSON)),
                ("huge integer json", plain, _json_body('{"n": ' + HUGE_INTEGER + "}")),
                ("nul json", plain, {"json": {f: NUL for f in TEXT_FIELDS}}),
                ("big numbers json", plain, {"json": {f: 10**40 for f in NUMBER_FIELDS}}),
            ]
        else:
            cases += [
                ("nul form", plain, {"data": {f: NUL for f in TEXT_FIELDS}}),
                ("big numbers form", plain, {"data": {f: "9" * 40 for f in NUMBER_FIELDS}}),
                ("infinite numbers form", plain, {"data": {f: "1e400" for f in NUMBER_FIELDS}}),
            ]
    return cases


def _send(who, method: str, url: str, kwargs: dict):
    """One request as `who`: an ApiClient (its bearer token added) or a signed-in Browser."""
    fresh_request_globals()
    if isinstance(who, ApiClient):
        headers = {**who.headers, **kwargs.pop("headers", {})}
        return who.client.open(url, method=method, headers=headers, **kwargs)
    if method != "GET":
        data = dict(kwargs.pop("data", None) or {})
        data["csrf_token"] = who.csrf_token()
        kwargs["data"] = data
    return who.client.open(url, method=method, **kwargs)


def test_no_route_answers_5xx_to_any_bad_input(app, make, api, browser, monkeypatch):
    for setting in ("LOGIN", "PASSWORD_RESET", "REGISTER", "CLAIM", "IMPORT"):
        monkeypatch.setitem(app.config, f"RATELIMIT_{setting}", "100000 per minute")
    partner = make.partner()
    make.need()
    admin = make.user("admin")
    partner_admin = make.user("partner", partner=partner, is_partner_admin=True)
    actors = [
        ("admin", api(admin.token), browser(admin)),
        ("partner", api(partner_admin.token), browser(partner_admin)),
    ]
    failures, sent = [], 0
    for rule in app.url_map.iter_rules():
        if "logout" in rule.rule:
            continue  # would sign the sweep's browsers out; it takes no input
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for what, url, kwargs in _urls(app, rule, method):
                for label, token_client, pages in actors:
                    who = token_client if url.startswith(("/api/", "/open311/")) else pages
                    response = _send(who, method, url, dict(kwargs))
                    sent += 1
                    if response.status_code >= 500:
                        failures.append((label, method, rule.rule, what, response.status_code))
    assert failures == []
    assert sent > 1000  # every route, every input, both actors
