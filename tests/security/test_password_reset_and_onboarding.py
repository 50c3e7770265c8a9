"""Password reset by single-use, expiring email link; organisations registering themselves;
partner admins inviting and removing members; coordinators verifying organisations."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from accounts.models import OutboxEmail, User
from accounts.outbox import latest_emails
from commonground.db_types import utcnow
from commonground.extensions import db
from partners.models import Partner

NEW_PASSWORD = "another long password 42"


def _link_in_last_email(to: str) -> str:
    (email,) = latest_emails(to, limit=1)
    base = re.escape(current_app.config["PUBLIC_BASE_URL"])
    match = re.search(base + r"(/password/reset/\S+)", email.body)
    assert match, email.body
    return match.group(1)


def _choose_password(web, link: str, password: str = NEW_PASSWORD):
    return web.post(link, {"password": password, "confirm": password})


def test_a_forgotten_password_is_reset_once_with_the_emailed_link(make, browser):
    person = make.user("coordinator")
    elsewhere = browser()
    elsewhere.login(person.user.email)
    web = browser()
    response = web.post("/password/forgot", {"email": person.user.email})
    assert response.status_code == 302
    link = _link_in_last_email(person.user.email)
    assert web.get(link).status_code == 200
    assert _choose_password(web, link).status_code == 302
    assert browser().login(person.user.email).status_code == 401
    assert browser().login(person.user.email, NEW_PASSWORD).status_code == 302
    assert elsewhere.get("/account").status_code == 302  # every old session ended
    assert web.get(link).status_code == 404  # single use
    assert _choose_password(web, link, "yet another long one 1").status_code == 404


def test_a_reset_link_expires(app, make, browser, monkeypatch):
    person = make.user("viewer")
    web = browser()
    web.post("/password/forgot", {"email": person.user.email})
    link = _link_in_last_email(person.user.email)
    later = utcnow() + timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"] + 1)
    monkeypatch.setitem(app.config, "CLOCK", lambda: later)
    assert web.get(link).status_code == 404
    assert _choose_password(web, link).status_code == 404


def test_asking_for_a_reset_reveals_nothing_about_unknown_emails(make, browser):
    person = make.user("viewer")
    known = browser().post("/password/forgot", {"email": person.user.email})
    unknown = browser().post("/password/forgot", {"email": "nobody@test.example"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert (
        db.session.scalar(
            select(OutboxEmail.id).where(OutboxEmail.to_address == "nobody@test.example")
        )
        is None
    )


def test_a_newer_reset_link_replaces_the_older_one(make, browser):
    person = make.user("viewer")
    web = browser()
    web.post("/password/forgot", {"email": person.user.email})
    first = _link_in_last_email(person.user.email)
    web.post("/password/forgot", {"email": person.user.email})
    second = _link_in_last_email(person.user.email)
    assert first != second
    assert web.get(first).status_code == 404
    assert web.get(second).status_code == 200


def test_a_short_password_is_refused_on_reset(make, browser):
    person = make.user("viewer")
    web = browser()
    web.post("/password/forgot", {"email": person.user.email})
    link = _link_in_last_email(person.user.email)
    response = _choose_password(web, link, "short")
    assert response.status_code == 200
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert web.get(link).status_code == 200  # still usable


def _register(web, **overrides):
    data = {
        "name": "Mid City Gardeners",
        "sector": "civic_group",
        "description": "We mow and plant.",
        "website": "https://gardeners.example",
        "base_latitude": "30.45",
        "base_longitude": "-91.17",
        "service_radius_km": "4",
        "member_name": "Gail Gardener",
        "email": "gail@gardeners.example",
        "password": "gardens grow slowly",
        "confirm": "gardens grow slowly",
    }
    data.update(overrides)
    return web.post("/register", data)


def test_an_organisation_registers_itself_pending_with_its_first_member_as_admin(make, browser):
    web = browser()
    response = _register(web)
    assert response.status_code == 302
    partner = db.session.scalar(select(Partner).where(Partner.name == "Mid City Gardeners"))
    assert partner.status == "pending"
    user = db.session.scalar(select(User).where(User.email == "gail@gardeners.example"))
    assert (user.role, user.partner_id, user.is_partner_admin) == ("partner", partner.id, True)
    assert web.get("/organisation/members").status_code == 200


def test_registration_refuses_a_javascript_website_and_control_characters(make, browser):
    web = browser()
    assert _register(web, website="javascript:alert(1)").status_code == 422
    assert _register(web, name="Bad\x00Name").status_code == 422
    assert db.session.scalar(select(Partner.id)) is None


def test_a_coordinator_verifies_pauses_and_archives_a_registered_organisation(make, browser):
    _register(browser())
    partner_id = db.session.scalar(select(Partner.id).where(Partner.name == "Mid City Gardeners"))
    coordinator = make.user("coordinator")
    web = browser()
    web.login(coordinator.user.email)
    page = web.get("/review/partners").get_data(as_text=True)
    assert "Mid City Gardeners" in page
    for action, status in (("verify", "active"), ("pause", "paused"), ("archive", "archived")):
        assert web.post(f"/review/partners/{partner_id}/{action}").status_code == 302
        db.session.expire_all()
        assert db.session.get(Partner, partner_id).status == status
    assert web.post(f"/review/partners/{partner_id}/verify").status_code == 409


def test_a_partner_admin_invites_a_member_who_sets_a_password_and_signs_in(make, browser):
    partner = make.partner()
    admin = make.user("partner", partner=partner, is_partner_admin=True)
    web = browser()
    web.login(admin.user.email)
    response = web.post(
        "/organisation/members", {"name": "Nia New", "email": "nia@partner.example"}
    )
    assert response.status_code == 302
    member = db.session.scalar(select(User).where(User.email == "nia@partner.example"))
    assert (member.role, member.partner_id, member.is_partner_admin) == (
        "partner",
        partner.id,
        False,
    )
    assert browser().login("nia@partner.example", "").status_code in (400, 401)
    link = _link_in_last_email("nia@partner.example")
    newcomer = browser()
    assert _choose_password(newcomer, link).status_code == 302
    assert newcomer.login("nia@partner.example", NEW_PASSWORD).status_code == 302


def test_a_removed_member_loses_sessions_and_tokens_at_once(make, browser, api):
    partner = make.partner()
    admin = make.user("partner", partner=partner, is_partner_admin=True)
    member = make.user("partner", partner=partner)
    member_web = browser()
    member_web.login(member.user.email)
    assert api(member.token).get("/api/v1/me").status_code == 200
    web = browser()
    web.login(admin.user.email)
    assert web.post(f"/organisation/members/{member.id}/remove").status_code == 302
    assert member_web.get("/account").status_code == 302
    assert api(member.token).get("/api/v1/me").status_code == 401
    assert browser().login(member.user.email).status_code == 401


def test_a_plain_member_cannot_invite_and_another_organisations_admin_cannot_remove(make, browser):
    partner, other = make.partner(), make.partner()
    plain = make.user("partner", partner=partner)
    colleague = make.user("partner", partner=partner)
    other_admin = make.user("partner", partner=other, is_partner_admin=True)
    web = browser()
    web.login(plain.user.email)
    assert (
        web.post("/organisation/members", {"name": "X", "email": "x@x.example"}).status_code == 403
    )
    intruder = browser()
    intruder.login(other_admin.user.email)
    assert intruder.post(f"/organisation/members/{colleague.id}/remove").status_code == 404
    db.session.expire_all()
    assert db.session.get(User, colleague.id).is_active
    assert db.session.scalar(select(User.id).where(User.email == "x@x.example")) is None
