"""A resident's report the city has not accepted (waiting for triage, or dismissed) is read only
by staff who triage reports: its words and photos are the resident's, unscreened. Partners,
outreach and viewers do not find it by id, in lists, on the map or in exports, through the API
or the pages; once accepted it is a need like any other."""

from __future__ import annotations

import csv
import io

import pytest

from accounts.actor import Actor
from accounts.roles import Role
from needs.triage import accept_report, dismiss_report

TRIAGE = Actor(user_id=None, role=Role.COORDINATOR, label="triage")


@pytest.fixture
def reports(make):
    waiting = make.report(description="My neighbour's name is on the bins (waiting).")
    dismissed = make.report(description="Dismissed report, unscreened words.")
    dismiss_report(TRIAGE, dismissed.id, "Private land: the owner was told.")
    posted = make.need(title="Posted by the city")
    return {"waiting": waiting, "dismissed": dismissed, "posted": posted}


def _ids_in_csv(body: str) -> set[int]:
    return {int(row["id"]) for row in csv.DictReader(io.StringIO(body))}


@pytest.mark.parametrize("role", ["partner", "outreach", "viewer"])
def test_others_do_not_find_a_report_the_city_has_not_accepted(api, browser, make, reports, role):
    person = make.user(role, partner=make.partner() if role == "partner" else None)
    client = api(person.token)
    hidden = [reports["waiting"].id, reports["dismissed"].id]
    for need_id in hidden:
        answer = client.get(f"/api/v1/needs/{need_id}")
        assert answer.status_code == 404 and answer.json["message"] == f"No need with id {need_id}."
        assert client.get(f"/api/v1/needs/{need_id}/history").status_code == 404
    listed = {n["id"] for n in client.get("/api/v1/needs/?page_size=100").json}
    assert listed == {reports["posted"].id}
    asked = client.get("/api/v1/needs/?status=reported&status=not_actionable").json
    assert asked == []
    assert _ids_in_csv(client.get("/api/v1/needs/export.csv").get_data(as_text=True)) == {
        reports["posted"].id
    }
    pages = browser(person)
    for need_id in hidden:
        assert pages.get(f"/needs/{need_id}").status_code == 404
    assert "bins" not in pages.text("/needs/?status=reported")
    features = pages.get("/map/needs.geojson").get_json()["features"]
    assert {f["id"] for f in features} == {reports["posted"].id}
    assert _ids_in_csv(pages.get("/map/export.csv").get_data(as_text=True)) == {
        reports["posted"].id
    }


def test_staff_who_triage_read_reports_and_others_read_them_once_accepted(api, make, reports):
    coordinator = api(make.user("coordinator").token)
    listed = {n["id"] for n in coordinator.get("/api/v1/needs/?page_size=100").json}
    assert listed == {reports["waiting"].id, reports["dismissed"].id, reports["posted"].id}
    assert coordinator.get(f"/api/v1/needs/{reports['waiting'].id}").status_code == 200
    viewer = api(make.user("viewer").token)
    accept_report(TRIAGE, reports["waiting"].id)
    answer = viewer.get(f"/api/v1/needs/{reports['waiting'].id}")
    assert answer.status_code == 200 and answer.json["status"] == "open"
