"""Hardening: security headers on every response, no stack traces, debug off, 405 keeps Allow,
and viewers get the redacted view (no personal contact data of residents or partners)."""

from __future__ import annotations

import pytest
from flask import Flask

from commonground.app import create_app
from commonground.security import content_security_policy, safe_url

PAGES = ["/", "/login", "/register", "/password/forgot", "/api/v1/docs", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client):
    for path in PAGES:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "javascript:" not in html


def test_api_answers_carry_headers_and_are_not_cached(make, api):
    person = make.user("viewer")
    response = api(person.token).get("/api/v1/needs/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_map_tiles_are_the_only_outside_images_allowed():
    csp = content_security_policy("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tile.openstreetmap.org" in csp
    assert "javascript" not in content_security_policy("javascript:alert(1)//{z}")


def test_only_http_links_survive_the_safe_url_filter():
    assert safe_url("https://ok.example/a") == "https://ok.example/a"
    assert safe_url("http://ok.example") == "http://ok.example"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x"):
        assert safe_url(bad) is None


def test_debug_is_off_unless_asked(app, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert app.debug is False


def test_an_unexpected_error_shows_no_stack_trace(app: Flask):
    broken = create_app(
        {
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret-key-not-for-production",
        }
    )

    @broken.get("/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    for headers in ({}, {"Accept": "application/json"}):
        response = broken.test_client().get("/boom", headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Traceback" not in body and "secret internals" not in body
        assert response.headers["Content-Security-Policy"]


def test_405_keeps_its_allow_header_on_api_and_pages(make, api, client):
    person = make.user("admin")
    api_response = api(person.token).put("/api/v1/needs/", json={})
    assert api_response.status_code == 405
    assert set(api_response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    page = client.delete("/login")
    assert page.status_code == 405
    assert "POST" in page.headers["Allow"]


def test_a_viewer_sees_no_resident_or_partner_contacts(make, api):
    partner = make.partner()
    need = make.need()
    viewer = make.user("viewer")
    coordinator = make.user("coordinator")
    seen = api(viewer.token).get(f"/api/v1/needs/{need.id}").json
    assert seen["reporter_name"] is None and seen["reporter_phone"] is None
    assert api(coordinator.token).get(f"/api/v1/needs/{need.id}").json["reporter_name"]
    listed = api(viewer.token).get("/api/v1/needs/").json
    assert all(n["reporter_name"] is None and n["reporter_email"] is None for n in listed)
    profile = api(viewer.token).get(f"/api/v1/partners/{partner.id}").json
    assert profile["contacts_redacted"] is True
    assert profile["contact_email"] is None and profile["contact_phone"] is None
    for row in api(viewer.token).get("/api/v1/partners/").json:
        assert row["contact_email"] is None and row["contact_name"] is None
    text = api(viewer.token).get("/api/v1/partners/").get_data(as_text=True)
    assert "225-555-01" not in text and "@partner.example" not in text
