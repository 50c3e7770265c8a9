"""The public report form, no account: a resident reports with a photo and lands on the status
page; photos are cleaned (GPS gone from the stored file) and refused ones never lose the report;
out-of-bounds points, bots and bursts are refused; the look-ups the form's script uses."""

from __future__ import annotations

import io
import re

from accounts.outbox import latest_emails
from commonground.extensions import db
from media.models import Photo
from media.services import photo_bytes
from needs.models import Need
from tests.factories import DOWNTOWN
from tests.photos import gps_of, phone_photo, size_of


def _form(**fields) -> dict:
    return {
        "capability": "illegal_dumping",
        "description": "Two mattresses dumped behind the bus stop.",
        "address": "1000 North St",
        "latitude": str(DOWNTOWN[0]),
        "longitude": str(DOWNTOWN[1]),
        "reporter_name": "Renata Quill",
        "reporter_email": "ren@home.example",
        "notify": "true",
        **fields,
    }


def _send(browser, data: dict, photos=(), **kwargs):
    data = dict(data)
    data["photos"] = [(io.BytesIO(content), name) for name, content in photos]
    return browser.post("/report", data, content_type="multipart/form-data", **kwargs)


def _reports() -> list[Need]:
    db.session.expire_all()
    return list(db.session.query(Need).filter(Need.source == "resident").order_by(Need.id))


def test_a_resident_reports_with_a_photo_and_lands_on_the_status_page(pages):
    resident = pages(None)
    response = _send(resident, _form(), [("mattress.jpg", phone_photo())])
    assert response.status_code == 302
    (report,) = _reports()
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    page = resident.text(response.headers["Location"])
    assert f"Report #{report.id}" in page and "Received" in page
    assert "ren@home.example" not in page and "Renata Quill" not in page
    assert "Two mattresses" not in page  # the resident's words are public once accepted
    assert report.status == "reported" and report.neighbourhood == "Downtown"
    (mail,) = latest_emails("ren@home.example")
    assert f"/reports/{report.id}" in mail.body and "/reports/stop/" in mail.body


def test_the_stored_photo_has_no_gps_and_is_resized_with_a_thumbnail(pages, app):
    original = phone_photo()
    assert gps_of(original)  # the phone wrote a position
    _send(pages(None), _form(), [("mattress.jpg", original)])
    (photo,) = db.session.query(Photo).all()
    stored, thumb = photo_bytes(photo), photo_bytes(photo, thumbnail=True)
    assert gps_of(stored) == {} and gps_of(thumb) == {}
    assert b"PhoneMaker" not in stored
    assert max(size_of(stored)) == app.config["PHOTO_MAX_SIDE"]
    assert max(size_of(thumb)) == app.config["PHOTO_THUMB_SIDE"]


def test_a_refused_photo_keeps_the_report_and_says_which_photo_and_why(pages):
    resident = pages(None)
    response = _send(
        resident,
        _form(),
        [("ok.jpg", phone_photo()), ("notes.jpg", b"%PDF-1.4 not a photo"), ("big.png", b"")],
    )
    (report,) = _reports()
    page = resident.text(response.headers["Location"])
    assert "Photo 2 (notes.jpg) was not added: it is not a JPEG, PNG or WebP photo" in page
    assert "Photo 3 (big.png) was not added: the file is empty" in page
    assert len(db.session.query(Photo).filter_by(need_id=report.id).all()) == 1


def test_a_photo_over_the_size_limit_is_refused_with_the_limit(app, pages):
    app.config["PHOTO_MAX_BYTES"] = 20_000
    try:
        response = _send(pages(None), _form(), [("huge.jpg", phone_photo())])
    finally:
        app.config["PHOTO_MAX_BYTES"] = 8 * 1024 * 1024
    assert response.status_code == 302
    assert len(_reports()) == 1 and db.session.query(Photo).count() == 0


def test_a_point_outside_the_city_is_refused_clearly_and_the_text_kept(pages):
    response = _send(pages(None), _form(latitude="40.7128", longitude="-74.0060"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "outside the city" in page and "Two mattresses dumped" in page
    assert _reports() == []


def test_without_javascript_the_address_alone_places_the_report(pages):
    response = _send(pages(None), _form(latitude="", longitude="", address="1004 North St"))
    assert response.status_code == 302
    (report,) = _reports()
    assert (round(report.latitude, 4), round(report.longitude, 4)) == (30.4506, -91.1908)


def test_an_unknown_address_without_a_pin_is_refused_on_the_field(pages):
    response = _send(pages(None), _form(latitude="", longitude="", address="1 Nowhere Lane"))
    assert response.status_code == 422
    assert 'id="address-error"' in response.get_data(as_text=True)


def test_without_consent_no_email_is_kept_or_sent(pages):
    _send(pages(None), _form(notify=""))
    (report,) = _reports()
    assert report.reporter_email is None and not report.reporter_notices
    assert latest_emails("ren@home.example") == []


def test_a_filled_honeypot_stores_nothing(pages):
    response = _send(pages(None), _form(website="http://spam.example"))
    assert response.status_code == 302 and _reports() == []


def test_a_post_without_the_csrf_token_is_refused(pages):
    response = pages(None).post("/report", _form(), csrf=False)
    assert response.status_code == 400 and _reports() == []


def test_a_burst_from_one_address_is_rate_limited(pages, app):
    resident = pages(None)
    limit = int(app.config["RATELIMIT_REPORT"].split()[0])
    codes = [
        _send(resident, _form(description=f"Burst {n} here")).status_code for n in range(limit + 1)
    ]
    assert codes[:limit] == [302] * limit and codes[-1] == 429
    assert len(_reports()) == limit
    other = pages(None, REMOTE_ADDR="10.9.8.7")
    assert _send(other, _form()).status_code == 302


def test_staff_only_kinds_are_not_offered_or_taken(pages):
    from capabilities.models import Capability

    db.session.get(Capability, "board_up").is_public = False
    db.session.commit()
    resident = pages(None)
    assert 'value="board_up"' not in resident.text("/report")
    assert 'value="illegal_dumping"' in resident.text("/report")
    response = _send(resident, _form(capability="board_up"))
    assert response.status_code == 422 and _reports() == []


def test_the_pin_look_up_and_the_nearby_reports_answer_json(make, pages):
    resident = pages(None)
    found = resident.get("/report/geocode?q=1000 North St").get_json()
    assert round(found["latitude"], 3) == 30.451
    open_need = make.need(capability="illegal_dumping", latitude=DOWNTOWN[0], longitude=DOWNTOWN[1])
    make.report(latitude=DOWNTOWN[0], longitude=DOWNTOWN[1])  # waiting: not followable yet
    body = resident.get(
        f"/report/nearby?capability=illegal_dumping&lat={DOWNTOWN[0]}&lon={DOWNTOWN[1] + 0.001}"
    ).get_json()
    assert [r["id"] for r in body["reports"]] == [open_need.id]
    assert body["reports"][0]["url"] == f"/reports/{open_need.id}"
    assert "reporter" not in str(body)


def test_photos_are_served_only_once_the_report_is_accepted(make, pages):
    from media.services import Upload
    from needs.triage import accept_report

    report = make.report(photos=[Upload("a.jpg", phone_photo())])
    (photo,) = db.session.query(Photo).all()
    resident = pages(None)
    url = f"/reports/{report.id}/photos/{photo.id}/thumb.jpg"
    assert resident.get(url).status_code == 404
    accept_report(make.user("coordinator").actor, report.id)
    response = resident.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert re.search(
        rf"/reports/{report.id}/photos/{photo.id}/thumb\.jpg",
        resident.text(f"/reports/{report.id}"),
    )


def test_the_unsubscribe_link_stops_the_emails_for_that_report(make, pages):
    from needs.triage import accept_report

    report = make.report(reporter_email="quiet@home.example")
    (mail,) = latest_emails("quiet@home.example")
    link = re.search(r"http://[^\s]+/reports/stop/\S+", mail.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    resident = pages(None)
    assert "Stop the emails" in resident.text("/" + path)
    assert mail.unsubscribe_url == link  # sent as List-Unsubscribe with the one-click POST
    # RFC 8058: the mail client posts without a cookie or a CSRF token; the signed link decides.
    assert resident.post("/" + path, {}, csrf=False).status_code == 200
    accept_report(make.user("coordinator").actor, report.id)
    assert len(latest_emails("quiet@home.example")) == 1
    assert resident.get("/reports/stop/forged-token").status_code == 404


def test_without_tiles_the_pin_map_gets_the_neighbourhood_outlines(pages, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "")
    page = pages(None).text("/report")
    assert 'data-outlines="[[&#34;' in page and "Downtown" in page
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://tiles.city.example/{z}/{x}/{y}.png")
    assert 'data-outlines="[]"' in pages(None).text("/report")


def test_when_the_geocoder_cannot_be_built_the_address_asks_for_the_pin(pages, app, monkeypatch):
    from geo.geocoding import _EXTENSION_KEY

    monkeypatch.setitem(app.config, "GEOCODER", "no-such-geocoder")
    monkeypatch.setitem(app.extensions, _EXTENSION_KEY, None)  # built afresh from the setting
    response = _send(pages(None), _form(latitude="", longitude="", address="1004 North St"))
    assert response.status_code == 422
    assert "cannot be looked up just now: place the pin on the map" in response.get_data(
        as_text=True
    )
    assert _reports() == []
