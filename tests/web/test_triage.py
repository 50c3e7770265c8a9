"""Triage of residents' reports: a report waits unseen by partners until a coordinator accepts
it, merges it into a need already followed, or closes it as not actionable with a reason."""

from __future__ import annotations

from accounts.outbox import latest_emails
from needs.models import Need
from needs.queries import count_reports_awaiting_triage
from tests.factories import DOWNTOWN


def test_a_new_report_waits_for_triage_and_partners_do_not_see_it(make, pages):
    report = make.report()
    member = make.user("partner", make.partner_doing("illegal_dumping", 5))
    tasks = pages(member).text("/tasks/")
    assert f"#{report.id}" not in tasks and report.title not in tasks
    assert count_reports_awaiting_triage() == 1
    home = pages(make.user("coordinator")).text("/coordinator/")
    assert "<strong>1</strong> residents' reports to triage" in home.replace("&#39;", "'")


def test_the_queue_shows_each_report_with_its_age_and_a_likely_duplicate(make, pages):
    followed = make.need(
        capability="illegal_dumping", latitude=DOWNTOWN[0], longitude=DOWNTOWN[1], title="Tyres"
    )
    report = make.report(latitude=DOWNTOWN[0] + 0.0003, longitude=DOWNTOWN[1])
    page = pages(make.user("coordinator")).text("/coordinator/triage/")
    assert f"#{report.id}" in page and "waiting 0 hours" in page
    assert "Likely the same as" in page and f"#{followed.id} Tyres" in page
    assert "33 m away" in page


def test_a_coordinator_accepts_a_report_and_it_becomes_an_open_need(make, pages):
    report = make.report()
    coordinator = pages(make.user("coordinator"))
    response = coordinator.post(f"/coordinator/triage/{report.id}/accept", {"note": ""})
    assert response.status_code == 302
    assert "accepted" in coordinator.text("/coordinator/triage/")
    need = make_fresh(report.id)
    assert need.status == "open"
    member = make.user("partner", make.partner_doing("illegal_dumping", 5))
    assert f"#{report.id}" in pages(member).text("/tasks/")
    assert count_reports_awaiting_triage() == 0


def test_a_waiting_report_s_page_leads_coordinators_to_the_queue(make, pages):
    report = make.report()
    page = pages(make.user("coordinator")).text(f"/needs/{report.id}")
    assert "waiting for triage" in page and f"#report-{report.id}-h" in page


def test_merging_a_report_points_it_at_the_need_its_reporter_now_follows(make, pages):
    followed = make.need(capability="illegal_dumping")
    report = make.report(reporter_email="follower@home.example")
    coordinator = pages(make.user("coordinator"))
    coordinator.post(f"/coordinator/triage/{report.id}/merge", {"into": str(followed.id)})
    merged = make_fresh(report.id)
    assert (merged.status, merged.duplicate_of_id) == ("duplicate", followed.id)
    mail = latest_emails("follower@home.example", limit=1)[0]
    assert f"/reports/{followed.id}" in mail.body and "joins" in mail.subject


def test_a_report_cannot_be_merged_into_another_waiting_report(make, pages):
    first, second = make.report(), make.report()
    coordinator = pages(make.user("coordinator"))
    coordinator.post(f"/coordinator/triage/{second.id}/merge", {"into": str(first.id)})
    assert "merge into an accepted need instead" in coordinator.text("/coordinator/triage/")
    assert make_fresh(second.id).status == "reported"


def test_a_report_cannot_be_merged_into_a_cancelled_need(make, pages):
    from needs.services import close_need

    cancelled = make.need(capability="illegal_dumping")
    close_need(make.user("coordinator").actor, cancelled.id, "cancel", "Posted by mistake")
    report = make.report()
    pages(make.user("coordinator")).post(
        f"/coordinator/triage/{report.id}/merge", {"into": str(cancelled.id)}
    )
    assert make_fresh(report.id).status == "reported"


def test_closing_as_not_actionable_needs_a_reason(make, pages):
    report = make.report()
    coordinator = pages(make.user("coordinator"))
    coordinator.post(f"/coordinator/triage/{report.id}/dismiss", {"reason": ""})
    assert make_fresh(report.id).status == "reported"
    coordinator.post(
        f"/coordinator/triage/{report.id}/dismiss", {"reason": "Private property: call the owner."}
    )
    assert make_fresh(report.id).status == "not_actionable"


def test_only_coordinators_triage(make, pages):
    report = make.report()
    member = pages(make.user("partner", make.partner_doing("illegal_dumping", 5)))
    assert member.post(f"/coordinator/triage/{report.id}/accept", {}).status_code == 403
    assert member.get("/coordinator/triage/").status_code == 403
    assert make_fresh(report.id).status == "reported"


def make_fresh(need_id: int) -> Need:
    """The need as the database has it now."""
    from commonground.extensions import db

    db.session.expire_all()
    return db.session.get(Need, need_id)
