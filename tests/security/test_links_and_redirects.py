"""Links in emails come from PUBLIC_BASE_URL, never from the request's Host; production accepts
only its own host; after sign-in only same-site paths are followed, and no `next` is a 500
(issue 14, item 1; docs/field-notes.md, trap 14)."""

from __future__ import annotations

import pytest

from accounts.outbox import latest_emails
from commonground.config import load_config
from commonground.links import same_site_path
from tests.factories import PASSWORD

# Every request of the attacker's browser says Host: evil.example (and a forwarded host too).
FORGED = {"HTTP_HOST": "evil.example", "HTTP_X_FORWARDED_HOST": "evil.example"}


def _last_body(to: str) -> str:
    (email,) = latest_emails(to, limit=1)
    return email.body


def test_a_forged_host_does_not_reach_the_password_reset_email(app, make, browser):
    person = make.user("viewer")
    web = browser(**FORGED)
    response = web.post("/password/forgot", {"email": person.user.email})
    assert response.status_code == 302
    body = _last_body(person.user.email)
    assert "evil.example" not in body
    assert app.config["PUBLIC_BASE_URL"] + "/password/reset/" in body


def test_a_forged_host_does_not_reach_the_invitation_email(app, make, browser):
    partner = make.partner()
    admin = make.user("partner", partner=partner, is_partner_admin=True)
    web = browser(**FORGED)
    web.login(admin.user.email)
    response = web.post(
        "/organisation/members", {"name": "Nia New", "email": "nia@partner.example"}
    )
    assert response.status_code == 302
    body = _last_body("nia@partner.example")
    assert "evil.example" not in body
    assert app.config["PUBLIC_BASE_URL"] + "/password/reset/" in body


def test_links_keep_the_base_urls_path_prefix(app, make, browser, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://city.example/commonground")
    person = make.user("viewer")
    browser().post("/password/forgot", {"email": person.user.email})
    assert "https://city.example/commonground/password/reset/" in _last_body(person.user.email)


def test_production_accepts_only_the_public_host(app, client, monkeypatch):
    config = load_config(
        {"ENV": "production", "SECRET_KEY": "x" * 40, "PUBLIC_BASE_URL": "https://cg.city.example"}
    )
    assert config["TRUSTED_HOSTS"] == ["cg.city.example"]
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", config["TRUSTED_HOSTS"])
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "cg.city.example"}).status_code == 200


@pytest.mark.parametrize(
    "base_url", ["", "http://cg.city.example", "cg.city.example", "javascript:alert(1)"]
)
def test_production_refuses_a_missing_or_plain_http_base_url(base_url):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        load_config({"ENV": "production", "SECRET_KEY": "x" * 40, "PUBLIC_BASE_URL": base_url})


OFF_SITE = [
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "//evil.example/steal",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "/%0d%0aSet-Cookie:%20stolen=1",
    "/%00",
    "/%ED%A0%80",
    "/%E2%80%8B/evil.example",
    "/[",
    "http://[",
    "/" + "a" * 5000,
    " /x",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_follows_next_off_site_and_never_fails(make, browser, target):
    person = make.user("viewer")
    response = browser().post(
        f"/login?next={target}", {"email": person.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    # Home, or (for bytes that are not UTF-8, kept percent-encoded) a harmless path here.
    assert location == "/" or (same_site_path(location) == location and "evil" not in location)


def test_sign_in_follows_a_same_site_next(make, browser):
    person = make.user("viewer")
    response = browser().post(
        "/login?next=/tasks/claims%3Fpage%3D2", {"email": person.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/claims?page=2"


def test_the_redirect_check_is_total():
    for raw in ["/\t/evil.example", "/\\evil", "/\r\n", "\x00", "/ok\ud800", "", None]:
        assert same_site_path(raw) is None
    assert same_site_path("/needs/?status=open") == "/needs/?status=open"
