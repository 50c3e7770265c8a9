"""Handouts worth handing over (issue 16): the demo city's briefings, made from the briefings page
and opened as PDF, looked at as pictures (no page but the last mostly blank, no ink at the
paper's edge) and read as text (a sign-up address, its QR code and a phone number from the
settings; the neighbourhood handout in the residents' voice); and the partner's page, its own
impact page and its briefing showing the same impact, read by one query."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from briefings.charts import qr_code
from commonground.config import load_config
from commonground.db_types import utcnow
from commonground.extensions import db
from needs.models import Claim
from needs.services import claim_need, release_need, reopen_need, verify_need
from seeds.demo import load_demo_city
from tests.browser import csrf_token
from tests.pdf_pages import look_at_pdf, pdf_text

MOSTLY_BLANK = 0.5
"""A page is mostly blank when more than half its printable height is empty below its content.
What may move whole to the next page is at most a heading with its first lines, a table row, a
figure (the map with its heading and introduction: 45 % of a page) or a small kept section, so a
page the layout filled as far as it could is never more than half empty; a forced break or a
block too tall to fit leaves more (the old first page was 64 % blank)."""


def _made(response) -> int:
    assert response.status_code == 303, response.text
    return int(re.search(r"/briefings/(\d+)$", response.headers["Location"]).group(1))


@pytest.fixture
def demo(make):
    load_demo_city(today=utcnow().date())
    busiest = db.session.execute(
        select(Claim.partner_id)
        .where(Claim.completed_at.is_not(None))
        .group_by(Claim.partner_id)
        .order_by(func.count().desc(), Claim.partner_id)
    ).scalar()
    return {"outreach": make.user("outreach"), "partner_id": busiest}


def _handouts(web, partner_id: int) -> dict[str, int]:
    token = csrf_token(web.get("/briefings/").text)
    return {
        "partner": _made(
            web.post("/briefings/partner", data={"csrf_token": token, "partner_id": partner_id})
        ),
        "neighbourhood": _made(
            web.post(
                "/briefings/neighbourhood",
                data={"csrf_token": token, "neighbourhood": "Mid City", "weekly_tasks": "5"},
            )
        ),
        "prospect": _made(
            web.post(
                "/briefings/prospect",
                data={
                    "csrf_token": token,
                    "name": "Hope Chapel",
                    "sector": "faith_based",
                    "neighbourhood": "Mid City",
                    "radius_km": "2",
                    "capabilities": ["litter_cleanup", "board_up", "exterior_repair"],
                    "tasks_per_week": "2",
                    "volunteer_hours_per_week": "6",
                },
            )
        ),
    }


def test_the_demo_city_handouts_look_right_on_paper_and_tell_readers_how_to_sign_up(
    browser, demo, app
):
    web = browser(demo["outreach"].user.email)
    signup = "http://127.0.0.1:5000/register"
    for kind, briefing_id in _handouts(web, demo["partner_id"]).items():
        pdf = web.get(f"/briefings/{briefing_id}.pdf")
        assert pdf.status_code == 200
        pages = look_at_pdf(pdf.data)
        report = "\n".join(page.line() for page in pages)
        print(f"{kind}: {len(pages)} pages\n{report}")  # the figures, with -s
        assert 2 <= len(pages) <= 8, report
        for page in pages[:-1]:
            assert page.blank_below < MOSTLY_BLANK, f"{kind} {page.line()}"
        for page in pages:
            assert page.edge_ink == 0, f"{kind}: ink at the paper's edge: {page.line()}"
        text = pdf_text(pdf.data)
        document = web.get(f"/briefings/{briefing_id}/document").text
        url = "http://127.0.0.1:5000/tasks/" if kind == "partner" else signup
        assert url in text, kind
        assert "call 311" in " ".join(text.split()), kind
        # The QR code printed is the code of that address (drawn by segno, as the page draws it).
        assert qr_code(url, title=f"QR code: {url}") in document, kind
        assert 'class="qr"' in document
        # Labels are never cut: the longest kind of work is there whole (wrapped, not clipped).
        assert "<title>Resident property-maintenance help</title>" in document, kind


def test_the_neighbourhood_handout_speaks_to_residents(browser, demo):
    web = browser(demo["outreach"].user.email)
    briefing_id = _handouts(web, demo["partner_id"])["neighbourhood"]
    text = " ".join(pdf_text(web.get(f"/briefings/{briefing_id}.pdf").data).split())
    for partner_voice in (
        "from your base",
        "weekly slots",
        "slots left",
        "suggested for you",
        "you bring",
        "service area",
        "priority",
        "Claims gone stale",
        "matching engine",
    ):
        assert partner_voice not in text, partner_voice
    for resident_voice in (
        "Mid City: what needs doing, and how to help",
        "For neighbours in Mid City",
        "Join in",
        "Jobs a group could start with",
        "Groups already at work in Mid City",
        "Report it at http://127.0.0.1:5000/report",
    ):
        assert resident_voice in text, resident_voice


def test_the_sign_up_address_and_phone_come_from_the_settings(browser, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_URL", "https://join.city.example/groups?from=flyer")
    monkeypatch.setitem(app.config, "CITY_PHONE", "225-389-3000")
    make.need(neighbourhood="Downtown")
    web = browser(make.user("outreach").user.email)
    token = csrf_token(web.get("/briefings/").text)
    briefing_id = _made(
        web.post(
            "/briefings/neighbourhood",
            data={"csrf_token": token, "neighbourhood": "Downtown", "weekly_tasks": "2"},
        )
    )
    document = web.get(f"/briefings/{briefing_id}/document").text
    url = "https://join.city.example/groups?from=flyer"
    assert "https://join.city.example/groups?from=flyer".replace("&", "&amp;") in document
    assert qr_code(url, title=f"QR code: {url}") in document
    text = " ".join(pdf_text(web.get(f"/briefings/{briefing_id}.pdf").data).split())
    assert url in text and "Or call 225-389-3000 and we will sign you up." in text


def _figures(text: str) -> dict[str, str]:
    """The impact figures a page or a PDF shows, by what they count (read from its impact
    summary on: a partner's page lists its weekly capacity in volunteer hours before it)."""
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    starts = [flat.find(mark) for mark in ("Record", "Our history and impact", "Your impact")]
    flat = flat[max(starts) :]
    found = {
        "tasks": re.search(r"(\d+) tasks? completed \((\d+) verified\)", flat)
        or re.search(r"Tasks completed (\d+) \((\d+) verified\)", flat),
        "volunteers": re.search(r"(\d+) volunteers\b", flat)
        or re.search(r"Volunteers (\d+)", flat),
        "hours": re.search(r"([\d.]+) volunteer hours", flat)
        or re.search(r"Volunteer hours ([\d.]+)", flat),
        "bags": re.search(r"([\d.]+) bags", flat),
    }
    assert all(found.values()), (found, flat[:3000])
    return {key: " ".join(match.groups()) for key, match in found.items()}


def test_the_partner_page_its_impact_page_and_its_briefing_show_the_same_impact(browser, make):
    crew = make.partner(
        name="Northside Crew",
        capabilities=[
            {"capability": "litter_cleanup", "tasks_per_week": 10, "volunteer_hours_per_week": 8}
        ],
    )
    member = make.user("partner", partner=crew)
    coordinator = make.user("coordinator")
    reports = [
        {"volunteers": 4, "hours": 10.5, "units": 12, "unit_kind": "bags"},
        {"volunteers": 3},  # no hours, no units
        {"hours": 2.2},  # no volunteers
        {"units": 5, "unit_kind": "bags", "volunteers": 2},
        {"volunteers": 9, "hours": 30.0, "units": 40, "unit_kind": "bags"},  # reopened below
    ]
    needs = [
        make.completed_need(member, report, neighbourhood="Downtown", title=f"Lot {n}")
        for n, report in enumerate(reports)
    ]
    verify_need(coordinator.actor, needs[0].id)
    reopen_need(coordinator.actor, needs[-1].id, "Still full of litter.")
    released = make.need(neighbourhood="Downtown")
    claim_need(member.actor, released.id)
    release_need(member.actor, released.id, "Rained off.")
    claim_need(member.actor, make.need(neighbourhood="Downtown").id)  # in hand, not done
    expected = {"tasks": "4 1", "volunteers": "9", "hours": "12.7", "bags": "17"}

    staff = browser(make.user("outreach").user.email)
    page = staff.get(f"/partners/{crew.id}").text
    own = browser(member.user.email).get("/tasks/history").text
    token = csrf_token(staff.get("/briefings/").text)
    briefing_id = _made(
        staff.post("/briefings/partner", data={"csrf_token": token, "partner_id": crew.id})
    )
    document = staff.get(f"/briefings/{briefing_id}/document").text
    pdf = pdf_text(staff.get(f"/briefings/{briefing_id}.pdf").data)
    for name, shown in (("partner page", page), ("impact page", own), ("HTML", document)):
        assert _figures(shown) == expected, name
    assert _figures(pdf) == expected


@pytest.mark.parametrize("url", ["javascript:alert(1)", "register", "ftp://city.example/join"])
def test_a_sign_up_address_that_is_not_a_web_address_is_refused_at_start(url):
    with pytest.raises(RuntimeError, match="SIGNUP_URL"):
        load_config({"SECRET_KEY": "x", "SIGNUP_URL": url})
