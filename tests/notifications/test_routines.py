"""The clock-driven notices: a warning before a stale claim is released, the partners' weekly
digest of new tasks near them, the coordinators' daily digest — each once per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.services import run_routine
from needs.services import claim_need
from notifications.delivery import deliver_due_emails
from notifications.routines import send_scheduled_notices, send_tasks_digests
from tests.factories import DOWNTOWN
from tests.statements import counted_queries

CITY = "Baton Rouge (demo)"
# 18:00 UTC on a Tuesday: noon in Baton Rouge, the same city day either side of it.
TUESDAY = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def _run(at: datetime) -> dict[str, int]:
    counts = send_scheduled_notices(at)
    deliver_due_emails(at)
    return counts


def test_members_are_warned_before_an_unstarted_claim_is_released_once(make, crew, mailbox):
    need = make.need(title="Tyres on Pine Street", now=TUESDAY - timedelta(days=8))
    claim_need(crew["ana"].actor, need.id, now=TUESDAY - timedelta(days=4))
    assert _run(TUESDAY)["claim_warning"] == 0  # released on day 7, warned from day 5
    mailbox.received.clear()

    assert _run(TUESDAY + timedelta(days=1, hours=1))["claim_warning"] == 2
    assert _run(TUESDAY + timedelta(days=1, hours=5))["claim_warning"] == 0
    warnings = [r for r in mailbox.received if "will be released" in r.subject]
    assert sorted(r.recipients[0] for r in warnings) == sorted(
        [crew["ana"].user.email, crew["ben"].user.email]
    )
    text = warnings[0].text()
    assert "2026-12-04 12:00 CST" in text  # the deadline, in the city's zone
    assert "unless the work is started" in text
    assert warnings[0].subject == f"{CITY}: Your claim will be released on 2026-12-04: " + (
        "Tyres on Pine Street"
    )


def test_the_weekly_digest_lists_new_tasks_near_the_partner_once_a_week(make, crew, mailbox):
    near = make.need(
        title="Litter by the bus stop", latitude=DOWNTOWN[0] + 0.002, now=TUESDAY - timedelta(1)
    )
    make.need(title="Old litter", now=TUESDAY - timedelta(days=20))
    make.need(title="Lot to mow", capability="lot_mowing", now=TUESDAY - timedelta(days=1))

    assert _run(TUESDAY)["tasks_digest"] == 3  # two members of one partner, one of the other
    digest = mailbox.to(crew["ana"].user.email)[0]
    assert digest.subject.startswith(f"{CITY}: 1 new task near Mid City Cleaners")
    assert "Litter by the bus stop" in digest.text()
    assert f"http://127.0.0.1:5000/needs/{near.id}" in digest.html()
    assert "Old litter" not in digest.text() and "Lot to mow" not in digest.text()
    assert crew["coordinator"].user.email not in mailbox.recipients()

    with counted_queries() as read:
        assert send_tasks_digests(TUESDAY + timedelta(days=2)) == 0  # the same week
    assert not [s for s in read if "FROM need" in s]  # nobody's tasks ranked again
    make.need(title="Fresh litter", now=TUESDAY + timedelta(days=6))
    assert _run(TUESDAY + timedelta(days=7))["tasks_digest"] == 3  # the next week


def test_no_digest_goes_to_a_partner_with_no_new_tasks(make, crew, mailbox):
    make.need(title="Old litter", now=TUESDAY - timedelta(days=20))
    assert _run(TUESDAY)["tasks_digest"] == 0
    assert mailbox.received == []


def test_the_coordinators_digest_counts_what_waits_and_goes_once_a_day(make, crew, mailbox):
    admin = make.user("admin")
    make.partner(status="pending", name="New Helpers")
    make.completed_need(crew["ana"], title="Done lot")
    stale = make.need(title="Forgotten lot")
    claim_need(crew["ben"].actor, stale.id, now=TUESDAY - timedelta(days=9))
    make.report(now=TUESDAY - timedelta(hours=3))  # a resident's report waiting for triage

    assert _run(TUESDAY)["coordinator_digest"] == 2
    assert sorted(r.recipients[0] for r in mailbox.received if "Waiting" in r.subject) == sorted(
        [crew["coordinator"].user.email, admin.user.email]
    )
    text = mailbox.to(crew["coordinator"].user.email)[0].text()
    assert "Completions waiting for verification: 1" in text
    assert "Organisations waiting for review: 1" in text
    assert "Stale claims: 1" in text
    assert "New resident reports waiting for triage: 1" in text
    assert "on 2026-12-01" in text

    # 05:00 UTC on Wednesday is still Tuesday 23:00 in Baton Rouge: the same city day.
    assert _run(TUESDAY + timedelta(hours=11))["coordinator_digest"] == 0
    assert _run(TUESDAY + timedelta(hours=13))["coordinator_digest"] == 2  # Wednesday 01:00


def test_a_coordinator_who_switched_the_digest_off_gets_none(make, crew, mailbox, browser):
    make.completed_need(crew["ana"], title="Done lot")
    browser(crew["coordinator"]).post("/account/notifications", {"enabled": []})
    assert _run(TUESDAY)["coordinator_digest"] == 0
    assert mailbox.received == []


def test_flask_send_notices_runs_the_routines(app, make, crew, mailbox):
    make.completed_need(crew["ana"], title="Done lot")
    output = app.test_cli_runner().invoke(args=["send-notices"]).output
    assert "coordinator_digest: 1" in output


def test_the_worker_schedule_queues_the_notices_and_delivers_them(make, crew, mailbox):
    """The two routines `flask worker` runs: daily-notices queues, deliver-mail sends."""
    stale = make.need(title="Half-forgotten lot")
    claim_need(crew["ben"].actor, stale.id, now=TUESDAY - timedelta(days=9))
    message = run_routine("daily-notices", TUESDAY)
    assert message.startswith("Queued ") and "1 coordinator_digest" in message
    assert mailbox.received == []  # queued, not yet sent
    assert run_routine("deliver-mail", TUESDAY) != "0 email(s) sent."
    assert [r.recipients for r in mailbox.received if "Waiting" in r.subject] == [
        [crew["coordinator"].user.email]
    ]
    assert run_routine("deliver-mail", TUESDAY) == "0 email(s) sent."  # never twice
