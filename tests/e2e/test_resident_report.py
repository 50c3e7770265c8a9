"""A resident's report in a real browser, on a 375 px phone: reported with a photo and landing
on its status page; a coordinator accepts it, a partner claims it and reports it done with an
after photo, the coordinator verifies; the status page shows each step and the outbox holds an
email to the resident at each one. The public pages pass axe-core (no serious or critical
violation) without tiles, and the time to send a report with 3 photos is measured.
"""

from __future__ import annotations

import re
import time

from accounts.outbox import latest_emails
from commonground.extensions import db
from tests.factories import DOWNTOWN
from tests.photos import phone_photo

PHONE = {"width": 375, "height": 800}


def _photo(name: str, colour=(170, 70, 40)) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": phone_photo(1600, 1200, colour)}


def _fill_report(page, photos: list[dict]) -> None:
    page.get_by_label("What is it?").select_option("illegal_dumping")
    page.get_by_label("Address or nearest address").fill("1000 North St")
    page.get_by_role("button", name="Find the address on the map").click()
    page.locator(".map-status").filter(has_text=re.compile("Found|not found")).wait_for()
    page.get_by_label("Describe it").fill("Six tyres dumped on the verge by the bus stop.")
    page.get_by_label(re.compile("^Photos")).set_input_files(photos)
    page.get_by_label("Email", exact=True).fill("ren@home.example")
    page.get_by_label(re.compile("^Email me when")).check()


def _emails(address: str) -> list[str]:
    subjects = [m.subject for m in reversed(latest_emails(address))]
    db.session.rollback()  # let the server write (SQLite: one writer)
    return subjects


def test_a_resident_report_goes_from_the_phone_to_verified_work(make, visitor):
    coordinator = make.user("coordinator")
    partner = make.partner_doing("illegal_dumping", 5, show_name_publicly=True)
    member = make.user("partner", partner)
    db.session.commit()

    resident = visitor(**PHONE)
    resident.go("/report")
    resident.page.wait_for_selector("#pick-map[data-ready]")
    assert resident.serious_accessibility_violations() == []
    _fill_report(resident.page, [_photo("tyres.jpg")])
    resident.screenshot("resident-report-form-phone")
    resident.page.get_by_role("button", name="Send the report").click()
    resident.page.get_by_text(re.compile(r"your report #\d+ is in")).wait_for()
    report_id = int(resident.page.url.rsplit("/", 1)[1])
    assert "Received" in resident.page.inner_text("#where-it-stands")
    assert not resident.wider_than_the_screen()
    assert resident.serious_accessibility_violations() == []
    resident.screenshot("resident-status-received-phone")

    staff = visitor()
    staff.sign_in(coordinator.user.email)
    staff.go("/coordinator/")
    assert "1 residents' reports to triage" in staff.page.inner_text(".summary")
    staff.go("/coordinator/triage/")
    staff.page.get_by_role("button", name=f"Accept #{report_id}").click()
    staff.page.get_by_text(f"Report #{report_id} accepted").wait_for()

    crew = visitor()
    crew.sign_in(member.user.email)
    crew.go(f"/needs/{report_id}")
    crew.page.get_by_role("button", name="Claim this task").click()
    crew.go(f"/needs/{report_id}")
    crew.page.get_by_role("button", name="Start work").click()
    crew.go(f"/tasks/{report_id}/complete")
    crew.page.get_by_label("Volunteers").fill("3")
    crew.page.get_by_label("Photos after (up to 3)").set_input_files(
        [_photo("after.jpg", (60, 160, 60))]
    )
    crew.page.get_by_role("button", name="Send the report").click()
    crew.page.get_by_text("Reported done. The city will verify it.").wait_for()

    staff.go(f"/needs/{report_id}")
    assert staff.page.get_by_role("img", name=re.compile("After the work")).count() == 1
    staff.page.get_by_role("button", name="Verify the completion").click()
    staff.page.get_by_text("Completion verified.").wait_for()

    resident.go(f"/reports/{report_id}")
    steps = resident.page.inner_text(".steps")
    for words in ("Received", "Accepted by the city", f"{partner.name} took it on",
                  f"{partner.name} started the work", f"{partner.name} reported the work done",
                  "The city checked the work: fixed"):  # fmt: skip
        assert words in steps
    assert resident.page.get_by_role("img", name=re.compile("after the work")).count() == 1
    assert not resident.wider_than_the_screen()
    assert resident.serious_accessibility_violations() == []
    resident.screenshot("resident-status-verified-phone")
    assert _emails("ren@home.example") == [
        f"We received your report (#{report_id})",
        f"Your report was accepted (#{report_id})",
        f"Someone is taking care of it (#{report_id})",
        f"The work is reported done (#{report_id})",
        f"The city checked the work: fixed (#{report_id})",
    ]


def test_the_public_map_reads_without_tiles_on_a_phone_and_passes_axe(make, visitor):
    for n in range(6):
        make.need(capability="illegal_dumping", title=f"Dumping {n}",
                  latitude=DOWNTOWN[0] + 0.003 * n, longitude=DOWNTOWN[1] - 0.002 * n)  # fmt: skip
    db.session.commit()
    tab = visitor(**PHONE)
    tab.go("/reports?kind=illegal_dumping")
    assert tab.page.locator("svg .outline").count() > 3
    assert tab.page.locator("svg a").count() == 6
    assert not tab.wider_than_the_screen()
    assert tab.serious_accessibility_violations() == []
    tab.screenshot("public-reports-map-phone")
    tab.page.locator("svg a").first.click()
    tab.page.wait_for_url(re.compile(r"/reports/\d+$"))
    assert tab.serious_accessibility_violations() == []


def test_time_to_send_a_report_with_three_photos(make, visitor, capsys):
    tab = visitor(**PHONE)
    tab.go("/report")
    tab.page.wait_for_selector("#pick-map[data-ready]")
    _fill_report(tab.page, [_photo(f"p{n}.jpg", (40 * n, 90, 90)) for n in range(1, 4)])
    started = time.perf_counter()
    tab.page.get_by_role("button", name="Send the report").click()
    tab.page.get_by_text(re.compile(r"your report #\d+ is in")).wait_for()
    seconds = time.perf_counter() - started
    assert tab.page.locator(".flash-error").count() == 0
    with capsys.disabled():
        print(f"\nsubmit a report with 3 photos (1600x1200 JPEG, phone EXIF): {seconds:.2f} s")
    assert seconds < 10


def test_while_typing_the_form_offers_the_open_report_of_the_same_kind_nearby(make, visitor):
    followed = make.need(capability="illegal_dumping", title="Tyres by the bus stop",
                         latitude=30.450746, longitude=-91.191144)  # fmt: skip
    db.session.commit()
    tab = visitor(**PHONE)
    tab.go("/report")
    tab.page.wait_for_selector("#pick-map[data-ready]")
    tab.page.get_by_label("What is it?").select_option("illegal_dumping")
    tab.page.get_by_label("Address or nearest address").fill("1000 North St")
    tab.page.get_by_role("button", name="Find the address on the map").click()
    offer = tab.page.get_by_role("link", name=f"#{followed.id} Tyres by the bus stop")
    offer.wait_for()
    assert tab.page.get_by_role("heading", name=re.compile("Is it one of these")).is_visible()
    assert tab.serious_accessibility_violations() == []
    offer.click()
    tab.page.wait_for_url(re.compile(rf"/reports/{followed.id}$"))
