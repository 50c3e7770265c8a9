"""A resident's report from the form to verified work, through the pages each person uses: the
status page tells each step in plain words, names the partner only with its consent, and the
resident gets an email at each step; partners' before and after photos reach the coordinator
who verifies, and the after photo the public page."""

from __future__ import annotations

import io
import re

from accounts.outbox import latest_emails
from commonground.extensions import db
from media.models import Photo
from needs.models import Need
from tests.factories import DOWNTOWN
from tests.photos import gps_of, phone_photo


def _report_through_the_form(resident) -> int:
    response = resident.post(
        "/report",
        {
            "capability": "illegal_dumping",
            "description": "Tyres dumped on the verge.",
            "address": "1000 North St",
            "latitude": str(DOWNTOWN[0]),
            "longitude": str(DOWNTOWN[1]),
            "reporter_email": "ren@home.example",
            "notify": "true",
            "photos": [(io.BytesIO(phone_photo()), "tyres.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _complete_with_photos(member, need_id: int, after: bytes):
    return member.post(
        f"/tasks/{need_id}/complete",
        {
            "volunteers": "3",
            "hours": "2",
            "notes": "Six tyres taken away.",
            "before_photos": [(io.BytesIO(phone_photo(colour=(90, 90, 90))), "before.jpg")],
            "after_photos": [(io.BytesIO(after), "after.jpg")],
        },
        content_type="multipart/form-data",
    )


def test_a_report_goes_from_the_form_to_verified_and_the_resident_hears_each_step(make, pages):
    resident = pages(None)
    report_id = _report_through_the_form(resident)
    status = lambda: resident.text(f"/reports/{report_id}")  # noqa: E731 - read again each step
    assert "Received" in status()

    coordinator = pages(make.user("coordinator"))
    coordinator.post(f"/coordinator/triage/{report_id}/accept", {})
    assert "Accepted by the city" in status() and "Tyres dumped on the verge." in status()

    partner = make.partner_doing("illegal_dumping", 5, show_name_publicly=True)
    member = pages(make.user("partner", partner))
    assert member.post(f"/tasks/{report_id}/claim", {}).status_code == 302
    assert f"{partner.name} took it on" in status()
    member.post(f"/tasks/{report_id}/start", {})
    assert _complete_with_photos(member, report_id, phone_photo()).status_code == 302
    page = status()
    assert f"{partner.name} reported the work done" in page and "After the work" in page

    need_page = coordinator.text(f"/needs/{report_id}")
    assert "Before the work" in need_page and "After the work" in need_page
    after = db.session.query(Photo).filter_by(need_id=report_id, role="after").one()
    stored = coordinator.get(f"/needs/{report_id}/photos/{after.id}/full.jpg")
    assert stored.status_code == 200 and gps_of(stored.data) == {}
    coordinator.post(f"/needs/{report_id}/verify", {"note": ""})
    page = status()
    assert "The city checked the work: fixed" in page and "Fixed" in page
    assert "ren@home.example" not in page

    subjects = [m.subject for m in reversed(latest_emails("ren@home.example"))]
    assert subjects == [
        f"We received your report (#{report_id})",
        f"Your report was accepted (#{report_id})",
        f"Someone is taking care of it (#{report_id})",
        f"The work is reported done (#{report_id})",
        f"The city checked the work: fixed (#{report_id})",
    ]
    for mail in latest_emails("ren@home.example"):
        assert f"/reports/{report_id}" in mail.body and "/reports/stop/" in mail.body


def test_a_partner_that_did_not_agree_is_not_named(make, pages):
    report = make.report()
    from needs.triage import accept_report

    accept_report(make.user("coordinator").actor, report.id)
    partner = make.partner_doing("illegal_dumping", 5)
    pages(make.user("partner", partner)).post(f"/tasks/{report.id}/claim", {})
    page = pages(None).text(f"/reports/{report.id}")
    assert "A partner took it on" in page and partner.name not in page
    mail = latest_emails(report.reporter_email, limit=1)[0]
    assert partner.name not in mail.body and "A partner has taken it on" in mail.body


def test_a_partner_agrees_to_be_named_on_its_profile(make, pages):
    partner = make.partner_doing("illegal_dumping", 5)
    member = pages(make.user("partner", partner))
    form = member.text("/profile/")
    assert 'name="show_name_publicly"' in form
    fields = dict(re.findall(r'<input id="(\w+)" name="\1"[^>]*value="([^"]*)"', form))
    fields.update({"capability": "illegal_dumping", "tasks_per_week-illegal_dumping": "5",
                   "show_name_publicly": "true"})  # fmt: skip
    assert member.post("/profile/", fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(partner), partner.id).show_name_publicly is True


def test_a_merged_reporter_follows_the_need_it_joined(make, pages):
    from needs.services import claim_need
    from needs.triage import merge_report

    followed = make.need(capability="illegal_dumping")
    report = make.report(reporter_email="joined@home.example")
    merge_report(make.user("coordinator").actor, report.id, followed.id)
    page = pages(None).text(f"/reports/{report.id}")
    assert f'href="/reports/{followed.id}"' in page and "Merged into" in page
    member = make.user("partner", make.partner_doing("illegal_dumping", 5))
    claim_need(member.actor, followed.id)
    latest = latest_emails("joined@home.example", limit=1)[0]
    assert latest.subject.startswith("Someone is taking care of it")
    assert f"/reports/{followed.id}" in latest.body


def test_a_report_closed_as_not_actionable_shows_the_reason_publicly(make, pages):
    from needs.triage import dismiss_report

    report = make.report()
    dismiss_report(make.user("coordinator").actor, report.id, "It is on private land.")
    page = pages(None).text(f"/reports/{report.id}")
    assert "Closed" in page and "It is on private land." in page
    mail = latest_emails(report.reporter_email, limit=1)[0]
    assert "It is on private land." in mail.body


def test_a_refused_after_photo_keeps_the_partners_report_on_the_form(make, pages):
    from needs.services import claim_need, start_need
    from needs.triage import accept_report

    report = make.report()
    accept_report(make.user("coordinator").actor, report.id)
    person = make.user("partner", make.partner_doing("illegal_dumping", 5))
    claim_need(person.actor, report.id)
    start_need(person.actor, report.id)
    response = _complete_with_photos(pages(person), report.id, b"GIF89a not allowed")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "after.jpg: it is not a JPEG, PNG or WebP photo" in page
    assert "Six tyres taken away." in page
    db.session.expire_all()
    assert db.session.get(Need, report.id).status == "in_progress"
