"""The partner directory's map data and its page without JavaScript: the map's GeoJSON holds the
bases of the partners the same filters list (name, sector, status...) and nothing else of them;
partner members see only their own; the list is there, before the map, for a page read without
scripts."""

from __future__ import annotations


def _city(make):
    crew = make.partner(name="Northside Crew", base_latitude=30.5230, base_longitude=-91.1790)
    make.partner(name="Northside Chapel", sector="faith_based")
    make.partner(name="Mid City Menders", base_latitude=30.4480, base_longitude=-91.1560)
    make.partner(name="Waiting Painters", status="pending", sector="business")
    return crew


def test_the_map_data_holds_the_listed_partners_bases_and_nothing_more(browser, make):
    crew = _city(make)
    web = browser(make.user("outreach"))
    every = web.get("/partners/map.geojson").get_json()
    assert len(every["features"]) == 4 and every["truncated"] is False
    named = web.get("/partners/map.geojson?name=NORTHSIDE&sector=nonprofit").get_json()
    (feature,) = named["features"]
    assert feature["id"] == crew.id
    assert feature["geometry"] == {"type": "Point", "coordinates": [-91.179, 30.523]}
    assert feature["properties"] == {
        "title": "Northside Crew",
        "status": "active",
        "capability": "nonprofit",
    }
    pending = web.get("/partners/map.geojson?status=pending").get_json()
    assert [f["properties"]["title"] for f in pending["features"]] == ["Waiting Painters"]
    # An unknown filter value is ignored, as the list ignores it.
    assert len(web.get("/partners/map.geojson?sector=<b>").get_json()["features"]) == 4


def test_a_partner_member_maps_only_its_own_organisation(browser, make):
    crew = _city(make)
    member = browser(make.user("partner", partner=crew))
    features = member.get("/partners/map.geojson").get_json()["features"]
    assert [f["id"] for f in features] == [crew.id]


def test_the_map_data_asks_for_sign_in_as_json(client, make):
    response = client.get("/partners/map.geojson", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.is_json


def test_without_javascript_the_list_comes_first_and_the_map_loads_the_same_filters(browser, make):
    _city(make)
    page = browser(make.user("outreach")).text("/partners/?name=mid+city")
    assert page.index("Mid City Menders") < page.index('id="partner-map"')
    assert 'data-geojson="/partners/map.geojson?name=mid+city"' in page
    assert "Northside Crew" not in page
