"""API tokens end with the sessions ("log out everywhere", a password change or reset), and the
demo accounts with published passwords never reach a production database (issue 14, item 6)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from accounts.models import User
from accounts.outbox import latest_emails
from commonground.extensions import db

NEW_PASSWORD = "a brand new long password"


def test_log_out_everywhere_also_revokes_every_api_token(make, browser, api):
    person = make.user("coordinator")
    assert api(person.token).get("/api/v1/me").status_code == 200
    web = browser()
    web.login(person.user.email)
    assert web.post("/account/logout-everywhere").status_code == 302
    assert api(person.token).get("/api/v1/me").status_code == 401


def test_a_password_change_revokes_every_api_token(make, browser, api):
    person = make.user("outreach")
    web = browser()
    web.login(person.user.email)
    response = web.post(
        "/account/password",
        {
            "current_password": "correct horse battery staple",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert api(person.token).get("/api/v1/me").status_code == 401


def test_a_password_reset_revokes_every_api_token(make, browser, api):
    person = make.user("viewer")
    web = browser()
    web.post("/password/forgot", {"email": person.user.email})
    (email,) = latest_emails(person.user.email, limit=1)
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+)", email.body).group(1)
    assert web.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert api(person.token).get("/api/v1/me").status_code == 401


def test_another_users_tokens_survive_a_log_out_everywhere(make, browser, api):
    person, colleague = make.user("coordinator"), make.user("coordinator")
    web = browser()
    web.login(person.user.email)
    web.post("/account/logout-everywhere")
    assert api(colleague.token).get("/api/v1/me").status_code == 200


def test_flask_seed_refuses_to_run_in_production(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "ENV", "production")
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "refused" in result.output
    assert "password" not in result.output.replace("published passwords", "")
    assert db.session.scalar(select(func.count(User.id))) == 0
