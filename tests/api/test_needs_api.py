"""Coordinators post, list, filter, read and correct needs through the API."""

from __future__ import annotations

import json

import pytest

NEEDS = "/api/v1/needs/"


@pytest.fixture
def coordinator(make):
    return make.user("coordinator")


def test_a_coordinator_posts_a_need_and_its_history_starts(api, coordinator):
    response = api(coordinator.token).post(
        NEEDS,
        json={
            "capability": "lot_mowing",
            "title": "Overgrown lot on Plank Rd",
            "latitude": 30.4966,
            "longitude": -91.1469,
            "priority": 4,
            "parcel_id": "P-17",
        },
    )
    assert response.status_code == 201
    need = response.json
    assert need["status"] == "open"
    assert need["capability"] == "lot_mowing"
    assert need["neighbourhood"] == "Zion City"  # from the nearest neighbourhood centre
    assert need["effort_hours"] == 2.5  # the capability's default effort
    assert need["allowed_actions"] == [
        "cancel",
        "claim",
        "close_at_source",
        "mark_duplicate",
        "mark_not_actionable",
    ]
    events = api(coordinator.token).get(f"{NEEDS}{need['id']}/events").json
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("post", None, "open")
    ]
    assert events[0]["actor_id"] == coordinator.id


def test_a_need_with_only_an_address_waits_for_the_geocoder(api, coordinator):
    response = api(coordinator.token).post(
        NEEDS, json={"capability": "board_up", "title": "Open doors", "address": "1200 Swan St"}
    )
    assert response.status_code == 201
    assert response.json["location_status"] == "pending"
    assert response.json["latitude"] is None


def test_a_need_with_a_known_address_is_placed_at_once(api, coordinator):
    # 1000 North St is an address point of the city's (offline) geocoder.
    response = api(coordinator.token).post(
        NEEDS, json={"capability": "board_up", "title": "Open doors", "address": "1000 North St"}
    )
    assert response.status_code == 201
    assert response.json["location_status"] == "ok"
    assert (response.json["latitude"], response.json["longitude"]) == (30.450746, -91.191144)
    assert response.json["neighbourhood"] == "Downtown"


def test_a_need_without_any_location_is_refused_with_a_field_error(api, coordinator):
    response = api(coordinator.token).post(
        NEEDS, json={"capability": "board_up", "title": "Somewhere"}
    )
    assert response.status_code == 422
    assert "address" in response.json["errors"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "x" * 201),
        ("title", "bad\x00byte"),
        ("description", "bell\x07"),
        ("latitude", 91),
        ("longitude", -181),
        ("priority", 6),
        ("priority", "3"),
        ("effort_hours", -1),
        ("status", "verified"),  # mass assignment: not an input field
        ("posted_by_id", 1),
        ("source", "twitter"),
    ],
)
def test_bad_need_input_is_a_422_naming_the_field_and_stores_nothing(
    api, coordinator, field, value
):
    body = {
        "capability": "litter_cleanup",
        "title": "Litter",
        "latitude": 30.45,
        "longitude": -91.18,
        field: value,
    }
    response = api(coordinator.token).post(NEEDS, json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert response.json["code"] == 422 and response.json["status"] == "Unprocessable Entity"
    assert api(coordinator.token).get(NEEDS).json == []


def test_an_unknown_capability_code_is_a_422(api, coordinator):
    response = api(coordinator.token).post(
        NEEDS,
        json={"capability": "moon_landing", "title": "Odd", "latitude": 30.45, "longitude": -91.18},
    )
    assert response.status_code == 422
    assert "capability" in response.json["errors"]


def test_a_retired_capability_takes_no_new_needs_and_its_revival_does(api, make, coordinator):
    """An admin retires a kind of work: posting a need of it is refused as an unknown code;
    brought back with a new default effort, a need posted without an effort takes that one."""
    admin = api(make.user("admin").token)
    client = api(coordinator.token)
    body = {"capability": "board_up", "title": "Open door", "latitude": 30.45, "longitude": -91.18}
    assert (
        admin.patch("/api/v1/capabilities/board_up", json={"is_active": False}).status_code == 200
    )
    refused = client.post(NEEDS, json=body)
    assert refused.status_code == 422
    assert refused.json["errors"]["capability"] == ["Unknown capability code: board_up."]
    revived = {"is_active": True, "default_effort_hours": 6.5}
    assert admin.patch("/api/v1/capabilities/board_up", json=revived).status_code == 200
    posted = client.post(NEEDS, json=body)
    assert posted.status_code == 201 and posted.json["effort_hours"] == 6.5


def test_duplicate_source_and_external_id_is_a_conflict(api, coordinator):
    body = {
        "capability": "litter_cleanup",
        "title": "Litter",
        "latitude": 30.45,
        "longitude": -91.18,
        "source": "311",
        "external_id": "BR-1",
    }
    assert api(coordinator.token).post(NEEDS, json=body).status_code == 201
    again = api(coordinator.token).post(NEEDS, json=body)
    assert again.status_code == 409
    assert "external id" in again.json["message"]


def test_needs_are_filtered_by_status_capability_neighbourhood_and_source(api, make, coordinator):
    a = make.need(capability="lot_mowing", neighbourhood="Mid City", source="311")
    b = make.need(capability="litter_cleanup", neighbourhood="Downtown")
    client = api(coordinator.token)

    def ids(query):
        response = client.get(NEEDS + "?" + query)
        assert response.status_code == 200
        return [n["id"] for n in response.json]

    assert ids("capability=lot_mowing") == [a.id]
    assert ids("neighbourhood=Downtown") == [b.id]
    assert ids("source=311") == [a.id]
    assert sorted(ids("status=open")) == sorted([a.id, b.id])
    assert ids("status=verified") == []
    assert sorted(ids("capability=lot_mowing&capability=litter_cleanup")) == sorted([a.id, b.id])


def test_near_returns_needs_within_the_radius_nearest_first_with_distances(api, make, coordinator):
    near = make.need(latitude=30.4520, longitude=-91.1870)
    farther = make.need(latitude=30.4600, longitude=-91.1870)
    make.need(latitude=30.5214, longitude=-91.1829)  # Scotlandville, ~7.7 km away
    response = api(coordinator.token).get(NEEDS + "?near=30.4515,-91.1871&radius_km=2")
    assert [n["id"] for n in response.json] == [near.id, farther.id]
    assert response.json[0]["distance_km"] == pytest.approx(0.056, abs=0.01)
    assert response.json[1]["distance_km"] == pytest.approx(0.945, abs=0.01)


def test_bbox_limits_needs_to_the_box(api, make, coordinator):
    inside = make.need(latitude=30.45, longitude=-91.18)
    make.need(latitude=30.52, longitude=-91.18)
    response = api(coordinator.token).get(NEEDS + "?bbox=-91.2,30.44,-91.17,30.46")
    assert [n["id"] for n in response.json] == [inside.id]


@pytest.mark.parametrize(
    "query",
    [
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=10,10,5,5",
        "near=91,0",
        "near=1",
        "radius_km=0",
        "radius_km=1000",
        "status=flying",
        "near=nan,nan",
        "page_size=0",
        "page=0",
    ],
)
def test_bad_filters_are_a_422_not_a_500(api, coordinator, query):
    response = api(coordinator.token).get(NEEDS + "?" + query)
    assert response.status_code == 422
    assert response.json["code"] == 422


def test_lists_are_paginated_with_a_header(api, make, coordinator):
    for _ in range(5):
        make.need()
    response = api(coordinator.token).get(NEEDS + "?page=2&page_size=2")
    assert response.status_code == 200
    assert len(response.json) == 2
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] == 5 and pagination["total_pages"] == 3
    assert pagination["page"] == 2


def test_keyset_pages_walk_the_newest_first_list_without_counting(api, make, coordinator):
    """Needs posted in bursts at the same instant (ties on opened_at), two kinds of work:
    following `next_after` gives the same rows, in the same order, as the numbered pages, with
    no total counted, and the filters hold on every page."""
    from datetime import UTC, datetime, timedelta

    from tests.statements import counted_queries

    start = datetime(2026, 5, 1, 12, tzinfo=UTC)
    for i in range(11):
        make.need(
            now=start + timedelta(hours=i // 3), capability=("litter_cleanup", "board_up")[i % 2]
        )
    client = api(coordinator.token)
    client.get(NEEDS)  # the token's first use is recorded once
    for filters in ("", "&capability=litter_cleanup"):
        numbered = client.get(NEEDS + "?page_size=50" + filters).json
        walked, after, pages = [], None, 0
        while True:
            query = NEEDS + "?page_size=3" + filters + (f"&after={after}" if after else "")
            with counted_queries() as seen:
                response = client.get(query)
            assert response.status_code == 200
            header = json.loads(response.headers["X-Pagination"])
            if after:
                assert "total" not in header and header["page_size"] == 3
                assert not [q for q in seen if "count(" in q.lower()]
            walked += [n["id"] for n in response.json]
            after = header.get("next_after") if after else response.json[-1]["id"]
            pages += 1
            if not after or pages > 10:
                break
        assert walked == [n["id"] for n in numbered]
    assert client.get(NEEDS + "?after=999999").status_code == 422
    assert client.get(NEEDS + "?after=x").status_code == 422
    assert client.get(NEEDS + f"?after={walked[0]}&near=30.45,-91.18").status_code == 422


@pytest.fixture
def burst_city(make):
    """Thirteen needs posted in bursts of three at the same instant, two kinds of work, and two
    residents' reports awaiting triage (listed to coordinators, not to partner members)."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 5, 1, 12, tzinfo=UTC)
    for i in range(13):
        make.need(
            now=start + timedelta(hours=i // 3), capability=("litter_cleanup", "board_up")[i % 2]
        )
    make.report(now=start + timedelta(hours=1))
    make.report(now=start + timedelta(hours=5))


@pytest.mark.usefixtures("burst_city")
@pytest.mark.parametrize("filters", ["", "&capability=litter_cleanup", "&status=reported"])
@pytest.mark.parametrize("role", ["coordinator", "partner"])
def test_the_first_keyset_page_is_the_first_numbered_page_without_a_count(api, make, role, filters):
    """`count=false` starts the keyset walk: the same rows as the numbered pages, in the same
    order, for staff and partner members alike, and no page of the walk counts anything."""
    from tests.statements import counted_queries

    client = api(make.user(role, make.partner() if role == "partner" else None).token)
    numbered = client.get(NEEDS + "?page_size=50" + filters).json
    walked, query = [], NEEDS + "?page_size=4&count=false&page=3" + filters  # page ignored
    for _ in range(10):
        with counted_queries() as seen:
            response = client.get(query)
        assert response.status_code == 200
        assert not [q for q in seen if "count(" in q.lower()]
        header = json.loads(response.headers["X-Pagination"])
        assert set(header) == {"page_size", "next_after"} and header["page_size"] == 4
        walked += [n["id"] for n in response.json]
        if header["next_after"] is None:
            break
        assert header["next_after"] == walked[-1]
        query = NEEDS + f"?page_size=4&after={header['next_after']}" + filters
    assert walked == [n["id"] for n in numbered]
    assert len(numbered) == {"": 15, "&capability=litter_cleanup": 7, "&status=reported": 2}[
        filters
    ] - (2 if role == "partner" and filters != "&capability=litter_cleanup" else 0)


def test_the_first_keyset_page_is_refused_with_near(api, coordinator):
    response = api(coordinator.token).get(NEEDS + "?count=false&near=30.45,-91.18")
    assert response.status_code == 422
    assert "count" in response.json["errors"]


@pytest.mark.usefixtures("burst_city")
@pytest.mark.parametrize(
    ("query", "rows", "counted"),
    [
        ("?page_size=50", 15, False),  # one short page: the page is the total
        ("?page_size=4&page=4", 3, False),  # the last page, short: offset + its rows
        ("?page_size=5&page=3", 5, True),  # the last page, full: counted
        ("?page_size=4&page=2", 4, True),  # a full page in the middle: counted
        ("?page_size=4&page=9", 0, True),  # past the end: counted
        ("?page_size=4&page=2&near=30.4515,-91.1871", 4, True),  # nearest first, full
        ("?page_size=50&near=30.4515,-91.1871", 15, False),  # nearest first, short
    ],
)
def test_a_numbered_page_gives_the_true_total_counting_only_when_it_cannot_tell(
    api, coordinator, query, rows, counted
):
    """The X-Pagination totals of numbered pages stay exact; a short page that is not past the
    end is its own total, so only full pages and pages past the end count the needs."""
    from tests.statements import counted_queries

    client = api(coordinator.token)
    client.get(NEEDS)  # the token's first use is recorded once
    with counted_queries() as seen:
        response = client.get(query if query.startswith(NEEDS) else NEEDS + query)
    assert response.status_code == 200 and len(response.json) == rows
    header = json.loads(response.headers["X-Pagination"])
    assert header["total"] == 15
    assert header["total_pages"] == -(-15 // int(query.split("page_size=")[1].split("&")[0]))
    assert bool([q for q in seen if "count(" in q.lower()]) is counted


def test_page_size_is_capped(api, coordinator):
    response = api(coordinator.token).get(NEEDS + "?page_size=1000")
    assert response.status_code == 422


def test_a_coordinator_corrects_a_need_and_the_change_is_in_its_history(api, make, coordinator):
    need = make.need()
    client = api(coordinator.token)
    response = client.patch(f"{NEEDS}{need.id}", json={"priority": 5, "title": "Worse now"})
    assert response.status_code == 200
    assert response.json["priority"] == 5 and response.json["title"] == "Worse now"
    events = client.get(f"{NEEDS}{need.id}/events").json
    assert events[-1]["action"] == "edit" and "priority" in events[-1]["note"]


def test_half_a_coordinate_pair_is_refused(api, make, coordinator):
    need = make.need()
    response = api(coordinator.token).patch(f"{NEEDS}{need.id}", json={"latitude": 30.1})
    assert response.status_code == 422


def test_missing_and_out_of_range_ids_are_404_not_500(api, coordinator):
    client = api(coordinator.token)
    for path in (f"{NEEDS}4242", f"{NEEDS}99999999999999999999", f"{NEEDS}-1", f"{NEEDS}0"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json["code"] == 404


def test_reporter_contacts_are_shown_to_coordinators_only(api, make, coordinator):
    need = make.need(reporter_name="Rita Resident", reporter_phone="225-555-0199")
    outreach = make.user("outreach")
    viewer = make.user("viewer")
    partner = make.partner()
    member = make.user("partner", partner=partner)
    assert api(coordinator.token).get(f"{NEEDS}{need.id}").json["reporter_name"] == (
        "Rita Resident"
    )
    for person in (outreach, viewer, member):
        body = api(person.token).get(f"{NEEDS}{need.id}").json
        assert body["reporter_name"] is None and body["reporter_phone"] is None
