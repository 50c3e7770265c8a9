"""One error shape everywhere, and an OpenAPI document that describes the whole API."""

from __future__ import annotations

import pytest

ERROR_KEYS = {"code", "status", "message", "errors", "request_id"}


def test_missing_token_is_a_401_in_the_error_shape(client, app_context):
    response = client.get("/api/v1/needs/")
    assert response.status_code == 401
    assert set(response.json) == ERROR_KEYS
    assert response.json["status"] == "Unauthorized"


def test_unknown_api_route_is_a_json_404(api, make):
    response = api(make.user("viewer").token).get("/api/v1/nothing-here")
    assert response.status_code == 404 and set(response.json) == ERROR_KEYS


def test_wrong_method_is_a_405_that_keeps_its_allow_header(api, make):
    response = api(make.user("coordinator").token).put("/api/v1/needs/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert set(response.json) == ERROR_KEYS


def test_malformed_json_is_a_4xx_with_a_reason_never_a_500(make, client):
    person = make.user("coordinator")
    response = client.post(
        "/api/v1/needs/",
        data="{not json",
        headers={"Authorization": f"Bearer {person.token}", "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert set(response.json) == ERROR_KEYS


@pytest.mark.parametrize("body", [[], "text", 42, None])
def test_a_body_that_is_not_an_object_is_a_422(api, make, body):
    response = api(make.user("coordinator").token).post("/api/v1/needs/", json=body)
    assert response.status_code == 422


def test_html_pages_get_an_html_error_page_without_a_stack_trace(client, app_context):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"Traceback" not in response.data and b"404" in response.data


def test_the_openapi_document_lists_every_resource_with_bearer_security(client, app_context):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in (
        "/api/v1/capabilities/",
        "/api/v1/partners/",
        "/api/v1/partners/{partner_id}",
        "/api/v1/needs/",
        "/api/v1/needs/{need_id}",
        "/api/v1/needs/{need_id}/events",
        "/api/v1/needs/{need_id}/claim",
        "/api/v1/needs/{need_id}/verify",
        "/api/v1/me/tokens",
    ):
        assert path in paths, path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    claim = paths["/api/v1/needs/{need_id}/claim"]["post"]["responses"]
    assert {"201", "403", "404", "409"} <= set(claim)
    assert "ErrorResponse" in spec["components"]["schemas"]


def test_the_docs_page_is_served_with_local_assets(client, app_context):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui-bundle.js" in page.data
    assert b"http" not in page.data.split(b"<body>")[1].split(b"swagger-ui")[0]
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000


def test_a_page_number_past_any_database_offset_is_a_422_not_a_500(api, make):
    client = api(make.user("coordinator").token)
    for path in ("/api/v1/needs/", "/api/v1/partners/"):
        response = client.get(path + "?page=499973403171891076661248")
        assert response.status_code == 422, path
        assert "page" in response.json["errors"]
    assert client.get("/api/v1/needs/?page=1000000").status_code == 200


def test_every_error_response_is_documented_once_and_referenced(client, app_context):
    spec = client.get("/api/v1/openapi.json").json
    defined = spec["components"]["responses"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status.startswith(("2", "3")):
                    continue
                ref = response.get("$ref", "")
                assert ref.startswith("#/components/responses/"), (method, path, status)
                body = defined[ref.rsplit("/", 1)[1]]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorResponse"}, (path, status)
