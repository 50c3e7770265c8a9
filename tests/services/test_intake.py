"""A coordinator imports needs from 311 exports and surveys: one transaction per file,
idempotent, every bad row explained, addresses geocoded once, duplicates linked not dropped."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from geopy import exc as geopy_exc
from sqlalchemy import func, select

from accounts.actor import SYSTEM
from capabilities.services import add_capability
from commonground.errors import ConflictError, PermissionDeniedError, ValidationError
from commonground.extensions import db
from geo.gazetteer import GazetteerGeocoder
from geo.geocoders import rate_limited
from geo.models import GeocodeCache
from intake.mapping import CategoryOverrides
from intake.services import ImportOptions, geocode_pending, import_needs, separate_duplicate
from needs.models import Claim, Need, NeedEvent
from needs.services import claim_need, close_need

ROOT = Path(__file__).resolve().parents[2]
BOSTON = ROOT / "tests" / "data" / "boston311"
POINTS = ROOT / "seeds" / "data" / "address_points.csv"
HEADER = "id,type,title,address,lat,lng,opened,status,closed\n"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SURVEY = ImportOptions(source="blight_survey")


def csv_file(tmp_path: Path, body: str, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def needs_of(source: str) -> list[Need]:
    return list(db.session.scalars(select(Need).where(Need.source == source).order_by(Need.id)))


def events_of(need: Need) -> list[tuple[str, str | None, str]]:
    rows = db.session.execute(
        select(NeedEvent.action, NeedEvent.from_status, NeedEvent.to_status)
        .where(NeedEvent.need_id == need.id)
        .order_by(NeedEvent.id)
    )
    return [tuple(row) for row in rows]


class CountingGazetteer(GazetteerGeocoder):
    """The demo gazetteer, counting the questions it is asked."""

    calls = 0

    def geocode(self, query, *, exactly_one=True, timeout=None):
        type(self).calls += 1
        return super().geocode(query, exactly_one=exactly_one, timeout=timeout)


class DownGazetteer(GazetteerGeocoder):
    """A geocoding service that is down."""

    def geocode(self, query, *, exactly_one=True, timeout=None):
        raise geopy_exc.GeocoderUnavailable(f"503 for {query}")


# -- the real Boston exports ------------------------------------------------------------------
BOSTON_FILES = {
    # file: (rows, created, rejected, pending placeholders, closed)
    "boston311_2015_illegal_dumping.csv": (45, 45, 0, 3, 44),
    "boston311_2015_abandoned_building.csv": (168, 168, 0, 3, 142),
    "boston311_2015_poor_conditions_of_property.csv": (173, 173, 0, 9, 156),
    "boston311_2015_trash_on_vacant_lot.csv": (381, 376, 5, 6, 273),  # 4 rejected were closed
}


@pytest.mark.parametrize("name", sorted(BOSTON_FILES))
def test_a_boston_export_imports_as_it_is(app_context, name):
    rows, created, rejected, pending, closed = BOSTON_FILES[name]
    report = import_needs(SYSTEM, BOSTON / name, ImportOptions(source="311"), now=NOW)
    assert (report.rows_read, report.created, report.rows_rejected) == (rows, created, rejected)
    assert report.location_pending == pending  # placeholder points; not in the demo gazetteer
    needs = needs_of("311")
    assert len(needs) == created
    assert sum(n.status == "closed" for n in needs) == closed
    assert sum(n.location_status == "pending" for n in needs) == pending
    assert all(n.latitude is None for n in needs if n.location_status == "pending")
    assert report.preset == "boston311"


def test_the_rejected_boston_rows_are_the_ones_without_any_address(app_context):
    report = import_needs(SYSTEM, BOSTON / "boston311_2015_trash_on_vacant_lot.csv", now=NOW)
    assert [(e.line, e.field) for e in report.errors] == [
        (line, "location") for line in (3, 7, 128, 171, 243)
    ]
    out = io.StringIO()
    assert report.write_errors_csv(out) == 5
    assert out.getvalue().splitlines()[1] == (
        '3,location,missing location that cannot be geocoded,"42.3594,-71.0587 (placeholder point)"'
        ",101001242822"  # the case's own id, to find it at the source
    )


def test_a_boston_need_keeps_its_source_details(app_context):
    import_needs(SYSTEM, BOSTON / "boston311_2015_illegal_dumping.csv", now=NOW)
    need = db.session.scalar(select(Need).where(Need.external_id == "101001253231"))
    assert need.capability_code == "illegal_dumping"
    assert need.address == "145 Pinckney St Boston MA 02114"
    assert (need.latitude, need.longitude, need.location_status) == (42.359, -71.0717, "ok")
    assert need.neighbourhood == "Back Bay"
    assert need.opened_at == datetime(2015, 1, 24, 19, 36, 52, tzinfo=UTC)
    assert need.status == "closed"
    assert events_of(need) == [("import", None, "closed")]


# -- idempotence ------------------------------------------------------------------------------
def test_importing_the_same_file_again_changes_nothing(app_context):
    path = BOSTON / "boston311_2015_abandoned_building.csv"
    import_needs(SYSTEM, path, now=NOW)
    events = db.session.scalar(select(func.count(NeedEvent.id)))
    updated_at = {n.id: n.updated_at for n in needs_of("311")}
    again = import_needs(SYSTEM, path, now=NOW.replace(hour=13))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 168)
    assert db.session.scalar(select(func.count(NeedEvent.id))) == events
    assert {n.id: n.updated_at for n in needs_of("311")} == updated_at


def test_a_changed_row_updates_its_need_with_an_edit_event(app_context, tmp_path):
    row = "S-1,Illegal Dumping,Tyres,1234 Plank Rd,30.500942,-91.147001,2026-11-01,open,\n"
    import_needs(SYSTEM, csv_file(tmp_path, row), SURVEY, now=NOW)
    changed = row.replace("Tyres", "Tyres and a sofa")
    report = import_needs(SYSTEM, csv_file(tmp_path, changed), SURVEY, now=NOW)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    (need,) = needs_of("blight_survey")
    assert need.title == "Tyres and a sofa"
    assert events_of(need) == [("import", None, "open"), ("edit", "open", "open")]
    note = db.session.scalar(select(NeedEvent.note).where(NeedEvent.action == "edit"))
    assert note == "Updated from blight_survey, line 2: title"


def test_a_closed_status_at_the_source_closes_the_open_need(app_context, tmp_path, make):
    row = "S-1,Trash on Vacant Lot,Litter,1234 Plank Rd,30.500942,-91.147001,2026-11-01,open,\n"
    import_needs(SYSTEM, csv_file(tmp_path, row), SURVEY, now=NOW)
    (need,) = needs_of("blight_survey")
    partner = make.partner()
    member = make.user("partner", partner=partner)
    claim_need(member.actor, need.id, now=NOW)
    closed = row.replace(",open,", ",closed,2026-11-20T15:00:00Z")
    report = import_needs(SYSTEM, csv_file(tmp_path, closed), SURVEY, now=NOW)
    assert report.closed_at_source == 1
    db.session.expire_all()
    need = db.session.get(Need, need.id)
    assert need.status == "closed"
    assert events_of(need)[-1] == ("close_at_source", "claimed", "closed")
    claim = db.session.scalar(select(Claim).where(Claim.need_id == need.id))
    assert claim.status == "released"
    assert claim.release_reason == "Closed at the source (blight_survey) on 2026-11-20"


def test_a_need_already_finished_here_is_left_alone_when_the_source_closes_it(
    app_context, tmp_path
):
    row = "S-1,Trash on Vacant Lot,Litter,1234 Plank Rd,30.500942,-91.147001,2026-11-01,open,\n"
    import_needs(SYSTEM, csv_file(tmp_path, row), SURVEY, now=NOW)
    (need,) = needs_of("blight_survey")
    close_need(SYSTEM, need.id, "cancel", "Private property", now=NOW)
    closed = row.replace(",open,", ",closed,2026-11-20")
    report = import_needs(SYSTEM, csv_file(tmp_path, closed), SURVEY, now=NOW)
    assert report.closed_at_source == 0
    db.session.expire_all()
    assert db.session.get(Need, need.id).status == "cancelled"


def test_the_same_id_twice_in_one_file_is_reported_not_imported_twice(app_context, tmp_path):
    body = (
        "S-1,Illegal Dumping,Tyres,1234 Plank Rd,30.500942,-91.147001,2026-11-01,open,\n"
        "S-1,Illegal Dumping,Tyres again,1234 Plank Rd,30.500942,-91.147001,2026-11-02,open,\n"
    )
    report = import_needs(SYSTEM, csv_file(tmp_path, body), SURVEY, now=NOW)
    assert report.created == 1
    assert [(e.line, e.field, e.reason) for e in report.errors] == [
        (3, "external_id", "the same id is on line 2 of this file")
    ]


# -- capability codes come from the taxonomy in the database ----------------------------------
def test_a_capability_an_admin_adds_can_be_imported_by_its_code_or_a_category_file(
    app_context, tmp_path
):
    add_capability(
        SYSTEM, {"code": "snow_clearing", "label": "Snow clearing", "default_effort_hours": 2.0}
    )
    body = (
        "S-1,snow_clearing,Icy steps,1234 Plank Rd,30.500942,-91.147001,2026-11-01,open,\n"
        "S-2,Snow and Ice,Icy lot,1300 Plank Rd,30.501942,-91.147001,2026-11-01,open,\n"
    )
    options = ImportOptions(
        source="blight_survey", categories=CategoryOverrides({"Snow and Ice": "snow_clearing"})
    )
    report = import_needs(SYSTEM, csv_file(tmp_path, body), options, now=NOW)
    assert (report.created, report.rows_rejected) == (2, 0)
    assert {n.capability_code for n in needs_of("blight_survey")} == {"snow_clearing"}


def test_a_category_file_naming_a_code_outside_the_taxonomy_is_refused(app_context, tmp_path):
    body = "S-1,Potholes,Hole,1234 Plank Rd,30.500942,-91.147001,2026-11-01,open,\n"
    options = ImportOptions(
        source="blight_survey", categories=CategoryOverrides({"Potholes": "pothole_filling"})
    )
    with pytest.raises(ValidationError, match="'pothole_filling', which is not a capability code"):
        import_needs(SYSTEM, csv_file(tmp_path, body), options, now=NOW)
    assert needs_of("blight_survey") == []


# -- geocoding --------------------------------------------------------------------------------
def test_a_row_without_coordinates_is_geocoded_once_through_the_cache(app_context, tmp_path):
    CountingGazetteer.calls = 0
    geocoder = rate_limited(CountingGazetteer.from_csv(POINTS), name="gazetteer")
    body = (
        'S-1,Illegal Dumping,Tyres,"1234 plank road, Baton Rouge LA 70805",,,2026-11-01,open,\n'
        'S-2,board_up,x,"1234 PLANK RD., Baton Rouge, LA 70805",0,0,2026-11-01,open,\n'
    )
    report = import_needs(SYSTEM, csv_file(tmp_path, body), SURVEY, geocoder=geocoder, now=NOW)
    assert report.located_by_geocoder == 2
    first, second = needs_of("blight_survey")
    assert (first.latitude, first.longitude) == (30.500942, -91.147001)
    assert first.location_status == "ok"
    assert first.neighbourhood == "Zion City"
    assert CountingGazetteer.calls == 1  # the same address, normalised: asked once
    assert db.session.scalar(select(func.count(GeocodeCache.id))) == 1
    import_needs(
        SYSTEM,
        csv_file(tmp_path, body.replace("S-1", "S-3").replace("S-2", "S-4")),
        SURVEY,
        geocoder=geocoder,
        now=NOW,
    )
    assert CountingGazetteer.calls == 1  # remembered across imports
    assert second.capability_code == "board_up"


def test_geocoder_failures_leave_the_need_location_pending(app_context, tmp_path):
    geocoder = rate_limited(DownGazetteer([]), name="gazetteer", max_retries=1)
    body = "S-1,Illegal Dumping,Tyres,1234 Plank Rd,,,2026-11-01,open,\n"
    report = import_needs(SYSTEM, csv_file(tmp_path, body), SURVEY, geocoder=geocoder, now=NOW)
    assert (report.created, report.location_pending) == (1, 1)
    (need,) = needs_of("blight_survey")
    assert (need.location_status, need.latitude) == ("pending", None)
    entry = db.session.scalar(select(GeocodeCache))
    assert (entry.status, entry.attempts) == ("failed", 1)


def test_geocode_pending_locates_them_later_with_one_summary_line(app_context, tmp_path, caplog):
    down = rate_limited(DownGazetteer([]), name="gazetteer", max_retries=2)
    body = "".join(
        f"S-{n},Illegal Dumping,Tyres,{address},,,2026-11-01,open,\n"
        for n, address in enumerate(["1234 Plank Rd", "222 St Louis St", "1 Nowhere Ln"])
    )
    import_needs(SYSTEM, csv_file(tmp_path, body), SURVEY, geocoder=down, now=NOW)
    with caplog.at_level(logging.DEBUG):
        failing = geocode_pending(SYSTEM, geocoder=down, now=NOW)
    assert (failing.failed, failing.still_pending) == (3, 3)
    assert failing.retry_log_records_suppressed >= 6  # 2 retries x 3 addresses, none shown
    assert [r.getMessage() for r in caplog.records] == [failing.line()]
    caplog.clear()
    working = rate_limited(GazetteerGeocoder.from_csv(POINTS), name="gazetteer")
    with caplog.at_level(logging.DEBUG):
        report = geocode_pending(SYSTEM, geocoder=working, now=NOW)
    assert (report.located, report.not_found, report.still_pending) == (2, 1, 1)
    assert len(caplog.records) == 1
    assert "2 located, 1 not found" in caplog.records[0].getMessage()
    located = [n for n in needs_of("blight_survey") if n.location_status == "ok"]
    assert sorted(n.neighbourhood for n in located) == ["Downtown", "Zion City"]
    assert events_of(located[0])[-1] == ("locate", "open", "open")


# -- probable duplicates ----------------------------------------------------------------------
def test_a_new_need_near_an_open_one_of_the_same_capability_is_a_probable_duplicate(
    app_context, tmp_path, make
):
    posted = make.need(capability="illegal_dumping", latitude=30.500942, longitude=-91.147001)
    body = (
        "S-1,Illegal Dumping,Tyres,1234 Plank Rd,30.50010,-91.14700,2026-11-01,open,\n"  # ~93 m
        "S-2,Illegal Dumping,Tyres,1234 Plank Rd,30.50110,-91.14700,2026-11-01,open,\n"  # ~18 m
        "S-3,Abandoned Building,Doors,1234 Plank Rd,30.50100,-91.14700,2026-11-01,open,\n"
        "S-4,Illegal Dumping,Sofa,1 Main St,30.45000,-91.18700,2026-11-01,open,\n"
        "S-5,Illegal Dumping,Sofa,1 Main St,30.45001,-91.18701,2026-11-01,open,\n"  # ~1.5 m
    )
    report = import_needs(SYSTEM, csv_file(tmp_path, body), SURVEY, now=NOW)
    assert report.created == 5  # kept, never dropped
    assert report.probable_duplicates == 2
    by_id = {n.external_id: n for n in needs_of("blight_survey")}
    assert by_id["S-1"].duplicate_of_id is None
    assert by_id["S-2"].duplicate_of_id == posted.id
    assert by_id["S-3"].duplicate_of_id is None  # another capability
    assert by_id["S-5"].duplicate_of_id == by_id["S-4"].id  # found within the same file


def test_a_coordinator_confirms_or_separates_a_probable_duplicate(app_context, tmp_path, make):
    coordinator = make.user("coordinator")
    body = (
        "S-1,Illegal Dumping,Sofa,1 Main St,30.45000,-91.18700,2026-11-01,open,\n"
        "S-2,Illegal Dumping,Sofa,1 Main St,30.45001,-91.18701,2026-11-01,open,\n"
        "S-3,Illegal Dumping,Sofa,1 Main St,30.45002,-91.18702,2026-11-01,open,\n"
    )
    import_needs(SYSTEM, csv_file(tmp_path, body), SURVEY, now=NOW)
    first, second, third = needs_of("blight_survey")
    assert second.duplicate_of_id == first.id and third.duplicate_of_id is not None
    confirmed = close_need(
        coordinator.actor, second.id, "mark_duplicate", "Same sofa", duplicate_of=first.id
    )
    assert confirmed.status == "duplicate"
    separated = separate_duplicate(coordinator.actor, third.id, now=NOW)
    assert separated.duplicate_of_id is None
    assert events_of(separated)[-1] == ("separate", "open", "open")
    with pytest.raises(ConflictError):
        separate_duplicate(coordinator.actor, third.id)


# -- who may import, and bad files ------------------------------------------------------------
@pytest.mark.parametrize("role", ["partner", "viewer", "outreach"])
def test_only_coordinators_and_admins_import(app_context, make, role):
    person = make.user(role, partner=make.partner() if role == "partner" else None)
    with pytest.raises(PermissionDeniedError):
        import_needs(person.actor, BOSTON / "boston311_2015_illegal_dumping.csv")
    with pytest.raises(PermissionDeniedError):
        geocode_pending(person.actor)


def test_a_coordinator_may_import(app_context, make):
    coordinator = make.user("coordinator")
    report = import_needs(coordinator.actor, BOSTON / "boston311_2015_illegal_dumping.csv")
    assert report.created == 45
    need = needs_of("311")[0]
    assert need.posted_by_id == coordinator.id


def test_a_file_that_cannot_be_read_is_a_validation_error(app_context, tmp_path):
    unknown = tmp_path / "odd.csv"
    unknown.write_text("colour,size\nred,3\n")
    with pytest.raises(ValidationError, match="cannot tell the file's layout"):
        import_needs(SYSTEM, unknown)
    with pytest.raises(ValidationError, match="unknown preset"):
        import_needs(
            SYSTEM, BOSTON / "boston311_2015_illegal_dumping.csv", ImportOptions(preset="nyc")
        )
    with pytest.raises(ValidationError, match="source"):
        import_needs(
            SYSTEM,
            BOSTON / "boston311_2015_illegal_dumping.csv",
            ImportOptions(source="Bad Source!"),
        )


def test_a_file_over_the_size_limit_is_refused(app, app_context):
    app.config["INTAKE_MAX_FILE_BYTES"] = 1000
    try:
        with pytest.raises(ValidationError, match="too large"):
            import_needs(SYSTEM, BOSTON / "boston311_2015_illegal_dumping.csv")
    finally:
        app.config["INTAKE_MAX_FILE_BYTES"] = 512 * 1024 * 1024


def test_an_import_that_fails_halfway_leaves_nothing(app_context):
    def interrupt(done: int) -> None:
        if done > 50_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_needs(SYSTEM, BOSTON / "boston311_2015_trash_on_vacant_lot.csv", progress=interrupt)
    assert db.session.scalar(select(func.count(Need.id))) == 0
    assert db.session.scalar(select(func.count(NeedEvent.id))) == 0


def test_a_kill_9_in_the_middle_of_an_import_leaves_nothing(app, app_context, tmp_path):
    from bench.intake_data import write_csv

    big = tmp_path / "big.csv"
    write_csv(big, 60_000, bad_share=0.0)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        FLASK_APP="wsgi.py",
        SECRET_KEY="test",
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "import-needs", str(big), "--source", "killed",
         "--no-geocode"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        started = process.stderr.read(9)  # "Importing": the import is under way
        assert started == b"Importing"
        time.sleep(2.0)
        assert process.poll() is None, "the import finished before it could be killed"
        process.kill()  # SIGKILL: no clean-up, no rollback, no atexit
    finally:
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -9
    db.session.rollback()
    assert db.session.scalar(select(func.count(Need.id)).where(Need.source == "killed")) == 0
    # and the database still works afterwards
    report = import_needs(
        SYSTEM, BOSTON / "boston311_2015_illegal_dumping.csv", ImportOptions(source="killed")
    )
    assert report.created == 45
