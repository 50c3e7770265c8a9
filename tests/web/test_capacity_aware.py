"""Actions that know the week's capacity: a claim button is off, saying why and where to raise
capacity, when the week's slots are taken; a completion report must measure the work."""

from __future__ import annotations

from needs.services import claim_need, start_need


def _full_crew(make):
    """A crew doing litter cleanup once a week that has already claimed this week's task, a
    member of it, and an open need it could otherwise take."""
    crew = make.partner(
        name="One Slot Crew", capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}]
    )
    person = make.user("partner", partner=crew)
    claim_need(person.actor, make.need(title="Taken this week").id)
    return person, make.need(title="Waits for a slot")


def test_a_full_week_turns_the_claim_button_off_and_says_where_to_raise_capacity(make, browser):
    member, waiting = _full_crew(make)
    pages = browser(member)
    for path in ("/tasks/", f"/needs/{waiting.id}"):
        page = pages.text(path)
        item = page[page.index(f'id="full-{waiting.id}"') :]
        item = item[: item.index("</p>")]
        assert '<button type="button" disabled' in item
        assert "Our Litter cleanup slots this week are all taken (1 of 1)." in item
        assert 'href="/profile/#capacity">Raise our weekly capacity</a>' in item, path
        assert f'action="/tasks/{waiting.id}/claim"' not in page


def test_with_slots_left_the_claim_button_is_live(make, browser):
    crew = make.partner(name="Roomy Crew")
    member = make.user("partner", partner=crew)
    need = make.need()
    page = browser(member).text("/tasks/")
    assert f'action="/tasks/{need.id}/claim"' in page and f'id="full-{need.id}"' not in page


def test_a_completion_report_without_a_measure_is_refused_and_keeps_what_was_typed(make, browser):
    crew = make.partner(name="Crew")
    member = make.user("partner", partner=crew)
    need = make.need()
    claim_need(member.actor, need.id)
    start_need(member.actor, need.id)
    pages = browser(member)
    response = pages.post(f"/tasks/{need.id}/complete", {"notes": "Cleared the lot."})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say how much work was done" in page and "Cleared the lot." in page
    assert 'id="volunteers-error"' in page
    done = pages.post(f"/tasks/{need.id}/complete", {"hours": "2", "notes": "Cleared the lot."})
    assert done.status_code == 302


def test_the_api_refuses_a_completion_report_that_measures_nothing(make, api):
    crew = make.partner(name="Crew")
    member = make.user("partner", partner=crew)
    need = make.need()
    claim_need(member.actor, need.id)
    start_need(member.actor, need.id)
    response = api(member.token).post(f"/api/v1/needs/{need.id}/complete", json={"volunteers": 0})
    assert response.status_code == 422
    assert set(response.json["errors"]) >= {"volunteers", "hours", "units"}
