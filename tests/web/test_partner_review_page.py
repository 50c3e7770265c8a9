"""Partner review shows what a pending organisation does and where, puts Verify first and asks
before archiving."""

from __future__ import annotations

import re

from web.partner_review import PAGE_SIZE


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


def test_review_lists_waiting_organisations_first_a_page_at_a_time(make, browser):
    waiting = [make.partner(name=f"Waiting {n}", status="pending") for n in range(2)]
    for n in range(PAGE_SIZE + 3):
        make.partner(name=f"Active {n:02d}")
    make.partner(name="Archived Crew", status="archived")
    reviewer = browser(make.user("coordinator"))
    first = reviewer.text("/review/partners")
    names = re.findall(r"<td>\s*<strong>([^<]+)</strong>", first)
    assert len(names) == PAGE_SIZE and names[:2] == ["Waiting 1", "Waiting 0"]
    assert f"{PAGE_SIZE + 5} organisations" in first and "Archived Crew" not in first
    assert 'href="/review/partners?page=2" rel="next"' in first
    second = re.findall(
        r"<td>\s*<strong>([^<]+)</strong>", reviewer.text("/review/partners?page=2")
    )
    assert len(second) == 5 and not set(second) & set(names)
    assert f'/review/partners/{waiting[0].id}/verify"' in first
