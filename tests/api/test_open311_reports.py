"""Resident apps post Open311 requests with app keys that may only create reports: the same
path as the web form (triage, bounds, media_url kept and never fetched, a rate limit per key),
and GET requests lists accepted reports only."""

from __future__ import annotations

import json

import pytest

from accounts.services import create_api_token
from commonground.extensions import db
from needs.models import Need
from needs.triage import accept_report

BASE = "/open311/v2"
SPOT = {"lat": "30.4515", "long": "-91.1871"}


@pytest.fixture
def app_key(make) -> str:
    coordinator = make.user("coordinator")
    return create_api_token(coordinator.actor, name="Resident app", scope="report")[1]


def _post(client, key: str, **form: str):
    return client.post(f"{BASE}/requests.json", data={"api_key": key, **form})


def _ids(client) -> list[str]:
    body = json.loads(client.get(f"{BASE}/requests.json").data)
    return [r["service_request_id"] for r in body]


def test_an_app_report_waits_for_triage_like_the_web_form_s(client, make, app_key):
    response = _post(
        client, app_key, service_code="illegal_dumping", description="Sofa on the kerb",
        email="app.user@home.example", media_url="https://photos.example/sofa.jpg", **SPOT,
    )  # fmt: skip
    assert response.status_code == 200
    request_id = json.loads(response.data)[0]["service_request_id"]
    need = db.session.get(Need, int(request_id))
    assert (need.status, need.source, need.reporter_notices) == ("reported", "open311", True)
    assert need.media_url == "https://photos.example/sofa.jpg"
    assert request_id not in _ids(client)
    one = json.loads(client.get(f"{BASE}/requests/{request_id}.json").data)[0]
    assert one["status"] == "open" and "awaiting review" in one["status_notes"]
    accept_report(make.user("coordinator").actor, need.id)
    assert request_id in _ids(client)
    page = client.get(f"/reports/{need.id}").get_data(as_text=True)
    assert "https://photos.example/sofa.jpg" in page


def test_an_app_key_may_only_create_requests(client, app_key):
    headers = {"Authorization": f"Bearer {app_key}"}
    assert client.get("/api/v1/needs/", headers=headers).status_code == 403
    assert client.get("/api/v1/partners/", headers=headers).status_code == 403


def test_an_app_report_outside_the_city_is_refused(client, app_key):
    response = _post(client, app_key, service_code="illegal_dumping", lat="48.85", long="2.35")
    assert response.status_code == 400
    assert "outside the city" in json.loads(response.data)[0]["description"]
    assert db.session.query(Need).count() == 0


def test_a_burst_from_one_app_key_is_rate_limited(client, app, app_key):
    app.config["RATELIMIT_OPEN311_POST"] = "3 per minute"
    try:
        codes = [
            _post(client, app_key, service_code="illegal_dumping", **SPOT).status_code
            for _ in range(4)
        ]
    finally:
        app.config["RATELIMIT_OPEN311_POST"] = "120 per minute"
    assert codes == [200, 200, 200, 429]
