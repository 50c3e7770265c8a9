"""The public map and list of reports: drawn without tiles from the city's own neighbourhoods,
filterable by kind and neighbourhood, each report linking to its status page; waiting,
closed and staff-only reports are not on it. The open-data map is the same kind of map."""

from __future__ import annotations

from capabilities.models import Capability
from commonground.extensions import db
from geo.outlines import neighbourhood_outlines
from needs.triage import accept_report


def test_the_map_lists_accepted_reports_with_links_and_draws_the_neighbourhoods(
    make, pages, app, monkeypatch
):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "")
    coordinator = make.user("coordinator")
    shown = make.report()
    accept_report(coordinator.actor, shown.id)
    waiting = make.report()
    page = pages(None).text("/reports")
    assert f'href="/reports/{shown.id}"' in page
    assert f"/reports/{waiting.id}" not in page
    assert 'class="outline"' in page and ">Downtown</text>" in page
    assert "tile" not in page.lower()


def test_where_tiles_are_configured_a_tiled_map_replaces_the_drawing_for_scripts(
    make, pages, app, monkeypatch
):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://tiles.city.example/{z}/{x}/{y}.png")
    need = make.need(capability="illegal_dumping")
    resident = pages(None)
    page = resident.text("/reports?kind=illegal_dumping")
    assert 'id="reports-map"' in page and "tiles.city.example" in page
    assert 'class="city-map js-replaced"' in page  # the drawing stays for people without JS
    body = resident.get("/reports.geojson?kind=illegal_dumping").get_json()
    assert [f["id"] for f in body["features"]] == [need.id]
    assert set(body["features"][0]["properties"]) == {"title", "status", "capability"}


def test_filters_by_kind_and_neighbourhood(make, pages):
    dumping = make.need(capability="illegal_dumping")
    litter = make.need(capability="litter_cleanup")
    resident = pages(None)
    page = resident.text("/reports?kind=illegal_dumping")
    assert f'href="/reports/{dumping.id}"' in page and f'href="/reports/{litter.id}"' not in page
    page = resident.text("/reports?neighbourhood=Garden+District")
    assert f'href="/reports/{dumping.id}"' not in page


def test_staff_only_kinds_stay_off_the_public_map_and_status_pages(make, pages):
    need = make.need(capability="board_up")
    db.session.get(Capability, "board_up").is_public = False
    db.session.commit()
    resident = pages(None)
    assert f"/reports/{need.id}" not in resident.text("/reports")
    assert resident.get(f"/reports/{need.id}").status_code == 404


def test_the_open_data_map_is_the_same_city_map(make, pages):
    resident = pages(None)
    page = resident.text(resident.get("/open-data/").headers["Location"])
    assert page.count('class="outline"') > 3 and ">Downtown</text>" in page


def test_outlines_cover_the_city_without_overlap():
    centres = [("West", 0.0, -1.0), ("East", 0.0, 1.0), ("North", 1.0, 0.0)]
    outlines = dict(neighbourhood_outlines(centres, (-2.0, -2.0, 2.0, 2.0)))
    assert set(outlines) == {"West", "East", "North"}
    assert all(lon <= 1e-9 for lat, lon in outlines["West"])
    assert all(lon >= -1e-9 for lat, lon in outlines["East"])
