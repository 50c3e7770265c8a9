"""The calls of the mixed load (issue 14, item 7) answer what they answered before they were made
cheaper: the need list and one need give the JSON marshmallow's own dump of `present_need` gives
over a city of needs in every state; a token costs one query and is refused the moment it is
revoked or its user deactivated; its `last_used_at` is written at most once a minute."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from marshmallow import Schema

from accounts.models import ApiToken
from accounts.services import LAST_USED_EVERY, authenticate_token
from api.needs import NeedSchema
from commonground.extensions import db
from needs.models import Need
from needs.presenters import present_need
from needs.services import (
    claim_need,
    complete_need,
    release_need,
    start_need,
    verify_need,
)
from tests.factories import DOWNTOWN
from tests.statements import counted_queries

NEEDS = "/api/v1/needs/"
KINDS = ("litter_cleanup", "board_up", "lot_mowing")
START = datetime(2026, 5, 1, 8, tzinfo=UTC)


@pytest.fixture
def city(make):
    """Forty needs of three kinds of work around downtown, some opened at the same instant,
    with and without address, due date and reporter contacts, and every state a claim leaves
    a need in: claimed, in progress, completed, verified, released and open again."""
    rng = random.Random(14)
    crews = {kind: make.user("partner", make.partner_doing(kind, 50)) for kind in KINDS}
    coordinator = make.user("coordinator")
    needs = []
    for i in range(40):
        kind = KINDS[i % 3]
        extra = {"address": None} if i % 7 == 0 else {}
        if i % 5 == 0:
            extra["due_date"] = date(2026, 6, 1 + i % 20)
        if i % 4 == 0:
            extra.update(reporter_name=None, reporter_phone=None, reporter_email="r@home.example")
        need = make.need(
            now=START + timedelta(hours=i // 2),  # pairs opened at the same instant
            capability=kind,
            latitude=DOWNTOWN[0] + rng.uniform(-0.03, 0.03),
            longitude=DOWNTOWN[1] + rng.uniform(-0.03, 0.03),
            priority=1 + i % 5,
            **extra,
        )
        crew = crews[kind].actor
        state = i % 6
        if state >= 1:
            claim_need(crew, need.id)
        if state in (2, 3, 4):
            start_need(crew, need.id)
        if state in (3, 4):
            complete_need(crew, need.id, {"volunteers": 2, "hours": 1.5, "unit_kind": "bags"})
        if state == 4:
            verify_need(coordinator.actor, need.id, "Seen done.")
        if state == 5:
            release_need(crew, need.id, "Rained off.")
        needs.append(need.id)
    return {"coordinator": coordinator, "crew": crews["board_up"], "needs": needs}


def _as_before(app, person, rows: list[dict], near=None) -> list[dict]:
    """What the list answered before: each need read on its own as an ORM row, presented, and
    dumped by marshmallow's own `Schema.dump`, through the app's JSON provider."""
    db.session.expire_all()
    presented = [
        present_need(person.actor, db.session.get(Need, row["id"]), near=near) for row in rows
    ]
    return json.loads(app.json.dumps(Schema.dump(NeedSchema(many=True), presented)))


@pytest.mark.parametrize(
    "query, near",
    [
        ("?page_size=50", None),
        ("?page=2&page_size=15", None),
        ("?status=claimed&status=in_progress&status=completed&status=verified", None),
        ("?capability=lot_mowing&status=open&page_size=50", None),
        (f"?near={DOWNTOWN[0]},{DOWNTOWN[1]}&radius_km=3&page_size=50", DOWNTOWN),
    ],
)
def test_the_need_list_answers_the_json_it_answered_before(app, api, city, query, near):
    for person in (city["coordinator"], city["crew"]):  # contacts shown, then hidden
        response = api(person.token).get(NEEDS + query)
        assert response.status_code == 200
        rows = response.get_json()
        assert rows and rows == _as_before(app, person, rows, near)
    statuses = {row["status"] for row in api(city["coordinator"].token).get(NEEDS).get_json()}
    assert {"open", "claimed", "in_progress", "completed", "verified"} <= statuses


def test_a_keyset_page_and_one_need_answer_the_json_they_answered_before(app, api, city):
    client = api(city["coordinator"].token)
    first = client.get(NEEDS + "?page_size=10").get_json()
    after = client.get(NEEDS + f"?page_size=10&after={first[-1]['id']}").get_json()
    assert after == _as_before(app, city["coordinator"], after)
    for need_id in city["needs"][:12]:
        one = client.get(NEEDS + str(need_id)).get_json()
        assert [one] == _as_before(app, city["coordinator"], [one])


def test_a_token_request_reads_the_token_and_its_user_in_one_query(api, make):
    person = make.user("coordinator")
    client = api(person.token)
    client.get("/api/v1/me")  # the first use writes last_used_at
    with counted_queries() as seen:
        assert client.get("/api/v1/me").json["email"] == person.user.email
    assert len(seen) == 1


def test_a_token_whose_user_is_deactivated_is_refused_by_the_next_request(api, make):
    person = make.user("outreach")
    client = api(person.token)
    assert client.get("/api/v1/me").status_code == 200
    person.user.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_a_revoked_token_is_refused_by_the_very_next_request(api, make):
    person = make.user("coordinator")
    client = api(person.token)
    assert client.get(NEEDS).status_code == 200
    (token,) = client.get("/api/v1/me/tokens").json
    assert client.delete(f"/api/v1/me/tokens/{token['id']}").status_code == 200
    assert client.get(NEEDS).status_code == 401


def test_a_tokens_last_use_is_written_at_most_once_a_minute(make):
    person = make.user("viewer")
    now = datetime.now(UTC)

    def last_used() -> datetime | None:
        db.session.expire_all()
        return db.session.query(ApiToken).filter_by(user_id=person.id).one().last_used_at

    authenticate_token(person.token, now=now)
    assert last_used() == now
    for seconds in (1, 30, 59):
        authenticate_token(person.token, now=now + timedelta(seconds=seconds))
        assert last_used() == now
    later = now + LAST_USED_EVERY
    actor, user = authenticate_token(person.token, now=later)
    assert last_used() == later
    assert (actor.user_id, user.email) == (person.id, person.user.email)
