"""The capability taxonomy and personal API tokens through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

CAPS = "/api/v1/capabilities/"


def test_everyone_signed_in_reads_the_seeded_taxonomy(api, make):
    viewer = make.user("viewer")
    response = api(viewer.token).get(CAPS)
    assert response.status_code == 200
    codes = {c["code"] for c in response.json}
    assert {
        "litter_cleanup",
        "illegal_dumping",
        "bulk_trash_hauling",
        "lot_mowing",
        "board_up",
        "exterior_repair",
        "graffiti_removal",
        "greening",
        "property_maintenance_help",
        "door_to_door_outreach",
    } <= codes
    mowing = api(viewer.token).get(CAPS + "lot_mowing").json
    assert mowing["label"] == "Lot mowing / overgrowth" and mowing["default_effort_hours"] == 2.5


def test_admins_add_and_change_capabilities_and_others_cannot(api, make):
    admin, coordinator = make.user("admin"), make.user("coordinator")
    entry = {"code": "snow_shovelling", "label": "Snow shovelling", "default_effort_hours": 1}
    assert api(coordinator.token).post(CAPS, json=entry).status_code == 403
    assert api(admin.token).post(CAPS, json=entry).status_code == 201
    assert api(admin.token).post(CAPS, json=entry).status_code == 409
    changed = api(admin.token).patch(CAPS + "snow_shovelling", json={"is_active": False})
    assert changed.json["is_active"] is False
    assert "snow_shovelling" not in {c["code"] for c in api(admin.token).get(CAPS).json}
    assert api(coordinator.token).patch(CAPS + "lot_mowing", json={"label": "x"}).status_code == 403


@pytest.mark.parametrize("code", ["Bad Code", "x", "1abc", "a" * 41, "drop;table"])
def test_capability_codes_are_validated(api, make, code):
    admin = make.user("admin")
    response = api(admin.token).post(CAPS, json={"code": code, "label": "Odd"})
    assert response.status_code == 422 and "code" in response.json["errors"]


def test_a_token_is_shown_once_stored_hashed_and_revocable(api, make, app):
    person = make.user("coordinator")
    client = api(person.token)
    created = client.post("/api/v1/me/tokens", json={"name": "laptop"})
    assert created.status_code == 201
    secret = created.json["token"]
    assert secret.startswith("cg_") and len(secret) > 40
    listed = client.get("/api/v1/me/tokens").json
    assert all("token" not in t for t in listed)
    assert {t["name"] for t in listed} == {"test", "laptop"}
    from accounts.models import ApiToken
    from commonground.extensions import db

    stored = {t.token_hash for t in db.session.query(ApiToken)}
    assert secret not in stored and all(len(h) == 64 for h in stored)
    assert api(secret).get("/api/v1/me").json["email"] == person.user.email
    assert client.delete(f"/api/v1/me/tokens/{created.json['id']}").status_code == 200
    assert api(secret).get("/api/v1/me").status_code == 401


def test_expired_and_unknown_tokens_are_refused(api, make):
    person = make.user("coordinator")
    soon = datetime.now(UTC) + timedelta(seconds=1)
    past = api(person.token).post(
        "/api/v1/me/tokens",
        json={"name": "old", "expires_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 422
    from accounts.services import authenticate_token
    from commonground.errors import AuthenticationError

    made = api(person.token).post(
        "/api/v1/me/tokens", json={"name": "brief", "expires_at": soon.isoformat()}
    )
    with pytest.raises(AuthenticationError):
        authenticate_token(made.json["token"], now=soon + timedelta(seconds=1))
    assert api("cg_not-a-real-token").get("/api/v1/me").status_code == 401


def test_a_token_in_the_query_string_is_not_accepted(client, make):
    person = make.user("coordinator")
    response = client.get(f"/api/v1/me?access_token={person.token}&token={person.token}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_member_cannot_revoke_someone_elses_token(api, make):
    a, b = make.user("coordinator"), make.user("coordinator")
    b_tokens = api(b.token).get("/api/v1/me/tokens").json
    assert api(a.token).delete(f"/api/v1/me/tokens/{b_tokens[0]['id']}").status_code == 404
    assert api(b.token).get("/api/v1/me").status_code == 200
