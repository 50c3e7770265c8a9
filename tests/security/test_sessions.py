"""Web sign-in sessions: new id at login, real logout, log out everywhere, timeouts, cookies."""

from __future__ import annotations

from datetime import timedelta

from commonground.db_types import utcnow
from commonground.extensions import db


def _signed_in(web) -> bool:
    return web.get("/account").status_code == 200


def test_a_member_signs_in_with_email_and_password_and_reaches_their_account(make, browser):
    person = make.user("coordinator")
    web = browser()
    response = web.login(person.user.email.upper())
    assert response.status_code == 302
    page = web.get("/account")
    assert page.status_code == 200
    assert person.user.email in page.get_data(as_text=True)


def test_a_wrong_password_is_refused_with_the_same_message_as_an_unknown_email(make, browser):
    person = make.user("viewer")
    wrong = browser().login(person.user.email, "not the password at all")
    unknown = browser().login("nobody@test.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Email or password is wrong." in wrong.get_data(as_text=True)
    assert "Email or password is wrong." in unknown.get_data(as_text=True)


def test_signing_in_issues_a_new_session_id(make, browser):
    person = make.user("viewer")
    web = browser()
    web.get("/login")
    before = web.session_cookie()
    web.login(person.user.email)
    first = web.session_cookie()
    web.post("/logout")
    web.login(person.user.email)
    second = web.session_cookie()
    assert before != first != second


def test_a_cookie_captured_before_logout_does_not_work_after_it(app, make, browser):
    person = make.user("coordinator")
    web = browser()
    web.login(person.user.email)
    captured = web.session_cookie()
    assert _signed_in(web)
    web.post("/logout")
    thief = browser()
    thief.client.set_cookie("cg_session", captured)
    response = thief.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_ends_only_this_browser_and_log_out_everywhere_ends_all(make, browser):
    person = make.user("outreach")
    laptop, phone, tablet = browser(), browser(), browser()
    for web in (laptop, phone, tablet):
        web.login(person.user.email)
    laptop.post("/logout")
    assert not _signed_in(laptop)
    assert _signed_in(phone) and _signed_in(tablet)
    response = phone.post("/account/logout-everywhere")
    assert response.status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(tablet)


def test_an_idle_session_expires_after_the_idle_timeout(app, make, browser, monkeypatch):
    person = make.user("viewer")
    web = browser()
    web.login(person.user.email)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    start = utcnow()
    monkeypatch.setitem(app.config, "CLOCK", lambda: start + idle - timedelta(minutes=1))
    assert _signed_in(web)  # activity moves the idle deadline on
    monkeypatch.setitem(app.config, "CLOCK", lambda: start + 2 * idle - timedelta(minutes=3))
    assert _signed_in(web)
    monkeypatch.setitem(app.config, "CLOCK", lambda: start + 3 * idle)
    assert not _signed_in(web)


def test_a_session_ends_at_the_absolute_timeout_even_when_active(app, make, browser, monkeypatch):
    person = make.user("viewer")
    web = browser()
    web.login(person.user.email)
    start = utcnow()
    step = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    moment = start
    while moment + step < start + absolute:
        moment += step
        monkeypatch.setitem(app.config, "CLOCK", lambda moment=moment: moment)
        assert _signed_in(web)
    monkeypatch.setitem(app.config, "CLOCK", lambda: start + absolute + timedelta(minutes=1))
    assert not _signed_in(web)


def test_changing_the_password_keeps_this_session_and_ends_the_others(make, browser):
    person = make.user("coordinator")
    here, elsewhere = browser(), browser()
    here.login(person.user.email)
    elsewhere.login(person.user.email)
    response = here.post(
        "/account/password",
        {
            "current_password": "correct horse battery staple",
            "new_password": "a brand new long password",
            "confirm": "a brand new long password",
        },
    )
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert browser().login(person.user.email).status_code == 401
    assert browser().login(person.user.email, "a brand new long password").status_code == 302


def test_a_deactivated_user_is_signed_out_at_once(make, browser):
    person = make.user("outreach")
    web = browser()
    web.login(person.user.email)
    person.user.is_active = False
    db.session.commit()
    assert not _signed_in(web)


def test_session_cookie_flags_are_set_explicitly(make, browser):
    person = make.user("viewer")
    web = browser()
    response = web.login(person.user.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("cg_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # a browser-session cookie; the server enforces timeouts


def test_production_cookies_are_secure_and_host_prefixed(monkeypatch):
    from commonground.config import load_config

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = load_config(
        {
            "ENV": "production",
            "SECRET_KEY": "x" * 40,
            "PUBLIC_BASE_URL": "https://commonground.city.example",
        }
    )
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert config["PASSWORD_HASH_METHOD"] == "scrypt"
    assert config["DEBUG"] is False
    assert config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_login_redirects_only_to_paths_on_this_site(make, browser):
    person = make.user("viewer")
    web = browser()
    token = web.csrf_token()
    response = web.client.post(
        "/login?next=//evil.example/steal",
        data={
            "email": person.user.email,
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"  # their own home, not elsewhere
