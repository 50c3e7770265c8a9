"""The Open311 GeoReport v2 endpoint, written from the spec, in both formats.

Spec facts checked here: every list, a single request and errors are top-level arrays (XML:
<services><service>, <service_requests><request>, <errors><error>); a service definition and
discovery are objects; ids and codes are strings; datetimes are ISO 8601 with a zone; status is
open or closed; errors are {code, description} with 400, 403 or 404.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from commonground.extensions import db
from needs.models import Need
from needs.services import claim_need, complete_need, start_need
from open311.formats import parse_list, parse_services

BASE = "/open311/v2"
FORMATS = ["json", "xml"]
PLANK = {"lat": "30.500942", "long": "-91.147001"}


def items(response, root: str, fmt: str) -> list[dict]:
    return parse_list(response.data, fmt, root)


def assert_error(response, status: int, fmt: str) -> str:
    assert response.status_code == status
    errors = items(response, "errors", fmt)
    assert len(errors) >= 1
    assert str(errors[0]["code"]) == str(status)
    return errors[0]["description"]


@pytest.fixture
def coordinator(make):
    return make.user("coordinator")


@pytest.fixture
def post(client):
    def send(fmt: str, **form: str):
        return client.post(f"{BASE}/requests.{fmt}", data=form)

    return send


# -- services ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_service_list_offers_every_capability(client, fmt):
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    assert response.content_type.startswith("application/json" if fmt == "json" else "text/xml")
    services = parse_services(response.data, fmt)
    assert len(services) == 10
    dumping = next(s for s in services if s.service_code == "illegal_dumping")
    assert dumping.service_name
    assert dumping.metadata is False
    assert dumping.type == "realtime"
    if fmt == "json":
        assert isinstance(json.loads(response.data), list)
    else:
        assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<services>')


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_is_an_object(client, fmt):
    response = client.get(f"{BASE}/services/board_up.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert json.loads(response.data) == {"service_code": "board_up", "attributes": []}
    else:
        assert b"<service_definition><service_code>board_up</service_code>" in response.data


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_is_a_404_error_list(client, fmt):
    response = client.get(f"{BASE}/services/potholes.{fmt}")
    assert "potholes" in assert_error(response, 404, fmt)


def test_an_unknown_format_is_not_served(client):
    assert client.get(f"{BASE}/services.csv").status_code == 404


# -- posting ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_city_app_posts_a_request_with_coordinates(post, coordinator, fmt):
    response = post(
        fmt,
        api_key=coordinator.token,
        service_code="illegal_dumping",
        description="Tyres dumped behind the church\nabout twenty",
        first_name="Rita",
        last_name="Resident",
        email="rita@example.org",
        **PLANK,
    )
    assert response.status_code == 200
    (created,) = items(response, "service_requests", fmt)
    assert isinstance(created["service_request_id"], str)
    need = db.session.get(Need, int(created["service_request_id"]))
    assert (need.source, need.capability_code, need.status) == (
        "open311",
        "illegal_dumping",
        "open",
    )
    assert need.title == "Tyres dumped behind the church"
    assert (need.reporter_name, need.reporter_email) == ("Rita Resident", "rita@example.org")
    assert created["token"] == f"cg-{need.id}"


def test_a_request_with_only_an_address_is_geocoded(post, coordinator):
    response = post(
        "json",
        api_key=coordinator.token,
        service_code="lot_mowing",
        address_string="1234 Plank Road, Baton Rouge LA 70805",
    )
    assert response.status_code == 200
    need = db.session.get(Need, int(response.json[0]["service_request_id"]))
    assert (need.latitude, need.longitude, need.location_status) == (30.500942, -91.147001, "ok")
    assert need.title == "Lot mowing (Open311 report)" or "(Open311 report)" in need.title


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_needs_a_valid_api_key(post, make, fmt):
    assert "api_key" in assert_error(post(fmt, service_code="board_up", **PLANK), 403, fmt)
    bad = post(fmt, api_key="cg_not-a-token", service_code="board_up", **PLANK)
    assert assert_error(bad, 403, fmt) == "Invalid api_key"
    partner = make.partner()
    member = make.user("partner", partner=partner)
    refused = post(fmt, api_key=member.token, service_code="board_up", **PLANK)
    assert_error(refused, 403, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_without_a_location_is_a_400(post, coordinator, fmt):
    response = post(fmt, api_key=coordinator.token, service_code="board_up")
    assert "address_string is required" in assert_error(response, 400, fmt)
    half = post(fmt, api_key=coordinator.token, service_code="board_up", lat="30.5")
    assert "together" in assert_error(half, 400, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_for_an_unknown_service_is_a_404(post, coordinator, fmt):
    response = post(fmt, api_key=coordinator.token, service_code="potholes", **PLANK)
    assert_error(response, 404, fmt)


def test_bad_values_are_400s_with_one_error_each(post, coordinator):
    response = post("json", api_key=coordinator.token, service_code="board_up", lat="91", long="x")
    descriptions = [e["description"] for e in response.json]
    assert response.status_code == 400
    assert any(d.startswith("lat:") for d in descriptions)
    assert any(d.startswith("long:") for d in descriptions)


# -- reading ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_list_recent_needs_with_spec_fields(client, make, fmt):
    need = make.need(capability="illegal_dumping", title="Tyres", description="")
    response = client.get(f"{BASE}/requests.{fmt}")
    assert response.status_code == 200
    (listed,) = items(response, "service_requests", fmt)
    assert listed["service_request_id"] == str(need.id)
    assert listed["status"] == "open"
    assert listed["service_code"] == "illegal_dumping"
    assert listed["description"] == "Tyres"
    assert listed["requested_datetime"].endswith("Z")
    datetime.fromisoformat(listed["requested_datetime"].replace("Z", "+00:00"))
    assert float(listed["lat"]) == pytest.approx(need.latitude)
    assert float(listed["long"]) == pytest.approx(need.longitude)
    assert "reporter" not in response.data.decode()
    assert "225-555-0199" not in response.data.decode()  # the reporter's phone never leaves


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_are_filtered_as_the_spec_says(client, make, fmt):
    now = datetime.now(UTC)
    old = make.need(capability="board_up", now=now - timedelta(days=200))
    dumping = make.need(capability="illegal_dumping")
    mowing = make.need(capability="lot_mowing")

    def ids(query: str) -> list[str]:
        response = client.get(f"{BASE}/requests.{fmt}?{query}")
        assert response.status_code == 200, response.data
        return sorted(i["service_request_id"] for i in items(response, "service_requests", fmt))

    assert ids("") == sorted([str(dumping.id), str(mowing.id)])  # the last 90 days
    assert ids("service_code=lot_mowing") == [str(mowing.id)]
    assert ids("service_code=lot_mowing,illegal_dumping") == sorted(
        [str(dumping.id), str(mowing.id)]
    )
    start = (now - timedelta(days=300)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert ids(f"start_date={start}&end_date={end}") == [str(old.id)]
    assert ids(f"service_request_id={old.id},{mowing.id}") == sorted([str(old.id), str(mowing.id)])
    assert ids("status=closed") == []
    assert ids("status=open") == sorted([str(dumping.id), str(mowing.id)])


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("start_date=yesterday", "start_date"),
        ("status=pending", "status"),
        ("service_request_id=abc", "service_request_id"),
        ("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "after"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_filters_are_400s(client, fmt, query, fragment):
    response = client.get(f"{BASE}/requests.{fmt}?{query}")
    assert fragment in assert_error(response, 400, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_is_a_one_item_list(client, make, fmt):
    need = make.need()
    response = client.get(f"{BASE}/requests/{need.id}.{fmt}")
    assert response.status_code == 200
    (only,) = items(response, "service_requests", fmt)
    assert only["service_request_id"] == str(need.id)


@pytest.mark.parametrize("request_id", ["999999", "99999999999999999999", "0", "abc"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_is_a_404(client, fmt, request_id):
    assert_error(client.get(f"{BASE}/requests/{request_id}.{fmt}"), 404, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_notes_tell_the_partners_progress(client, make, fmt):
    partner = make.partner(name="Magnolia Youth Service Corps")
    member = make.user("partner", partner=partner)
    need = make.need()

    def current() -> dict:
        response = client.get(f"{BASE}/requests/{need.id}.{fmt}")
        return items(response, "service_requests", fmt)[0]

    assert (current()["status"], current()["status_notes"]) == (
        "open",
        "Open; waiting for a partner",
    )
    claim_need(member.actor, need.id)
    assert current()["status"] == "open"
    assert current()["status_notes"].startswith("Claimed by Magnolia Youth Service Corps on ")
    assert current()["agency_responsible"] == "Magnolia Youth Service Corps"
    start_need(member.actor, need.id)
    assert current()["status_notes"].startswith("Magnolia Youth Service Corps started work on ")
    complete_need(member.actor, need.id, {"volunteers": 4, "hours": 6})
    assert current()["status"] == "closed"
    assert current()["status_notes"].endswith("awaiting city verification")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_leads_to_its_request(client, post, coordinator, fmt):
    created = items(
        post(fmt, api_key=coordinator.token, service_code="board_up", **PLANK),
        "service_requests",
        fmt,
    )[0]
    response = client.get(f"{BASE}/tokens/{created['token']}.{fmt}")
    assert response.status_code == 200
    assert items(response, "service_requests", fmt) == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}
    ]
    assert_error(client.get(f"{BASE}/tokens/cg-999999.{fmt}"), 404, fmt)
    assert_error(client.get(f"{BASE}/tokens/nonsense.{fmt}"), 404, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_this_endpoint(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        document = json.loads(response.data)
        (endpoint,) = document["endpoints"]
        assert endpoint["url"] == "http://localhost/open311/v2/"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        assert b"<discovery><changeset>" in response.data
        assert b"<formats><format>text/xml</format><format>application/json</format>" in (
            response.data
        )


# -- issue 12: media, the city's bounds, paging, ZIP codes -----------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_media_url_is_kept_and_returned_never_fetched(post, client, coordinator, fmt):
    photo = "https://photos.example.org/dumping/123.jpg"
    response = post(fmt, api_key=coordinator.token, service_code="illegal_dumping",
                    media_url=photo, **PLANK)  # fmt: skip
    (created,) = items(response, "service_requests", fmt)
    need = db.session.get(Need, int(created["service_request_id"]))
    assert need.media_url == photo
    (shown,) = items(client.get(f"{BASE}/requests/{need.id}.{fmt}"), "service_requests", fmt)
    assert shown["media_url"] == photo


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_point_outside_the_city_is_refused(post, coordinator, fmt):
    paris = {"lat": "48.8566", "long": "2.3522"}
    refused = post(fmt, api_key=coordinator.token, service_code="illegal_dumping", **paris)
    assert "outside the city" in assert_error(refused, 400, fmt)
    assert db.session.scalar(select(func.count(Need.id))) == 0


def test_the_city_s_bounds_may_be_set(app, post, coordinator):
    app.config["CITY_BOUNDS"] = (48.8, 2.2, 48.9, 2.5)
    try:
        paris = {"lat": "48.8566", "long": "2.3522"}
        accepted = post("json", api_key=coordinator.token, service_code="illegal_dumping", **paris)
        assert accepted.status_code == 200
        refused = post("json", api_key=coordinator.token, service_code="illegal_dumping", **PLANK)
        assert refused.status_code == 400
    finally:
        app.config["CITY_BOUNDS"] = None


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_page_through_any_number_with_page_and_page_size(client, make, fmt):
    ids = {make.need(capability="litter_cleanup").id for _ in range(5)}
    seen = []
    for page in (1, 2, 3):
        answer = client.get(f"{BASE}/requests.{fmt}?page={page}&page_size=2")
        seen += [int(item["service_request_id"]) for item in items(answer, "service_requests", fmt)]
    assert sorted(seen) == sorted(ids)
    bad = client.get(f"{BASE}/requests.{fmt}?page_size=1001")
    assert "page_size" in assert_error(bad, 400, fmt)


def test_zip_codes_are_returned(client, make):
    need = make.need(capability="litter_cleanup")
    need.zip_code = "02114"
    db.session.commit()
    (shown,) = items(client.get(f"{BASE}/requests/{need.id}.json"), "service_requests", "json")
    assert shown["zipcode"] == "02114"
