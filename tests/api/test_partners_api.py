"""The partner registry through the API: registration, status, profiles and who sees what."""

from __future__ import annotations

import pytest

PARTNERS = "/api/v1/partners/"
NEW_PARTNER = {
    "name": "Eastside Mowers",
    "sector": "business",
    "description": "We mow.",
    "contact_name": "Mo",
    "contact_email": "mo@eastside.example",
    "contact_phone": "225-555-0111",
    "base_latitude": 30.45,
    "base_longitude": -91.15,
    "service_radius_km": 6,
    "website": "https://eastside.example",
    "capabilities": [
        {
            "capability": "lot_mowing",
            "tasks_per_week": 4,
            "volunteer_hours_per_week": 12,
            "equipment": "2 riding mowers",
        }
    ],
}


def test_a_coordinator_registers_a_partner_which_starts_pending(api, make):
    coordinator = make.user("coordinator")
    response = api(coordinator.token).post(PARTNERS, json=NEW_PARTNER)
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "pending"
    assert body["capabilities"] == [
        {
            "capability": "lot_mowing",
            "tasks_per_week": 4,
            "volunteer_hours_per_week": 12.0,
            "equipment": "2 riding mowers",
        }
    ]
    assert body["contact_email"] == "mo@eastside.example"


def _without_point(**fields):
    body = {k: v for k, v in NEW_PARTNER.items() if k not in ("base_latitude", "base_longitude")}
    return {**body, **fields}


def test_a_partner_may_be_registered_by_its_base_address_alone(api, make):
    client = api(make.user("coordinator").token)
    # 1000 North St is an address point of the city's (offline) geocoder.
    response = client.post(PARTNERS, json=_without_point(base_address="1000 North St"))
    assert response.status_code == 201, response.json
    assert (response.json["base_latitude"], response.json["base_longitude"]) == (
        30.450746,
        -91.191144,
    )


def test_a_partner_without_a_place_is_a_422_naming_the_address(api, make):
    client = api(make.user("coordinator").token)
    unknown = client.post(PARTNERS, json=_without_point(base_address="9 Nowhere Elm"))
    assert unknown.status_code == 422 and "base_address" in unknown.json["errors"]
    nothing = client.post(PARTNERS, json=_without_point())
    assert nothing.status_code == 422 and "base_address" in nothing.json["errors"]
    half = client.post(PARTNERS, json=_without_point(base_latitude=30.45))
    assert half.status_code == 422 and "base_longitude" in half.json["errors"]


def test_partner_status_moves_through_verify_pause_resume_archive(api, make):
    coordinator = make.user("coordinator")
    partner = make.partner(status="pending")
    client = api(coordinator.token)
    path = f"{PARTNERS}{partner.id}/status"
    assert client.post(path, json={"action": "pause"}).status_code == 409
    for action, status in (
        ("verify", "active"),
        ("pause", "paused"),
        ("resume", "active"),
        ("archive", "archived"),
    ):
        response = client.post(path, json={"action": action})
        assert response.status_code == 200 and response.json["status"] == status
    refused = client.post(path, json={"action": "verify"})
    assert refused.status_code == 409 and refused.json["errors"]["allowed"] == []


def test_names_are_unique_regardless_of_case(api, make):
    coordinator = make.user("coordinator")
    assert api(coordinator.token).post(PARTNERS, json=NEW_PARTNER).status_code == 201
    again = api(coordinator.token).post(PARTNERS, json={**NEW_PARTNER, "name": "EASTSIDE MOWERS"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("website", "javascript:alert(1)"),
        ("sector", "cartel"),
        ("base_latitude", 95),
        ("service_radius_km", 0),
        ("name", "A\x00B"),
        ("status", "active"),
        ("id", 7),
        ("contact_email", "not-an-email"),
    ],
)
def test_bad_partner_input_is_a_422_naming_the_field(api, make, field, value):
    coordinator = make.user("coordinator")
    response = api(coordinator.token).post(PARTNERS, json={**NEW_PARTNER, field: value})
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_an_unknown_capability_in_a_profile_is_a_422(api, make):
    coordinator = make.user("coordinator")
    body = {**NEW_PARTNER, "capabilities": [{"capability": "alchemy"}]}
    response = api(coordinator.token).post(PARTNERS, json=body)
    assert response.status_code == 422 and "capabilities" in response.json["errors"]


def test_a_member_sees_and_edits_only_their_own_organisation(api, make):
    mine, theirs = make.partner(), make.partner()
    member = make.user("partner", partner=mine)
    client = api(member.token)
    assert [p["id"] for p in client.get(PARTNERS).json] == [mine.id]
    assert client.get(f"{PARTNERS}{theirs.id}").status_code == 404
    edit = client.patch(
        f"{PARTNERS}{mine.id}", json={"description": "We do more now", "service_radius_km": 7}
    )
    assert edit.status_code == 200 and edit.json["service_radius_km"] == 7
    assert (
        client.patch(f"{PARTNERS}{theirs.id}", json={"description": "hijacked"}).status_code == 404
    )
    assert client.patch(f"{PARTNERS}{mine.id}", json={"name": "Renamed"}).status_code == 403
    assert client.post(f"{PARTNERS}{mine.id}/status", json={"action": "pause"}).status_code == 403


def test_viewers_see_partners_without_contact_details(api, make):
    partner = make.partner()
    viewer = make.user("viewer")
    body = api(viewer.token).get(f"{PARTNERS}{partner.id}").json
    assert body["name"] == partner.name
    assert body["contact_email"] is None and body["contact_phone"] is None
    assert body["contacts_redacted"] is True
    outreach = make.user("outreach")
    assert api(outreach.token).get(f"{PARTNERS}{partner.id}").json["contact_email"]


def test_partner_list_filters(api, make):
    coordinator = make.user("coordinator")
    mower = make.partner(
        sector="business",
        capabilities=[{"capability": "lot_mowing", "tasks_per_week": 2}],
        service_neighbourhoods=["Mid City"],
    )
    make.partner(status="pending")
    client = api(coordinator.token)
    assert [p["id"] for p in client.get(PARTNERS + "?capability=lot_mowing").json] == [mower.id]
    assert [p["id"] for p in client.get(PARTNERS + "?sector=business").json] == [mower.id]
    assert [p["id"] for p in client.get(PARTNERS + "?neighbourhood=Mid%20City").json] == [mower.id]
    assert len(client.get(PARTNERS + "?status=pending").json) == 1


def test_capabilities_are_replaced_as_a_whole_on_update(api, make):
    coordinator = make.user("coordinator")
    partner = make.partner()
    response = api(coordinator.token).patch(
        f"{PARTNERS}{partner.id}",
        json={"capabilities": [{"capability": "greening", "tasks_per_week": 1}]},
    )
    assert [c["capability"] for c in response.json["capabilities"]] == ["greening"]
    twice = api(coordinator.token).patch(
        f"{PARTNERS}{partner.id}",
        json={"capabilities": [{"capability": "greening"}, {"capability": "greening"}]},
    )
    assert twice.status_code == 409
