"""Switching a kind of notification off: the signed link in every email (a confirm page, and
the RFC 8058 one-click POST a mail client sends), and the choices on the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from notifications.delivery import deliver_due_emails


def _verify(api, make, crew, title: str) -> None:
    need = make.completed_need(crew["ana"], title=title)
    response = api(crew["coordinator"].token).post(f"/api/v1/needs/{need.id}/verify", json={})
    assert response.status_code == 200
    deliver_due_emails()


def _unsubscribe_path(email) -> str:
    return urlsplit(email.message["List-Unsubscribe"].strip("<>")).path


def test_the_one_click_post_stops_that_kind_for_that_person_only(api, make, crew, mailbox, client):
    _verify(api, make, crew, "First lot")
    path = _unsubscribe_path(mailbox.to(crew["ana"].user.email)[0])
    # What a mail client sends (RFC 8058): no cookie, no CSRF token.
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    mailbox.received.clear()

    _verify(api, make, crew, "Second lot")
    assert mailbox.recipients() == [crew["ben"].user.email]


def test_the_link_asks_first_and_a_click_on_the_button_unsubscribes(
    api, make, crew, mailbox, browser
):
    _verify(api, make, crew, "First lot")
    path = _unsubscribe_path(mailbox.to(crew["ben"].user.email)[0])
    anonymous = browser()
    page = anonymous.text(path)  # a link scanner's GET changes nothing
    assert "Our completed work was verified or reopened" in page and "Unsubscribe" in page
    assert anonymous.get(path).headers["Referrer-Policy"] == "no-referrer"
    mailbox.received.clear()
    _verify(api, make, crew, "Second lot")
    assert len(mailbox.received) == 2

    assert anonymous.post(path, csrf=False).status_code == 200
    mailbox.received.clear()
    _verify(api, make, crew, "Third lot")
    assert mailbox.recipients() == [crew["ana"].user.email]


def test_unsubscribing_from_one_kind_leaves_the_others_on(api, make, crew, mailbox, client):
    _verify(api, make, crew, "First lot")
    client.post(_unsubscribe_path(mailbox.to(crew["ana"].user.email)[0]))
    mailbox.received.clear()
    need = make.need(title="Mattress on Cedar Street")
    member = api(crew["ben"].token)
    member.post(f"/api/v1/needs/{need.id}/claim")
    member.post(f"/api/v1/needs/{need.id}/release", json={"reason": "Too heavy"})
    deliver_due_emails()
    assert mailbox.recipients() == [crew["ana"].user.email]  # a release is another kind


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_altered_link_unsubscribes_nobody(api, make, crew, mailbox, client, method):
    _verify(api, make, crew, "First lot")
    path = _unsubscribe_path(mailbox.to(crew["ana"].user.email)[0])
    assert getattr(client, method)(path[:-2] + "xx").status_code == 404
    assert getattr(client, method)("/unsubscribe/WzEsInRhc2tfb2ZmZXJlZCJd").status_code == 404
    mailbox.received.clear()
    _verify(api, make, crew, "Second lot")
    assert len(mailbox.received) == 2


def test_the_account_page_lists_my_notifications_and_saves_my_choices(
    api, make, crew, mailbox, browser
):
    ana = browser(crew["ana"])
    page = ana.text("/account")
    assert "Our completed work was verified or reopened" in page
    assert "Daily digest of what waits for coordinators" not in page  # not hers to choose
    everything_but_reviews = [
        "task_offered", "claim_warning", "claim_released", "organisation_reviewed", "tasks_digest"
    ]  # fmt: skip
    saved = ana.post("/account/notifications", {"enabled": everything_but_reviews})
    assert saved.status_code == 302
    assert 'value="completion_reviewed">' in ana.text("/account")  # unticked now

    _verify(api, make, crew, "First lot")
    assert mailbox.recipients() == [crew["ben"].user.email]

    ana.post("/account/notifications", {"enabled": ["completion_reviewed"]})
    mailbox.received.clear()
    _verify(api, make, crew, "Second lot")
    assert len(mailbox.received) == 2


def test_a_kind_that_is_not_mine_is_refused_on_the_account_page(crew, browser):
    ana = browser(crew["ana"])
    assert ana.post("/account/notifications", {"enabled": ["no_such_kind"]}).status_code == 422
    refused = ana.post("/account/notifications", {"enabled": ["coordinator_digest"]})
    assert refused.status_code == 422


def test_a_signed_link_made_for_one_use_is_refused_by_the_other(make, client):
    """A resident's "stop these emails" token and a person's unsubscribe token are signed for
    their own use (commonground.signing): neither opens the other's door."""
    from needs.notices import stop_token
    from notifications.unsubscribe import unsubscribe_token

    report = make.report()
    person = make.user("partner", partner=make.partner())
    assert client.get(f"/unsubscribe/{stop_token(report.id)}").status_code == 404
    other = unsubscribe_token(person.user.id, "task_offered")
    assert client.get(f"/reports/stop/{other}").status_code == 404
    assert client.get(f"/reports/stop/{stop_token(report.id)}").status_code == 200
