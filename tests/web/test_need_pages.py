"""Coordinator need pages through the test client: posting with validation next to the
fields, the list with filters, the need page with its timeline, and the lifecycle actions."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from commonground.db_types import utcnow
from needs.services import claim_need
from tests.factories import DOWNTOWN


def _need_form(**fields: str) -> dict[str, str]:
    """The new-need form filled in as a coordinator would, with `fields` typed over it."""
    return {
        "title": "Overgrown lot on Oak St",
        "capability": "lot_mowing",
        "address": "12 Oak St",
        "latitude": str(DOWNTOWN[0]),
        "longitude": str(DOWNTOWN[1]),
        "priority": "2",
        **fields,
    }


def test_a_coordinator_posts_a_need_and_lands_on_its_page(make, browser):
    client = browser(make.user("coordinator"))
    response = client.post("/needs/new", _need_form(due_date="2030-05-01", parcel_id="P-123"))
    assert response.status_code == 302
    page = client.text(response.headers["Location"])
    assert "Overgrown lot on Oak St" in page
    assert "posted" in page and "P-123" in page and "2030-05-01" in page
    assert "Lot mowing" in page and "Downtown" in page


def test_a_bad_post_shows_messages_next_to_fields_and_keeps_what_was_typed(make, browser):
    client = browser(make.user("coordinator"))
    response = client.post(
        "/needs/new",
        _need_form(
            title="Ab",
            address="77 Typed Avenue",
            latitude="95",
            longitude="-91.1",
            priority="9",
            description="Keep this text",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="title-error"' in page and 'id="latitude-error"' in page
    assert 'id="priority-error"' in page
    assert 'value="77 Typed Avenue"' in page and "Keep this text" in page
    assert 'aria-invalid="true"' in page


def test_an_unknown_capability_is_reported_on_the_field(make, browser):
    client = browser(make.user("coordinator"))
    response = client.post(
        "/needs/new", {"title": "Something", "capability": "juggling", "address": "1 A St"}
    )
    assert response.status_code == 422
    assert 'id="capability-error"' in response.get_data(as_text=True)


# Address points of the offline gazetteer (seeds/data/address_points.csv), the city's geocoder.
NORTH_ST = ("1000 North St", 30.450746, -91.191144)  # Downtown
SWAN_ST = (30.522033, -91.186117)  # 200 Swan St, Scotlandville: 8 km north of North St


def test_the_form_asks_for_no_coordinates(make, browser):
    page = browser(make.user("coordinator")).text("/needs/new")
    assert 'type="hidden" id="latitude"' in page and 'type="hidden" id="longitude"' in page
    assert 'for="latitude"' not in page and 'for="longitude"' not in page


def test_a_known_address_alone_is_placed_on_submit(make, browser):
    from needs.models import Need

    client = browser(make.user("coordinator"))
    response = client.post(
        "/needs/new", _need_form(title="By address", address=NORTH_ST[0], latitude="", longitude="")
    )
    assert response.status_code == 302
    page = client.text(response.headers["Location"])
    assert "Waiting for the geocoder" not in page and "Downtown" in page
    need = Need.query.filter_by(title="By address").one()
    assert (need.latitude, need.longitude, need.location_status) == (*NORTH_ST[1:], "ok")


def test_an_unknown_address_without_a_pin_is_refused_with_what_was_typed(make, browser):
    client = browser(make.user("coordinator"))
    response = client.post(
        "/needs/new",
        _need_form(address="9 Nowhere Elm", latitude="", longitude="", description="Keep me"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="address-error"' in page and "We could not find this address" in page
    assert 'aria-describedby="address-error"' in page
    assert 'value="9 Nowhere Elm"' in page and "Keep me" in page
    assert 'value="Overgrown lot on Oak St"' in page


def test_a_pin_far_from_its_address_is_kept_with_a_warning(make, browser):
    from needs.models import Need

    client = browser(make.user("coordinator"))
    response = client.post(
        "/needs/new",
        _need_form(
            title="Pin and address apart",
            address=NORTH_ST[0],
            latitude=str(SWAN_ST[0]),
            longitude=str(SWAN_ST[1]),
        ),
    )
    assert response.status_code == 302
    page = client.text(response.headers["Location"])
    assert "The pin is 4.9 mi from where the address" in page and "1000 North St" in page
    need = Need.query.filter_by(title="Pin and address apart").one()
    assert (need.latitude, need.longitude) == SWAN_ST


def test_a_pin_on_its_address_brings_no_warning(make, browser):
    client = browser(make.user("coordinator"))
    response = client.post(
        "/needs/new",
        _need_form(address=NORTH_ST[0], latitude="30.4509", longitude="-91.1912"),
    )
    assert response.status_code == 302
    assert "The pin is" not in client.text(response.headers["Location"])


def test_the_list_filters_by_status_capability_neighbourhood_and_text(make, browser):
    make.need(title="Mow me", capability="lot_mowing")
    make.need(title="Pick litter")
    client = browser(make.user("viewer"))
    page = client.text("/needs/?capability=lot_mowing")
    assert "Mow me" in page and "Pick litter" not in page
    page = client.text("/needs/?q=litter&status=open")
    assert "Pick litter" in page and "Mow me" not in page
    page = client.text("/needs/?neighbourhood=Nowhere")
    assert "No needs match these filters." in page


def test_bad_filters_are_explained_not_errors(make, browser):
    client = browser(make.user("viewer"))
    page = client.text("/needs/?status=bogus&from=yesterday")
    assert "Filter status" in page and "Use a date like" in page


def test_the_list_downloads_carry_the_filters(make, browser):
    client = browser(make.user("viewer"))
    page = client.text("/needs/?capability=lot_mowing&status=open")
    assert "/map/export.csv?status=open&amp;capability=lot_mowing" in page
    assert "/map/export.geojson?status=open&amp;capability=lot_mowing" in page


def test_the_need_page_shows_the_timeline_and_verify_works(make, browser):
    partner = make.partner(name="Crew <b>One</b>")
    member = make.user("partner", partner=partner)
    need = make.completed_need(
        member, {"volunteers": 5, "hours": 10.0, "notes": "Done well"}, title="Verify me"
    )
    client = browser(make.user("coordinator"))
    page = client.text(f"/needs/{need.id}")
    assert "Verify the completion" in page and "Done well" in page
    assert "Crew &lt;b&gt;One&lt;/b&gt;" in page
    response = client.post(f"/needs/{need.id}/verify", {"note": "Looks good"})
    assert response.status_code == 302
    page = client.text(f"/needs/{need.id}")
    assert "Completion verified." in page
    actions = re.findall(r'class="event-action">([^<]+)<', page)
    assert actions == ["Post", "Claim", "Start", "Complete", "Verify"]


def test_reopen_needs_a_reason_and_then_opens_the_need_again(make, browser):
    partner = make.partner()
    member = make.user("partner", partner=partner)
    need = make.completed_need(member, title="Not really fixed")
    client = browser(make.user("coordinator"))
    refused, page = client.blank_then_given(
        f"/needs/{need.id}/reopen", f"/needs/{need.id}", {"reason": "Still trash everywhere"}
    )
    assert "Reason:" in refused
    assert "Need reopened" in page and "Still trash everywhere" in page


def test_close_as_duplicate_links_the_original(make, browser):
    original, copy = make.need(title="Original"), make.need(title="Copy")
    client = browser(make.user("coordinator"))
    client.post(
        f"/needs/{copy.id}/close",
        {"action": "mark_duplicate", "reason": "Same lot", "duplicate_of": str(original.id)},
    )
    page = client.text(f"/needs/{copy.id}")
    assert "Duplicate" in page and f'href="/needs/{original.id}"' in page


def test_closing_an_already_closed_need_says_why_it_cannot(make, browser):
    need = make.need()
    client = browser(make.user("coordinator"))
    client.post(f"/needs/{need.id}/close", {"action": "cancel", "reason": "Gone"})
    client.post(f"/needs/{need.id}/close", {"action": "cancel", "reason": "Again"})
    page = client.text(f"/needs/{need.id}")
    assert "This need is cancelled now, so you can&#39;t cancel it." in page
    assert "nothing more can be done with it" in page


def test_a_viewer_cannot_verify_even_by_posting_directly(make, browser):
    member = make.user("partner", partner=make.partner())
    need = make.completed_need(member)
    response = browser(make.user("viewer")).post(f"/needs/{need.id}/verify", {"note": ""})
    assert response.status_code == 403


def test_user_text_is_escaped_everywhere_it_is_shown(make, browser):
    script, template = "<script>alert(1)</script>", "{{7*7}}"
    partner = make.partner(name=f"Partner {script} {template}", description=template)
    member = make.user("partner", partner=partner)
    need = make.need(title=f"Lot {script} {template}", description=f"{script} {template}")
    claim_need(member.actor, need.id, now=utcnow() - timedelta(days=20))  # stale: on the home
    viewer = browser(make.user("viewer"))
    coordinator = browser(make.user("coordinator"))
    for client, path in (
        (viewer, f"/needs/{need.id}"),
        (viewer, "/needs/"),
        (viewer, "/partners/"),
        (viewer, f"/partners/{partner.id}"),
        (coordinator, "/coordinator/"),
        (browser(member), "/tasks/claims"),
    ):
        page = client.text(path)
        assert script not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
        assert template in page, f"{path}: user text was evaluated as a template"


def test_times_on_the_need_page_are_the_citys_not_utc(make, pages):
    need = make.need(title="Clock check")
    page = pages(make.user("coordinator")).text(f"/needs/{need.id}")
    opened = need.opened_at.astimezone(ZoneInfo("America/Chicago"))
    assert opened.strftime("%Y-%m-%d %H:%M") in page
    assert opened.strftime("%Z") in page  # CST or CDT, never UTC
    assert "UTC" not in page.split("<main", 1)[-1]
