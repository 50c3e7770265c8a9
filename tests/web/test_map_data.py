"""The map's GeoJSON endpoint, the downloads of the filtered list, the geocoder look-up and
Leaflet's files served from our own server."""

from __future__ import annotations

import csv
import io
import json

from tests.factories import DOWNTOWN


def test_geojson_is_filtered_by_bbox_status_and_capability(make, browser):
    inside = make.need(title="Inside", latitude=DOWNTOWN[0], longitude=DOWNTOWN[1])
    make.need(title="Outside", latitude=DOWNTOWN[0] + 1, longitude=DOWNTOWN[1])
    make.need(title="Other kind", capability="lot_mowing")
    client = browser(make.user("viewer"))
    box = f"{DOWNTOWN[1] - 0.01},{DOWNTOWN[0] - 0.01},{DOWNTOWN[1] + 0.01},{DOWNTOWN[0] + 0.01}"
    body = client.get(f"/map/needs.geojson?bbox={box}&capability=litter_cleanup").get_json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    assert [f["id"] for f in body["features"]] == [inside.id]
    feature = body["features"][0]
    assert feature["geometry"]["coordinates"] == [round(DOWNTOWN[1], 6), round(DOWNTOWN[0], 6)]
    assert feature["properties"] == {
        "title": "Inside",
        "status": "open",
        "capability": "litter_cleanup",
        "priority": 3,
    }
    assert client.get("/map/needs.geojson?status=verified").get_json()["features"] == []


def test_geojson_never_carries_residents_contacts(make, browser):
    make.need(reporter_name="Rita Resident", reporter_phone="225-555-0199")
    text = browser(make.user("coordinator")).get("/map/needs.geojson").get_data(as_text=True)
    assert "Rita" not in text and "555" not in text


def test_geojson_is_capped_and_says_so_most_urgent_first(make, browser):
    urgent = make.need(priority=1)
    for _ in range(3):
        make.need(priority=5)
    body = browser(make.user("viewer")).get("/map/needs.geojson?limit=2").get_json()
    assert body["truncated"] is True and len(body["features"]) == 2
    assert body["features"][0]["id"] == urgent.id


def test_a_bad_bbox_is_a_422_with_the_field(make, browser):
    client = browser(make.user("viewer"))
    response = client.get("/map/needs.geojson?bbox=1,2,3", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "bbox" in json.dumps(response.get_json()["errors"])


def test_csv_download_has_the_filtered_rows_and_defuses_formulas(make, browser):
    make.need(title="=HYPERLINK(1)", address="+1 Main")
    make.need(title="Mow", capability="lot_mowing")
    response = browser(make.user("viewer")).get("/map/export.csv?capability=litter_cleanup")
    assert response.headers["Content-Disposition"] == "attachment; filename=needs.csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    assert rows[0]["title"].startswith("'=") and rows[0]["address"] == "'+1 Main"
    assert rows[0]["longitude"].startswith("-91.")  # numbers are left alone
    assert "reporter_name" not in rows[0]


def test_geojson_download_streams_every_matching_need(make, browser):
    for _ in range(3):
        make.need()
    make.need(title="No pin", latitude=None, longitude=None, address="5 Nowhere")
    response = browser(make.user("viewer")).get("/map/export.geojson")
    body = json.loads(response.get_data(as_text=True))
    assert len(body["features"]) == 4
    assert sum(1 for f in body["features"] if f["geometry"] is None) == 1


def test_geocode_says_plainly_when_no_geocoder_is_configured(make, browser):
    response = browser(make.user("coordinator")).get("/map/geocode?q=1200+North+St")
    if response.status_code == 503:
        assert (
            "not configured" in response.get_json()["message"]
            or "did not answer" in (response.get_json()["message"])
        )
    else:
        assert response.status_code in (200, 404)


def test_geocode_is_for_those_who_post_needs(make, browser):
    partner = make.partner()
    response = browser(make.user("partner", partner=partner)).get(
        "/map/geocode?q=1+Main", headers={"Accept": "application/json"}
    )
    assert response.status_code == 403


def test_geocode_rejects_an_empty_or_control_character_query(make, browser):
    client = browser(make.user("coordinator"))
    headers = {"Accept": "application/json"}
    assert client.get("/map/geocode?q=", headers=headers).status_code == 422
    assert client.get("/map/geocode?q=a%00b", headers=headers).status_code == 422


def test_leaflet_is_served_from_our_own_server(browser):
    client = browser()
    assert client.get("/map/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/map/vendor/markercluster/leaflet.markercluster.js").status_code == 200
    assert client.get("/map/vendor/leaflet/../../../etc/passwd").status_code == 404
    assert client.get("/map/vendor/other/x.js").status_code == 404


def test_map_pages_use_no_cdn_and_no_inline_script(make, browser):
    client = browser(make.user("coordinator"))
    for path in ("/needs/", "/needs/new", "/coordinator/"):
        page = client.text(path)
        assert "unpkg" not in page and "cdn" not in page.lower()
        assert "<script>" not in page and " onclick=" not in page and " style=" not in page
