"""Coordinators, outreach staff and viewers download needs and partners as CSV and GeoJSON,
with the list filters, the list redactions, and no spreadsheet formula left live."""

from __future__ import annotations

import csv
import io
import json

import pytest

NEEDS_CSV = "/api/v1/needs/export.csv"
NEEDS_GEOJSON = "/api/v1/needs/export.geojson"
PARTNERS_CSV = "/api/v1/partners/export.csv"
PARTNERS_GEOJSON = "/api/v1/partners/export.geojson"


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def coordinator(make):
    return make.user("coordinator")


@pytest.fixture
def viewer(make):
    return make.user("viewer")


def test_needs_export_as_csv_streams_every_matching_need(api, make, coordinator):
    dumping = make.need(capability="illegal_dumping", title="Tyres")
    make.need(capability="lot_mowing", title="Grass")
    response = api(coordinator.token).get(f"{NEEDS_CSV}?capability=illegal_dumping")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    assert 'filename="needs.csv"' in response.headers["Content-Disposition"]
    (row,) = rows(response)
    assert (row["id"], row["capability"], row["title"]) == (
        str(dumping.id),
        "illegal_dumping",
        "Tyres",
    )
    assert float(row["latitude"]) == pytest.approx(dumping.latitude)
    assert row["reporter_phone"] == "225-555-0199"


def test_a_viewer_gets_no_reporter_contacts(api, make, viewer):
    make.need()
    (row,) = rows(api(viewer.token).get(NEEDS_CSV))
    assert "reporter_phone" not in row and "reporter_name" not in row


def test_csv_cells_cannot_start_a_formula(api, make, coordinator):
    make.need(title='=HYPERLINK("http://evil.example","click")', description="@SUM(A1)")
    (row,) = rows(api(coordinator.token).get(NEEDS_CSV))
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["description"] == "'@SUM(A1)"
    assert row["longitude"].startswith("-")  # numbers stay numbers


def test_needs_export_as_geojson_puts_longitude_first(api, make, coordinator):
    located = make.need(latitude=30.4966, longitude=-91.1469)
    pending = make.need(latitude=None, longitude=None, address="1200 Swan St")
    response = api(coordinator.token).get(NEEDS_GEOJSON)
    assert response.status_code == 200
    assert response.content_type == "application/geo+json"
    document = json.loads(response.get_data(as_text=True))
    assert document["type"] == "FeatureCollection"
    features = {f["id"]: f for f in document["features"]}
    assert features[located.id]["geometry"] == {
        "type": "Point",
        "coordinates": [-91.1469, 30.4966],
    }
    assert features[pending.id]["geometry"] is None
    assert features[pending.id]["properties"]["location_status"] == "pending"


def test_export_filters_are_the_list_filters(api, make, coordinator):
    make.need(capability="illegal_dumping")
    make.need(capability="illegal_dumping", latitude=30.5214, longitude=-91.1829)
    listed = api(coordinator.token).get("/api/v1/needs/?near=30.4515,-91.1871&radius_km=2")
    exported = rows(api(coordinator.token).get(f"{NEEDS_CSV}?near=30.4515,-91.1871&radius_km=2"))
    assert [str(n["id"]) for n in listed.json] == [r["id"] for r in exported]
    bad = api(coordinator.token).get(f"{NEEDS_CSV}?status=nonsense")
    assert bad.status_code == 422


def test_exports_need_a_token(client):
    assert client.get(NEEDS_CSV).status_code == 401
    assert client.get(PARTNERS_GEOJSON).status_code == 401


def test_partners_export_redacts_contacts_like_the_list(api, make, coordinator, viewer):
    partner = make.partner(name="=Magnolia Corps")
    staff_rows = rows(api(coordinator.token).get(PARTNERS_CSV))
    assert [r["name"] for r in staff_rows] == ["'=Magnolia Corps"]
    assert staff_rows[0]["contact_email"] == partner.contact_email
    assert staff_rows[0]["capabilities"] == "litter_cleanup:3"
    viewer_rows = rows(api(viewer.token).get(PARTNERS_CSV))
    assert viewer_rows[0]["contact_email"] == ""


def test_a_partner_member_exports_only_their_own_organisation(api, make):
    own = make.partner()
    make.partner()
    member = make.user("partner", partner=own)
    exported = rows(api(member.token).get(PARTNERS_CSV))
    assert [r["id"] for r in exported] == [str(own.id)]


def test_partners_export_as_geojson_at_their_base(api, make, coordinator):
    partner = make.partner(base_latitude=30.4966, base_longitude=-91.1469)
    document = json.loads(api(coordinator.token).get(f"{PARTNERS_GEOJSON}?status=active").data)
    (feature,) = document["features"]
    assert feature["id"] == partner.id
    assert feature["geometry"]["coordinates"] == [-91.1469, 30.4966]
