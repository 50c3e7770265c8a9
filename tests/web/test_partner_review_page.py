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
    assert "100 North St, 5.0 km around the base; serves Downtown" in row
    assert f'href="/partners/{pending.id}"' in row
    assert row.index(">Verify<") < row.index(">Decline (archive)<")
    archive = row[row.index(f'/review/partners/{pending.id}/archive"') :]
    assert archive[: archive.index(">")].count("data-confirm=") == 1
