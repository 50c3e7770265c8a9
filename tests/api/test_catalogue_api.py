"""The city resources catalogue through the API: coordinators edit it as data, everyone reads
the offered entries, withdrawn ones are hidden from readers."""

from __future__ import annotations

import pytest

ENTRY = {
    "title": "Roll-off dumpster",
    "description": "A 20-yard roll-off for a cleanup day.",
    "who_qualifies": "Registered partners.",
    "how_to_request": "Call 311.",
    "lead_time_days": 14,
    "capabilities": ["illegal_dumping", "bulk_trash_hauling"],
}


@pytest.fixture
def people(make):
    partner = make.partner()
    return {
        "coordinator": make.user("coordinator"),
        "outreach": make.user("outreach"),
        "member": make.user("partner", partner=partner),
    }


def test_a_coordinator_adds_changes_withdraws_and_removes_a_resource(api, people):
    client = api(people["coordinator"].token)
    made = client.post("/api/v1/catalogue/", json=ENTRY)
    assert made.status_code == 201
    entry = made.json
    assert entry["capabilities"] == ["bulk_trash_hauling", "illegal_dumping"]
    assert entry["capability_labels"] == ["Bulk trash hauling", "Illegal dumping removal"]
    changed = client.patch(f"/api/v1/catalogue/{entry['id']}", json={"lead_time_days": 10})
    assert changed.status_code == 200 and changed.json["lead_time_days"] == 10
    withdrawn = client.patch(f"/api/v1/catalogue/{entry['id']}", json={"is_active": False})
    assert withdrawn.json["is_active"] is False
    reader = api(people["member"].token)
    assert reader.get("/api/v1/catalogue/").json == []
    assert reader.get(f"/api/v1/catalogue/{entry['id']}").status_code == 404
    listed = client.get("/api/v1/catalogue/?include_inactive=true").json
    assert [e["id"] for e in listed] == [entry["id"]]
    assert client.delete(f"/api/v1/catalogue/{entry['id']}").status_code == 204
    assert client.get(f"/api/v1/catalogue/{entry['id']}").status_code == 404


def test_everyone_reads_the_offered_resources(api, people):
    api(people["coordinator"].token).post("/api/v1/catalogue/", json=ENTRY)
    listed = api(people["member"].token).get("/api/v1/catalogue/")
    assert listed.status_code == 200 and [e["title"] for e in listed.json] == ["Roll-off dumpster"]


@pytest.mark.parametrize("role", ["outreach", "member"])
def test_only_coordinators_and_admins_edit_the_catalogue(api, people, role):
    assert api(people[role].token).post("/api/v1/catalogue/", json=ENTRY).status_code == 403


def test_titles_are_unique_and_capabilities_must_exist(api, people):
    client = api(people["coordinator"].token)
    assert client.post("/api/v1/catalogue/", json=ENTRY).status_code == 201
    again = client.post("/api/v1/catalogue/", json=ENTRY)
    assert again.status_code == 409 and "title" in again.json["errors"]
    unknown = client.post("/api/v1/catalogue/", json={"title": "X", "capabilities": ["juggling"]})
    assert unknown.status_code == 422 and "capabilities" in unknown.json["errors"]
    nul = client.post("/api/v1/catalogue/", json={"title": "bad\x00title"})
    assert nul.status_code == 422
