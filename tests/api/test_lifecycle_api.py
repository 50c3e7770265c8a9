"""A need's journey through claims, work, verification and closure, through the API."""

from __future__ import annotations

import pytest

NEEDS = "/api/v1/needs/"


@pytest.fixture
def team(make):
    """A coordinator, an active partner with a member, and a second partner's member."""
    partner = make.partner()
    other = make.partner()
    return {
        "coordinator": make.user("coordinator"),
        "partner": partner,
        "member": make.user("partner", partner=partner),
        "other_member": make.user("partner", partner=other),
    }


def _do(api, person, need_id, action, body=None):
    return api(person.token).post(f"{NEEDS}{need_id}/{action}", json=body or {})


def test_a_need_goes_from_posted_to_verified_and_history_shows_every_step(api, make, team):
    need = make.need()
    member, coordinator = team["member"], team["coordinator"]
    claim = _do(api, member, need.id, "claim")
    assert claim.status_code == 201
    assert claim.json["partner_id"] == team["partner"].id and claim.json["status"] == "active"
    assert _do(api, member, need.id, "start").json["status"] == "in_progress"
    done = _do(
        api,
        member,
        need.id,
        "complete",
        {
            "volunteers": 6,
            "hours": 12.5,
            "units": 30,
            "unit_kind": "bags",
            "notes": "Cleared the lot.",
        },
    )
    assert done.status_code == 200
    assert done.json["status"] == "completed"
    assert done.json["claim"]["volunteers"] == 6 and done.json["claim"]["units"] == 30
    verified = _do(api, coordinator, need.id, "verify", {"note": "Checked on site."})
    assert verified.json["status"] == "verified" and verified.json["allowed_actions"] == []
    history = api(coordinator.token).get(f"{NEEDS}{need.id}/events").json
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("post", None, "open"),
        ("claim", "open", "claimed"),
        ("start", "claimed", "in_progress"),
        ("complete", "in_progress", "completed"),
        ("verify", "completed", "verified"),
    ]
    assert history[2]["actor_id"] == member.id and history[4]["note"] == "Checked on site."


def test_an_illegal_transition_is_a_409_naming_the_allowed_actions(api, make, team):
    need = make.need()
    response = _do(api, team["coordinator"], need.id, "verify")
    assert response.status_code == 409
    assert response.json["errors"]["allowed"] == [
        "cancel",
        "claim",
        "close_at_source",
        "mark_duplicate",
        "mark_not_actionable",
    ]
    assert "claim" in response.json["message"]


def test_a_second_claim_is_a_409_and_the_first_claim_stands(api, make, team):
    need = make.need()
    assert _do(api, team["member"], need.id, "claim").status_code == 201
    second = _do(api, team["other_member"], need.id, "claim")
    assert second.status_code == 409
    body = api(team["coordinator"].token).get(f"{NEEDS}{need.id}").json
    assert body["claim"]["partner_id"] == team["partner"].id


def test_release_needs_a_reason_and_reopens_the_need(api, make, team):
    need = make.need()
    _do(api, team["member"], need.id, "claim")
    assert _do(api, team["member"], need.id, "release", {"reason": ""}).status_code == 422
    released = _do(api, team["member"], need.id, "release", {"reason": "Truck broke down"})
    assert released.status_code == 200
    assert released.json["status"] == "open" and released.json["claim"] is None
    history = api(team["coordinator"].token).get(f"{NEEDS}{need.id}/events").json
    assert history[-1]["action"] == "release" and history[-1]["note"] == "Truck broke down"
    # Someone else may now claim it.
    assert _do(api, team["other_member"], need.id, "claim").status_code == 201


def test_another_partner_cannot_start_complete_or_release_my_claim(api, make, team):
    need = make.need()
    _do(api, team["member"], need.id, "claim")
    for action, body in (("start", None), ("release", {"reason": "mine now"})):
        response = _do(api, team["other_member"], need.id, action, body)
        assert response.status_code == 403, action
    assert api(team["coordinator"].token).get(f"{NEEDS}{need.id}").json["status"] == "claimed"


def test_a_coordinator_reopens_a_completion_closed_not_fixed(api, make, team):
    need = make.need()
    for action in ("claim", "start"):
        _do(api, team["member"], need.id, action)
    _do(api, team["member"], need.id, "complete", {"volunteers": 2, "notes": "done"})
    assert _do(api, team["coordinator"], need.id, "reopen", {}).status_code == 422
    reopened = _do(
        api,
        team["coordinator"],
        need.id,
        "reopen",
        {"reason": "Closed, not fixed: trash still there"},
    )
    assert reopened.json["status"] == "open"
    assert reopened.json["claim"] is None


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("cancel", "cancelled"),
        ("mark-duplicate", "duplicate"),
        ("mark-not-actionable", "not_actionable"),
    ],
)
def test_a_coordinator_closes_an_open_need_with_a_reason(api, make, team, path, status):
    need = make.need()
    assert _do(api, team["coordinator"], need.id, path, {}).status_code == 422
    response = _do(api, team["coordinator"], need.id, path, {"reason": "Not ours"})
    assert response.status_code == 200 and response.json["status"] == status


def test_mark_duplicate_links_the_original(api, make, team):
    original, copy = make.need(), make.need()
    response = _do(
        api,
        team["coordinator"],
        copy.id,
        "mark-duplicate",
        {"reason": "Same lot", "duplicate_of": original.id},
    )
    assert response.json["duplicate_of_id"] == original.id
    itself = _do(
        api,
        team["coordinator"],
        original.id,
        "mark-duplicate",
        {"reason": "x", "duplicate_of": original.id},
    )
    assert itself.status_code == 422


def test_a_paused_partner_cannot_claim(api, make):
    partner = make.partner(status="paused")
    member = make.user("partner", partner=partner)
    need = make.need()
    response = _do(api, member, need.id, "claim")
    assert response.status_code == 409 and "paused" in response.json["message"]


def test_a_partner_without_the_capability_cannot_claim(api, make):
    partner = make.partner(capabilities=[{"capability": "lot_mowing", "tasks_per_week": 5}])
    member = make.user("partner", partner=partner)
    need = make.need(capability="board_up")
    response = _do(api, member, need.id, "claim")
    assert response.status_code == 409 and "board_up" in response.json["message"]


def test_a_partner_over_its_weekly_capacity_cannot_claim(api, make):
    partner = make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 2}])
    member = make.user("partner", partner=partner)
    needs = [make.need() for _ in range(3)]
    assert _do(api, member, needs[0].id, "claim").status_code == 201
    assert _do(api, member, needs[1].id, "claim").status_code == 201
    third = _do(api, member, needs[2].id, "claim")
    assert third.status_code == 409
    assert "2 of 2 weekly tasks" in third.json["message"]
    # Releasing gives the slot back.
    _do(api, member, needs[0].id, "release", {"reason": "no time"})
    assert _do(api, member, needs[2].id, "claim").status_code == 201


@pytest.mark.parametrize("role", ["coordinator", "outreach", "viewer", "admin"])
def test_only_partner_members_claim(api, make, role):
    person = make.user(role)
    need = make.need()
    assert _do(api, person, need.id, "claim").status_code == 403


@pytest.mark.parametrize("role", ["outreach", "viewer"])
def test_outreach_and_viewers_cannot_verify_or_cancel(api, make, team, role):
    person = make.user(role)
    need = make.need()
    assert _do(api, person, need.id, "cancel", {"reason": "x"}).status_code == 403
    for action in ("claim", "start", "complete"):
        _do(api, team["member"], need.id, action, {"volunteers": 1})
    assert _do(api, person, need.id, "verify").status_code == 403
