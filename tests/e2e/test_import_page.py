"""A coordinator imports a city's vacant-building notices in a real browser: the upload page
offers the column mapping, previews the first rows as needs, then imports the kept file as a
job whose page shows the report when the worker is done."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from commonground.extensions import db
from needs.models import Need

NOTICES = Path(__file__).resolve().parents[1] / "data" / "realfiles" / "vacant_building_notices.csv"


def test_coordinator_maps_previews_and_imports_a_file_nobody_prepared(make, visitor, worker):
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor()
    tab.sign_in(coordinator.user.email)
    page = tab.page
    tab.go("/imports/")
    page.get_by_label("File", exact=True).set_input_files(str(NOTICES))
    page.get_by_label("Source", exact=True).fill("vacant")
    page.get_by_label("external id").fill("blockLot")
    page.get_by_label("parcel id").fill("blockLot")
    page.get_by_label("address", exact=True).fill("fullAddress")
    page.get_by_label("opened at").fill("noticeDate")
    page.get_by_label("One column holding the point").fill("Location 1")
    page.get_by_label("Every row's capability").select_option("board_up")
    page.get_by_label("Leave rows without a point pending (no geocoding)").check()
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#preview-table")
    tab.screenshot("coordinator-import-preview")
    assert "nothing stored" in page.locator("#result-heading").inner_text()
    unused = page.locator("#unused-columns").inner_text()
    assert unused == "Columns not used: noticeNum, policeDistrict, councilDistrict"
    first = page.locator("#preview-table tbody tr").first.inner_text()
    assert "Board-up of vacant structures at 1700 N CAROLINE ST" in first
    assert "39.30950, -76.59770" in first
    db.session.rollback()
    assert db.session.scalar(select(func.count(Need.id))) == 0
    db.session.rollback()  # SQLite: this thread's transaction would hold the server's write
    worker.start()
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))  # the import runs as a job; its page reloads
    page.wait_for_selector("#import-counts", timeout=30000)
    assert "6 new, 0 updated" in page.locator("#import-counts").inner_text()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Need.id))) == 6
    assert tab.unexpected_errors() == []
