"""Partner member pages: tasks near us, claim / start / complete / release with clear messages,
our claims, our impact, and our profile."""

from __future__ import annotations

import re

from needs.services import claim_need
from tests.factories import DOWNTOWN


def _crew(make, **overrides):
    partner = make.partner(name="Crew", **overrides)
    return partner, make.user("partner", partner=partner)


def _crew_with_a_claim(make, browser):
    """Our crew's member has claimed a need on the tasks page: (their client, the need)."""
    _, member = _crew(make)
    need = make.need()
    client = browser(member)
    client.post(f"/tasks/{need.id}/claim")
    return client, need


def test_tasks_near_us_are_ranked_by_the_engine_with_reasons(make, browser):
    _, member = _crew(make)
    near = make.need(title="Nearby lot", latitude=DOWNTOWN[0] + 0.001)
    further = make.need(title="Further lot", latitude=DOWNTOWN[0] + 0.02)
    make.need(title="Out of range", latitude=DOWNTOWN[0] + 1)
    make.need(title="Wrong capability", capability="board_up")
    page = browser(member).text("/tasks/")
    assert "ranked by the matching engine" in page
    assert f'id="task-{near.id}"' in page and f'id="task-{further.id}"' in page
    assert "Out of range" not in page and "Wrong capability" not in page
    assert 'class="reasons rated"' in page
    # the partner's words and the city's units (the demo city: miles)
    assert '<li class="positive">0.1 mi from your base</li>' in page
    assert '<li class="positive">3 of 3 weekly slots left</li>' in page
    assert '<li class="neutral">no track record yet</li>' in page
    assert "<strong>0.1 mi</strong> away" in page
    # no distance in kilometres anywhere in the list (a bare "km" can occur in a CSRF token)
    assert not re.search(r"\d km\b", page[page.index('id="list-h"') :])


def test_tasks_tied_on_score_say_which_tie_break_decided(make, browser):
    _, member = _crew(make)
    older = make.need(title="Posted first")  # same place, same priority, same day: same score
    newer = make.need(title="Posted second")
    page = browser(member).text("/tasks/")
    assert page.index(f'id="task-{older.id}"') < page.index(f'id="task-{newer.id}"')
    first = page[page.index(f'id="task-{older.id}"') : page.index(f'id="task-{newer.id}"')]
    assert '<p class="tie-break">same score as the next; open longer</p>' in first


def test_the_unranked_list_uses_the_citys_units_too(make, browser, app, monkeypatch):
    monkeypatch.setitem(app.config, "DISTANCE_UNITS", "km")
    _, member = _crew(make, capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}])
    claim_need(member.actor, make.need(title="Taken").id)
    make.need(title="Nearest", latitude=DOWNTOWN[0] + 0.001)
    page = browser(member).text("/tasks/")
    assert "nearest first" in page and "within 5.0 km of our base" in page
    assert "<strong>0.1 km</strong> away" in page


def test_with_no_capacity_left_tasks_are_listed_nearest_first_and_it_says_why(make, browser):
    _, member = _crew(make, capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}])
    taken = make.need(title="Taken")
    claim_need(member.actor, taken.id)
    make.need(title="Further", latitude=DOWNTOWN[0] + 0.02)
    make.need(title="Nearest", latitude=DOWNTOWN[0] + 0.001)
    page = browser(member).text("/tasks/")
    assert "nearest first" in page and "can still take this week" in page
    assert page.index("Nearest") < page.index("Further")
    assert "1 of 1 tasks taken" in page


def test_needs_in_a_served_neighbourhood_count_even_beyond_the_radius(make, browser):
    _, member = _crew(make, service_radius_km=0.5, service_neighbourhoods=["Spanish Town"])
    make.need(title="Named area", latitude=DOWNTOWN[0] + 0.03, neighbourhood="Spanish Town")
    make.need(title="Other area", latitude=DOWNTOWN[0] + 0.03, neighbourhood="Mid City")
    page = browser(member).text("/tasks/")
    assert "Named area" in page and "Other area" not in page


def test_the_map_data_for_our_tasks_is_geojson(make, browser):
    _, member = _crew(make)
    need = make.need()
    body = browser(member).get("/tasks/near.geojson").get_json()
    assert [f["id"] for f in body["features"]] == [need.id]


def test_claim_start_complete_with_a_report(make, browser):
    _, member = _crew(make)
    need = make.need(title="Do it")
    client = browser(member)
    client.post(f"/tasks/{need.id}/claim", {"next": "/tasks/claims"})
    page = client.text("/tasks/claims")
    assert "Claimed." in page and "Start work" in page
    client.post(f"/tasks/{need.id}/start")
    assert "Work started." in client.text(f"/needs/{need.id}")
    form = client.text(f"/tasks/{need.id}/complete")
    assert 'name="volunteers"' in form
    response = client.post(
        f"/tasks/{need.id}/complete",
        {"volunteers": "4", "hours": "6.5", "units": "12", "unit_kind": "bags", "notes": "ok"},
    )
    assert response.status_code == 302
    page = client.text("/tasks/history")
    assert "<strong>12</strong> bags" in page and "<strong>4</strong> volunteers" in page
    assert "<strong>6.5</strong> volunteer hours" in page


def test_a_bad_report_keeps_what_was_typed_and_marks_the_field(make, browser):
    client, need = _crew_with_a_claim(make, browser)
    client.post(f"/tasks/{need.id}/start")
    response = client.post(
        f"/tasks/{need.id}/complete", {"volunteers": "-3", "notes": "Typed notes"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="volunteers-error"' in page and "Typed notes" in page


def test_someone_else_claimed_first_is_said_plainly(make, browser):
    _, member = _crew(make)
    rival = make.user("partner", partner=make.partner(name="Rival"))
    need = make.need()
    claim_need(rival.actor, need.id)
    client = browser(member)
    client.post(f"/tasks/{need.id}/claim")
    page = client.text(f"/needs/{need.id}")
    assert "Rival claimed this just now — no similar task is open nearby right now." in page


def test_over_capacity_is_said_plainly(make, browser):
    _, member = _crew(make, capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}])
    first, second = make.need(), make.need()
    client = browser(member)
    client.post(f"/tasks/{first.id}/claim")
    client.post(f"/tasks/{second.id}/claim")
    page = client.text(f"/needs/{second.id}")
    assert "no capacity left this week" in page


def test_release_needs_a_reason(make, browser):
    client, need = _crew_with_a_claim(make, browser)
    refused, page = client.blank_then_given(
        f"/tasks/{need.id}/release", f"/needs/{need.id}", {"reason": "Rain all week"}, blank="  "
    )
    assert "say why" in refused
    assert "Released" in page and "Rain all week" in page


def test_only_the_claiming_partner_can_start(make, browser):
    _, member = _crew(make)
    rival = make.user("partner", partner=make.partner(name="Rival"))
    need = make.need()
    claim_need(rival.actor, need.id)
    assert browser(member).post(f"/tasks/{need.id}/start").status_code == 403


def test_the_return_address_cannot_leave_our_pages(make, browser):
    _, member = _crew(make)
    need = make.need()
    response = browser(member).post(f"/tasks/{need.id}/claim", {"next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/needs/{need.id}")


def test_our_profile_saves_capabilities_area_and_contacts(make, browser):
    _, member = _crew(make)
    client = browser(member)
    page = client.text("/profile/")
    assert "Crew" in page and 'id="cap-litter_cleanup"' in page
    response = client.post(
        "/profile/",
        {
            "description": "We clean.",
            "contact_name": "Ann",
            "contact_email": "ann@crew.example",
            "base_latitude": "30.46",
            "base_longitude": "-91.19",
            "service_radius_km": "7.5",
            "service_neighbourhoods": ["Downtown", "Spanish Town"],
            "capability": ["litter_cleanup", "lot_mowing"],
            "tasks_per_week-litter_cleanup": "4",
            "tasks_per_week-lot_mowing": "2",
            "equipment-lot_mowing": "Two mowers",
        },
    )
    assert response.status_code == 302
    page = client.text("/profile/")
    assert "Profile saved." in page and "Two mowers" in page and 'value="7.5"' in page
    assert 'value="Spanish Town" checked' in page


def test_a_bad_profile_marks_the_fields_and_keeps_the_input(make, browser):
    _, member = _crew(make)
    client = browser(member)
    response = client.post(
        "/profile/",
        {
            "description": "Kept",
            "base_latitude": "30.46",
            "base_longitude": "-91.19",
            "service_radius_km": "0",
            "capability": ["litter_cleanup"],
            "tasks_per_week-litter_cleanup": "-1",
            "contact_email": "not-an-email",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="service_radius_km-error"' in page
    assert 'id="tasks_per_week-litter_cleanup-error"' in page
    assert 'id="contact_email-error"' in page and "Kept" in page
