"""Briefings through the API: each kind is generated from the engine's results and the
catalogue, stored with who made it and the data it was made from, reopened exactly as handed
over, made into a PDF; free text is escaped; only staff may generate; a batch survives a failure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.actor import Actor
from accounts.roles import Role
from briefings.models import Briefing
from commonground.db_types import utcnow
from commonground.extensions import db
from needs.services import claim_need, complete_need, start_need
from tests.jobs import finish_api_job, run_queued_jobs
from tests.statements import counted_queries

DOWNTOWN = (30.4515, -91.1871)


@pytest.fixture
def city(make, api):
    """Two litter partners downtown, one needing a team-mate for board-ups, needs, a catalogue."""
    near = make.partner_doing(
        "litter_cleanup", 2, hours=6, name="Near Cleaners", service_radius_km=3
    )
    boards = make.partner_doing(
        "board_up",
        1,
        at=(DOWNTOWN[0], DOWNTOWN[1] + 0.01),
        name="Board Crew",
        sector="business",
        service_radius_km=3,
    )
    litter = [
        make.need(
            latitude=DOWNTOWN[0] + 0.002 * i,
            longitude=DOWNTOWN[1],
            priority=2 + i,
            neighbourhood="Downtown",
        )
        for i in range(4)
    ]
    board = make.need(capability="board_up", title="Open back door", neighbourhood="Downtown")
    mowing = make.need(
        capability="lot_mowing", title="Tall grass nobody mows", neighbourhood="Downtown"
    )
    coordinator = make.user("coordinator")
    client = api(coordinator.token)
    for entry in (
        {"title": "Bags and gloves", "capabilities": ["litter_cleanup"], "lead_time_days": 2},
        {"title": "Plywood", "capabilities": ["board_up"]},
        {"title": "Technical help", "capabilities": []},
    ):
        assert client.post("/api/v1/catalogue/", json=entry).status_code == 201
    return {
        "near": near,
        "boards": boards,
        "litter": litter,
        "board": board,
        "mowing": mowing,
        "coordinator": coordinator,
        "outreach": make.user("outreach"),
        "member": make.user("partner", partner=near),
        "viewer": make.user("viewer"),
    }


def _complete_one(city) -> None:
    member = Actor(user_id=None, role=Role.PARTNER, partner_id=city["near"].id, label="m")
    need_id = city["litter"][0].id
    when = utcnow() - timedelta(days=3)
    claim_need(member, need_id, now=when)
    start_need(member, need_id, now=when + timedelta(hours=1))
    complete_need(
        member,
        need_id,
        {"volunteers": 5, "hours": 12.5, "units": 8, "unit_kind": "bags"},
        now=when + timedelta(days=2),
    )


def test_outreach_generates_a_partner_briefing_with_every_part(api, city):
    _complete_one(city)
    response = api(city["outreach"].token).post(
        "/api/v1/briefings/partner", json={"partner_id": city["near"].id}
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["kind"] == "partner" and body["subject"] == "Near Cleaners"
    assert body["created_by"] == city["outreach"].user.name
    snap = body["snapshot"]
    area = snap["area"]
    assert area["open_needs"] == 5  # three litter needs left, the board-up and the mowing
    assert {c["capability"]: c["open_needs"] for c in area["open_by_capability"]} == {
        "litter_cleanup": 3,
        "board_up": 1,
        "lot_mowing": 1,
    }
    # Nobody mows: that need is uncovered.
    assert [n["title"] for n in area["uncovered"]] == ["Tall grass nobody mows"]
    # What the city can do: the litter entry and the general one, not the plywood.
    assert sorted(e["title"] for e in snap["city_offers"]) == ["Bags and gloves", "Technical help"]
    # What you can do: sized to the weekly capacity left (2 a week, 1 claimed this week).
    assert 1 <= len(snap["suggestions"]) <= 2
    assert all(s["capability"] == "Litter cleanup" for s in snap["suggestions"])
    assert all(s["reasons"] for s in snap["suggestions"])
    # Who you could team up with: the board-up crew brings what this partner lacks.
    assert [p["partner"]["name"] for p in snap["partnerships"]] == ["Board Crew"]
    assert snap["partnerships"][0]["they_bring"]
    # Your impact so far.
    assert snap["impact"]["tasks_completed"] == 1
    assert snap["impact"]["volunteer_hours"] == 12.5
    assert snap["impact"]["units"] == {"bags": 8.0}
    assert snap["impact"]["median_days_to_complete"] == 2.0
    assert snap["contact"]["email"] == city["outreach"].user.email
    # The map: suggested points, other open needs, the service circle.
    kinds = {p["kind"] for p in snap["map"]["points"]}
    assert {"suggested", "gap"} <= kinds
    assert snap["map"]["circle"] == [DOWNTOWN[0], DOWNTOWN[1], 3.0]


def test_a_map_with_more_open_needs_than_it_draws_keeps_the_suggested_gaps_and_most_urgent(
    api, city, make, monkeypatch
):
    """A wide area's map draws at most `MAP_POINTS` open needs (here 4 of 8): the suggested
    ones, then those nobody covers, then the most urgent (highest priority, then waiting
    longest), and says so on the map; the figures still count every open need."""
    from briefings import content

    monkeypatch.setattr(content, "MAP_POINTS", 4)
    earlier = utcnow() - timedelta(days=3)
    urgent = make.need(priority=5, latitude=DOWNTOWN[0] - 0.003, longitude=DOWNTOWN[1],
                       now=earlier)  # fmt: skip
    make.need(priority=5, latitude=DOWNTOWN[0] - 0.004, longitude=DOWNTOWN[1])
    make.need(priority=1, latitude=DOWNTOWN[0] - 0.005, longitude=DOWNTOWN[1])
    response = api(city["outreach"].token).post(
        "/api/v1/briefings/partner", json={"partner_id": city["near"].id}
    )
    assert response.status_code == 201, response.json
    snap = response.json["snapshot"]
    assert snap["area"]["open_needs"] == snap["map"]["open_needs"] == 9
    points = snap["map"]["points"]
    drawn = [int(p["label"].split()[0][1:]) for p in points]
    suggested = [s["need_id"] for s in snap["suggestions"]]
    assert len(suggested) == 2 and set(suggested) <= set(drawn)
    assert city["mowing"].id in drawn and len(drawn) == 4 and drawn == sorted(drawn)
    # The one left is the most urgent: of the two at priority 5, the one waiting longest.
    assert [p["kind"] for p in points if p["label"].startswith(f"#{urgent.id} ")] == ["open"]
    html = db.session.get(Briefing, response.json["id"]).html
    assert "4 of 9 open needs drawn: the suggested, those nobody covers and the most urgent" in (
        html
    )


@pytest.mark.parametrize("places", [1, 2, 3, 5, 8])
def test_a_maps_needs_drawn_are_the_first_of_all_its_open_needs_by_kind_then_urgency(
    api, city, make, monkeypatch, places
):
    """However few places the map has (fewer than the suggested, than the suggested and the
    gaps, or more), it draws the first of all the area's open needs ordered by kind on the map
    (suggested, nobody covers, open), then priority, waiting and id."""
    from briefings import content
    from needs.models import Need

    earlier = utcnow() - timedelta(days=3)
    make.need(priority=5, latitude=DOWNTOWN[0] - 0.003, longitude=DOWNTOWN[1], now=earlier)
    make.need(priority=5, latitude=DOWNTOWN[0] - 0.004, longitude=DOWNTOWN[1])
    make.need(priority=1, latitude=DOWNTOWN[0] - 0.005, longitude=DOWNTOWN[1])
    client = api(city["outreach"].token)

    def drawn_with(limit: int) -> list[dict]:
        monkeypatch.setattr(content, "MAP_POINTS", limit)
        made = client.post("/api/v1/briefings/partner", json={"partner_id": city["near"].id})
        assert made.status_code == 201, made.json
        return made.json["snapshot"]["map"]["points"]

    every = drawn_with(1000)
    assert len(every) == 9 and {p["kind"] for p in every} == set(content.MAP_KINDS)
    kind = {int(p["label"].split()[0][1:]): content.MAP_KINDS.index(p["kind"]) for p in every}
    needs = {n.id: n for n in db.session.query(Need).filter(Need.id.in_(kind))}
    order = sorted(kind, key=lambda i: (kind[i], -needs[i].priority, needs[i].opened_at, i))
    drawn = [int(p["label"].split()[0][1:]) for p in drawn_with(places)]
    assert drawn == sorted(order[:places])


def test_the_open_needs_by_capability_are_counted_per_kind(api, city):
    response = api(city["outreach"].token).post(
        "/api/v1/briefings/partner", json={"partner_id": city["near"].id}
    )
    counts = {
        c["capability"]: c["open_needs"]
        for c in response.json["snapshot"]["area"]["open_by_capability"]
    }
    assert counts == {"litter_cleanup": 4, "board_up": 1, "lot_mowing": 1}
    trend = response.json["snapshot"]["area"]["trend"]
    assert len(trend["months"]) == 6 and trend["posted"][-1] == 6


def test_a_stored_briefing_reopens_exactly_as_it_was_handed_over(api, city, make):
    client = api(city["outreach"].token)
    made = client.post("/api/v1/briefings/partner", json={"partner_id": city["near"].id}).json
    first = client.get(f"/api/v1/briefings/{made['id']}/html")
    assert first.status_code == 200 and first.mimetype == "text/html"
    make.need(title="Posted after the briefing")
    again = client.get(f"/api/v1/briefings/{made['id']}/html")
    assert again.data == first.data
    assert b"Posted after the briefing" not in again.data
    stored = client.get(f"/api/v1/briefings/{made['id']}").json
    assert stored["snapshot"] == made["snapshot"]
    listed = client.get("/api/v1/briefings/?kind=partner").json
    assert [b["id"] for b in listed] == [made["id"]]


def test_the_pdf_is_made_from_the_stored_briefing(api, city):
    client = api(city["outreach"].token)
    made = client.post("/api/v1/briefings/partner", json={"partner_id": city["near"].id}).json
    pdf = client.get(f"/api/v1/briefings/{made['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert "near-cleaners" in pdf.headers["Content-Disposition"]


def test_a_briefings_pdf_is_made_once_off_the_request_and_then_served_as_stored(api, city, app):
    """Making a briefing queues the job that makes its PDF; once a worker ran it, the PDF link
    serves the stored file (the same bytes every time). A briefing whose PDF was not made yet
    (the worker is behind) still gets its PDF at once, made then and kept."""
    client = api(city["outreach"].token)
    made = client.post("/api/v1/briefings/partner", json={"partner_id": city["near"].id}).json
    queued = client.get("/api/v1/jobs/?kind=briefing_pdf&active=true").json
    assert [j["label"] for j in queued] == [f"PDF of briefing #{made['id']}"]
    assert run_queued_jobs(app) == 1
    job = client.get(queued[0]["url"]).json
    assert job["status"] == "succeeded" and job["result"]["briefing_id"] == made["id"]
    stored = db.session.get(Briefing, made["id"]).pdf
    assert stored.startswith(b"%PDF-") and job["result"]["bytes"] == len(stored)
    for _ in range(2):
        pdf = client.get(f"/api/v1/briefings/{made['id']}/pdf")
        assert pdf.status_code == 200 and pdf.data == stored

    other = client.post("/api/v1/briefings/partner", json={"partner_id": city["near"].id}).json
    first = client.get(f"/api/v1/briefings/{other['id']}/pdf")  # before the job ran
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    db.session.expire_all()
    assert db.session.get(Briefing, other["id"]).pdf == first.data
    run_queued_jobs(app)  # the job finds it made: nothing made twice
    assert client.get(f"/api/v1/briefings/{other['id']}/pdf").data == first.data


def test_a_prospect_briefing_uses_what_outreach_typed_in_and_escapes_it(api, city):
    response = api(city["outreach"].token).post(
        "/api/v1/briefings/prospect",
        json={
            "name": "<script>alert('x')</script> Mowers",
            "sector": "faith_based",
            "address": "1 <b>Main</b> St",
            "neighbourhood": "Downtown",
            "radius_km": 2,
            "capabilities": ["lot_mowing"],
            "tasks_per_week": 3,
        },
    )
    assert response.status_code == 201, response.json
    snap = response.json["snapshot"]
    assert snap["impact"] is None
    assert [s["title"] for s in snap["suggestions"]] == ["Tall grass nobody mows"]
    assert snap["area"]["uncovered_you_could_do"] == 1
    html = api(city["outreach"].token).get(f"/api/v1/briefings/{response.json['id']}/html")
    text = html.data.decode()
    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text and "&lt;b&gt;Main&lt;/b&gt;" in text


def test_a_prospect_needs_a_place_and_known_capabilities(api, city):
    client = api(city["outreach"].token)
    nowhere = client.post(
        "/api/v1/briefings/prospect", json={"name": "X", "capabilities": ["lot_mowing"]}
    )
    assert nowhere.status_code == 422 and "neighbourhood" in nowhere.json["errors"]
    unknown = client.post(
        "/api/v1/briefings/prospect",
        json={"name": "X", "neighbourhood": "Downtown", "capabilities": ["juggling"]},
    )
    assert unknown.status_code == 422 and "capabilities" in unknown.json["errors"]
    bad_hood = client.post("/api/v1/briefings/neighbourhood", json={"neighbourhood": "Atlantis"})
    assert bad_hood.status_code == 422


def test_a_neighbourhood_briefing_for_a_community_meeting(api, city):
    response = api(city["coordinator"].token).post(
        "/api/v1/briefings/neighbourhood", json={"neighbourhood": "Downtown", "weekly_tasks": 3}
    )
    assert response.status_code == 201, response.json
    snap = response.json["snapshot"]
    assert snap["kind"] == "neighbourhood" and snap["subject"]["name"] == "Downtown"
    assert snap["area"]["open_needs"] == 6
    assert len(snap["suggestions"]) == 3
    # The best-scored needs come first: the most urgent litter need (priority 2) is among them.
    assert city["litter"][0].id in {s["need_id"] for s in snap["suggestions"]}
    assert {e["title"] for e in snap["city_offers"]} == {
        "Bags and gloves",
        "Plywood",
        "Technical help",
    }
    assert snap["map"]["circle"] is None


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_staff_may_generate_or_read_briefings(api, city, role):
    client = api(city[role].token)
    made = client.post("/api/v1/briefings/partner", json={"partner_id": city["near"].id})
    assert made.status_code == 403
    assert client.get("/api/v1/briefings/").status_code == 403


def test_an_unknown_briefing_is_a_404_and_an_unknown_partner_too(api, city):
    client = api(city["outreach"].token)
    assert client.get("/api/v1/briefings/999999").status_code == 404
    assert client.get("/api/v1/briefings/999999/pdf").status_code == 404
    missing = client.post("/api/v1/briefings/partner", json={"partner_id": 999999})
    assert missing.status_code == 404


def test_the_batch_runs_as_a_job_that_reports_a_failure_and_goes_on(api, city):
    coordinator = api(city["coordinator"].token)
    response = coordinator.post(
        "/api/v1/briefings/batch",
        json={"partner_ids": [city["near"].id, 999999, city["boards"].id]},
    )
    job = finish_api_job(coordinator, response)
    assert (job["done"], job["total"]) == (3, 3)
    assert job["message"] == "Generated 2 of 3 briefing(s); 1 failed."
    made = job["result"]["generated"]
    assert sorted(made) == sorted([str(city["near"].id), str(city["boards"].id)])
    assert job["result"]["failures"] == [
        {"partner_id": 999999, "error": "No partner with id 999999."}
    ]
    assert coordinator.get(f"/api/v1/briefings/{made[str(city['near'].id)]}").status_code == 200


def test_flask_briefings_all_active_generates_one_per_active_partner(app, city):
    result = app.test_cli_runner().invoke(args=["briefings", "--all-active", "--partner", "999999"])
    assert "Generated 2 of 3 briefing(s); 1 failed." in result.output
    assert "FAILED partner 999999" in result.output
    assert result.exit_code == 1


def test_flask_briefings_without_a_choice_is_a_usage_error(app, city):
    result = app.test_cli_runner().invoke(args=["briefings"])
    assert result.exit_code == 2 and "--all-active" in result.output


def test_briefings_appear_in_the_openapi_document(api, city):
    document = api(city["outreach"].token).get("/api/v1/openapi.json").json
    paths = document["paths"]
    for path in (
        "/api/v1/briefings/partner",
        "/api/v1/briefings/prospect",
        "/api/v1/briefings/neighbourhood",
        "/api/v1/briefings/batch",
        "/api/v1/briefings/{briefing_id}/pdf",
        "/api/v1/catalogue/",
        "/api/v1/performance/",
    ):
        assert path in paths, path


def test_a_briefing_is_made_when_its_pdf_job_cannot_be_queued(app, make):
    """With the queue's storage unreachable (Redis refusing on this machine's loopback), making
    a briefing still answers 201 with the briefing stored, and its PDF is made when asked for."""
    from commonground.app import create_app

    crew_id = make.partner_doing("litter_cleanup", 2, name="Queue Gone Crew").id
    token = make.user("outreach").token
    other = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")},
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "JOBS_REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    db.session.commit()  # no open read of this app may hold SQLite's lock against the other
    with other.app_context():
        client = other.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        made = client.post(
            "/api/v1/briefings/partner", json={"partner_id": crew_id}, headers=headers
        )
        assert made.status_code == 201, made.json
        pdf = client.get(f"/api/v1/briefings/{made.json['id']}/pdf", headers=headers)
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
        db.session.remove()


def test_lists_of_briefings_read_no_briefings_html_or_snapshot(api, city, browser):
    """The API list, the briefings page and the outreach home read what they show: a
    wide-area partner's briefing holds megabytes of HTML and snapshot."""
    staff = api(city["outreach"].token)
    made = staff.post("/api/v1/briefings/partner", json={"partner_id": city["near"].id}).json
    with counted_queries() as statements:
        listed = staff.get("/api/v1/briefings/").json
        pages = browser(city["outreach"])
        assert pages.get("/briefings/").status_code == 200
        assert pages.get("/outreach").status_code == 200
    assert [b["id"] for b in listed] == [made["id"]] and "snapshot" not in listed[0]
    reads = [s for s in statements if "FROM briefing" in s]
    assert reads and not [s for s in reads if "briefing.html" in s or "briefing.snapshot" in s]
