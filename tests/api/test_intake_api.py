"""Coordinators upload 311 files through the API (imported as a job, its report in the job's
result) and settle probable duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import current_app

from tests.jobs import finish_api_job, run_queued_jobs

BOSTON = Path(__file__).resolve().parents[1] / "data" / "boston311"


@pytest.fixture
def coordinator(make):
    return make.user("coordinator")


def upload(api, token, name, **form):
    with (BOSTON / name).open("rb") as handle:
        data = {"file": (handle, name), **form}
        return api(token).client.post(
            "/api/v1/imports",
            data=data,
            headers=api(token).headers,
            content_type="multipart/form-data",
        )


def imported(api, token, response) -> dict:
    """Run the import job the upload started, as a worker would; its report."""
    return finish_api_job(api(token), response)["result"]["import"]


def test_a_coordinator_uploads_a_boston_export(api, coordinator):
    response = upload(api, coordinator.token, "boston311_2015_trash_on_vacant_lot.csv")
    report = imported(api, coordinator.token, response)
    assert (report["rows_read"], report["created"], report["rows_rejected"]) == (381, 376, 5)
    assert report["preset"] == "boston311"
    assert [e["line"] for e in report["row_errors"]] == [3, 7, 128, 171, 243]
    again = upload(api, coordinator.token, "boston311_2015_trash_on_vacant_lot.csv")
    report = imported(api, coordinator.token, again)
    assert (report["created"], report["unchanged"]) == (0, 376)


def test_a_viewer_cannot_import(api, make):
    viewer = make.user("viewer")
    response = upload(api, viewer.token, "boston311_2015_illegal_dumping.csv")
    assert response.status_code == 403


def test_an_upload_without_a_file_is_a_422(api, coordinator):
    response = api(coordinator.token).client.post(
        "/api/v1/imports", data={"source": "311"}, headers=api(coordinator.token).headers
    )
    assert response.status_code == 422
    assert "file" in response.json["errors"]


def test_probable_duplicates_are_listed_and_separated(api, make, coordinator, tmp_path):
    first = make.need(capability="illegal_dumping", latitude=30.45, longitude=-91.18)
    survey = tmp_path / "survey.csv"
    survey.write_text("id,type,title,lat,lng\nS-1,Illegal Dumping,Tyres again,30.45001,-91.18\n")
    with survey.open("rb") as handle:
        imported = api(coordinator.token).client.post(
            "/api/v1/imports",
            data={"file": (handle, "survey.csv"), "source": "blight_survey"},
            headers=api(coordinator.token).headers,
            content_type="multipart/form-data",
        )
    assert (
        finish_api_job(api(coordinator.token), imported)["result"]["import"]["probable_duplicates"]
        == 1
    )
    listed = api(coordinator.token).get("/api/v1/needs/probable-duplicates")
    (second,) = listed.json
    assert second["duplicate_of_id"] == first.id
    assert second["source"] == "blight_survey"
    separated = api(coordinator.token).post(
        f"/api/v1/needs/{second['id']}/separate", json={"note": "Two different sofas."}
    )
    assert separated.status_code == 200
    assert separated.json["duplicate_of_id"] is None
    again = api(coordinator.token).post(f"/api/v1/needs/{second['id']}/separate", json={})
    assert again.status_code == 409
    viewer = make.user("viewer")
    assert api(viewer.token).get("/api/v1/needs/probable-duplicates").status_code == 403


def upload_file(api, coordinator, path, **form):
    with path.open("rb") as handle:
        return api(coordinator.token).client.post(
            "/api/v1/imports",
            data={"file": (handle, path.name), **form},
            headers=api(coordinator.token).headers,
            content_type="multipart/form-data",
        )


NOTICES_OPTIONS = {
    "columns": {
        "external_id": "blockLot",
        "parcel_id": "blockLot",
        "address": "fullAddress",
        "opened_at": "noticeDate",
    },
    "set": {"category": "board_up"},
    "location_column": "Location 1",
    "geocode": False,
}
REAL = Path(__file__).resolve().parents[1] / "data" / "realfiles"


def test_an_upload_takes_the_mapping_as_json_options_and_previews_a_dry_run(api, coordinator):
    notices = REAL / "vacant_building_notices.csv"
    options = json.dumps(NOTICES_OPTIONS)
    dry = upload_file(api, coordinator, notices, source="vacant", options=options, dry_run="true")
    assert dry.status_code == 200, dry.json  # a preview is answered at once, not queued
    assert dry.json["dry_run"] is True
    assert dry.json["created"] == 6
    assert dry.json["unused_columns"] == ["noticeNum", "policeDistrict", "councilDistrict"]
    assert dry.json["preview"][0]["latitude"] == 39.3095
    listed = api(coordinator.token).get("/api/v1/needs/")
    assert listed.json == []
    done = imported(api, coordinator.token, upload_file(api, coordinator, notices,
                    source="vacant", options=options, save_profile="vacant_notices"))  # fmt: skip
    assert (done["created"], done["probable_duplicates"]) == (6, 0)
    again = imported(
        api, coordinator.token, upload_file(api, coordinator, notices, profile="vacant_notices")
    )
    assert (again["source"], again["updated"], again["unchanged"]) == (
        "vacant",
        0,
        6,
    )


def test_bad_json_options_are_a_422_naming_options(api, coordinator):
    notices = REAL / "vacant_building_notices.csv"
    for bad in ("{", "[1]", '{"colums": {}}', "[" * 5000):
        response = upload_file(api, coordinator, notices, options=bad)
        assert response.status_code == 422, bad
        assert "options" in response.json["errors"]
    assert api(coordinator.token).get("/api/v1/jobs/?kind=import_file").json == []


def test_probable_duplicates_are_paged_with_a_total(api, make, coordinator, tmp_path):
    for n in range(3):
        make.need(capability="illegal_dumping", latitude=30.45 + n / 100, longitude=-91.18)
    survey = tmp_path / "survey.csv"
    rows = "".join(f"S-{n},Illegal Dumping,Again,{30.45 + n / 100 + 0.00001},-91.18\n"
                   for n in range(3))  # fmt: skip
    survey.write_text("id,type,title,lat,lng\n" + rows)
    uploaded = upload_file(api, coordinator, survey, source="survey")
    report = imported(api, coordinator.token, uploaded)
    assert report["probable_duplicates"] == 3
    page = api(coordinator.token).get("/api/v1/needs/probable-duplicates?page=2&page_size=2")
    assert len(page.json) == 1
    assert json.loads(page.headers["X-Pagination"])["total"] == 3


def kept_uploads(person) -> list[Path]:
    """The files kept for `person`'s imports under the instance folder."""
    return list((Path(current_app.instance_path) / "uploads").glob(f"{person.user.id}-*"))


MIXED = (
    "id,type,title,lat,lng\n"
    "M-1,Illegal Dumping,Sofa on the kerb,30.45,-91.18\n"
    "M-2,Illegal Dumping,No place,not-a-number,-91.18\n"
    "M-3,Illegal Dumping,Tyres,30.46,-91.17\n"
    ",Illegal Dumping,Without an id,30.47,-91.16\n"
    "M-5,Illegal Dumping,Mattress,30.48,-91.15\n"
)


def test_an_api_import_job_reports_each_bad_row_by_line_and_keeps_the_good_ones(
    api, coordinator, tmp_path
):
    survey = tmp_path / "mixed.csv"
    survey.write_text(MIXED)
    response = upload_file(api, coordinator, survey, source="survey")
    assert response.status_code == 202, response.json
    assert response.headers["Location"] == response.json["url"]
    assert response.json["kind"] == "import_file"
    job = finish_api_job(api(coordinator.token), response)
    report = job["result"]["import"]
    assert (report["rows_read"], report["created"], report["rows_rejected"]) == (5, 3, 2)
    assert sorted({e["line"] for e in report["row_errors"]}) == [3, 5]
    assert all(e["reason"] for e in report["row_errors"])
    assert job["result_url"] == "/api/v1/needs/"
    kept = {n["external_id"] for n in api(coordinator.token).get("/api/v1/needs/").json}
    assert kept == {"M-1", "M-3", "M-5"}
    assert kept_uploads(coordinator) == []


def test_a_refused_option_is_an_immediate_422_and_starts_no_job(api, coordinator, tmp_path):
    survey = tmp_path / "mixed.csv"
    survey.write_text(MIXED)
    options = json.dumps({"columns": {"title": "title"}, "duplicate_radius_m": -5})
    refused = upload_file(api, coordinator, survey, source="survey", options=options)
    assert refused.status_code == 422, refused.json
    assert refused.json["message"]
    unknown = upload_file(api, coordinator, survey, profile="no_such_profile")
    assert unknown.status_code in (404, 422), unknown.json
    assert run_queued_jobs(current_app) == 0
    assert api(coordinator.token).get("/api/v1/jobs/?kind=import_file").json == []
    assert api(coordinator.token).get("/api/v1/needs/").json == []
    assert kept_uploads(coordinator) == []


def test_only_those_who_may_import_read_an_import_job(api, make, coordinator, tmp_path):
    survey = tmp_path / "mixed.csv"
    survey.write_text(MIXED)
    started = upload_file(api, coordinator, survey, source="survey")
    location = started.headers["Location"]
    finish_api_job(api(coordinator.token), started)
    partner = make.partner()
    for other in (make.user("partner", partner=partner), make.user("outreach"),
                  make.user("viewer")):  # fmt: skip
        role = other.user.role
        assert api(other.token).get(location).status_code == 403, role
        listed = api(other.token).get("/api/v1/jobs/?kind=import_file")
        assert listed.json == [], role
    colleague = make.user("coordinator")
    assert api(colleague.token).get(location).json["status"] == "succeeded"
