"""A coordinator imports a file nobody here prepared from the upload page: says which column is
which, previews the first rows as needs (nothing stored), then imports the kept file."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from commonground.extensions import db
from needs.models import Need
from tests.jobs import finish_job

NOTICES = Path(__file__).resolve().parents[1] / "data" / "realfiles" / "vacant_building_notices.csv"
MAPPING = {
    "column-external_id": "blockLot",
    "column-parcel_id": "blockLot",
    "column-address": "fullAddress",
    "column-opened_at": "noticeDate",
    "location_column": "Location 1",
    "set-category": "board_up",
    "no_geocode": "1",
    "source": "vacant",
}


def test_the_page_previews_the_mapped_file_then_imports_the_kept_copy(make, pages):
    coordinator = make.user("coordinator")
    page = pages(coordinator)
    assert "Which column is which" in page.text("/imports/")
    with NOTICES.open("rb") as handle:
        preview = page.post("/imports/", {**MAPPING, "action": "preview",
                                          "file": (handle, "notices.csv")},
                            content_type="multipart/form-data")  # fmt: skip
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "Preview of notices.csv (nothing stored)" in html
    assert "Columns not used: noticeNum, policeDistrict, councilDistrict" in html
    assert "Board-up of vacant structures at 1700 N CAROLINE ST" in html
    assert "39.30950, -76.59770" in html
    assert db.session.scalar(select(func.count(Need.id))) == 0
    token = re.search(r'name="upload_token" value="([^"]+)"', html).group(1)
    done = page.post("/imports/", {**MAPPING, "action": "import", "upload_token": token,
                                   "filename": "notices.csv"})  # fmt: skip
    finish_job(page, done)  # the import runs as a job; its page shows the report
    report = page.text(done.headers["Location"])
    assert "6 new, 0 updated" in report and "Columns not used: noticeNum" in report
    assert db.session.scalar(select(func.count(Need.id))) == 6
    assert not list((Path(current_app.instance_path) / "uploads").glob(f"*-{token}"))


def test_a_token_of_someone_else_or_no_file_is_a_form_error(make, pages):
    page = pages(make.user("coordinator"))
    response = page.post("/imports/", {"action": "preview", "upload_token": "x" * 24})
    assert response.status_code == 422
    assert "Choose a CSV or GeoJSON file." in response.get_data(as_text=True)


def test_a_need_s_page_shows_its_zip_code_and_photo_link_without_loading_it(make, pages):
    need = make.need(capability="litter_cleanup")
    need.zip_code = "70805"
    need.media_url = "https://photos.example.org/1.jpg"
    db.session.commit()
    html = pages(make.user("coordinator")).text(f"/needs/{need.id}")
    assert "<dd>70805</dd>" in html
    assert 'href="https://photos.example.org/1.jpg" rel="noopener noreferrer nofollow"' in html
    assert '<img src="https://photos.example.org' not in html
