"""Partner review shows what a pending organisation does and where, puts Verify first and asks
before archiving."""

from __future__ import annotations


def test_a_pending_organisation_shows_capabilities_and_area_with_verify_before_archive(
    make, browser
):
    pending = make.partner(
        name="New Gardeners",
        status="pending",
        sector="civic_group",
        base_address="100 North St",
        service_neighbourhoods=["Downtown"],
        capabilities=[{"capability": "lot_mowing", "tasks_per_week": 2}],
    )
    page = browser(make.user("coordinator")).text("/review/partners")
    row = page[page.index("New Gardeners") :]
    row = row[: row.index("</tr>")]
    assert "Civic group" in row and "Lot mowing / overgrowth (2 a week)" in row
    assert "100 North St, 3.1 mi around the base; serves Downtown" in row
    assert f'href="/partners/{pending.id}"' in row
    assert row.index(">Verify<") < row.index(">Decline (archive)<")
    archive = row[row.index(f'/review/partners/{pending.id}/archive"') :]
    assert archive[: archive.index(">")].count("data-confirm=") == 1


def test_service_areas_read_in_the_citys_units_on_every_partner_page(
    make, browser, app, monkeypatch
):
    """Review, the directory and the partner's page state a 5 km radius as the city reads
    distances: 3.1 mi, or 5.0 km in a city set to kilometres."""
    partner = make.partner(name="Radius Crew", status="pending", service_radius_km=5.0)
    coordinator = browser(make.user("coordinator"))
    pages = ["/review/partners", "/partners/?status=pending", f"/partners/{partner.id}"]
    for path in pages:
        assert "3.1 mi" in coordinator.text(path), path
    monkeypatch.setitem(app.config, "DISTANCE_UNITS", "km")
    for path in pages:
        text = coordinator.text(path)
        assert "5.0 km" in text and "3.1 mi" not in text, path
