"""A new city imports public files nobody here prepared (issue 12): files without dates or
priorities re-import idempotently, columns are mapped on the command line, a single "(lat, lon)"
column locates every row, unused columns are listed, and different parcels are not duplicates.

The files are small ones written here in the shapes of the published ones: a redevelopment
authority's property inventory and a city's vacant-building notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from accounts.actor import SYSTEM
from commonground.extensions import db
from intake.services import ImportOptions, import_needs
from needs.models import Need, NeedEvent

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def event_count() -> int:
    return db.session.scalar(select(func.count(NeedEvent.id))) or 0


# -- idempotence whatever columns a file has --------------------------------------------------
def test_a_file_without_dates_or_priorities_re_imports_as_unchanged(app_context, tmp_path):
    path = write(
        tmp_path,
        "lots.csv",
        "id,type,address,lat,lng\n"
        "L-1,Illegal Dumping,1234 Plank Rd,30.500942,-91.147001\n"
        "L-2,Illegal Dumping,1300 Plank Rd,30.510942,-91.147001\n",
    )
    options = ImportOptions(source="lots")
    first = import_needs(SYSTEM, path, options, now=NOW)
    assert first.created == 2
    opened = {n.id: n.opened_at for n in db.session.scalars(select(Need))}
    events = event_count()
    again = import_needs(SYSTEM, path, options, now=NOW + timedelta(days=3))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert event_count() == events
    assert {n.id: n.opened_at for n in db.session.scalars(select(Need))} == opened
    assert set(opened.values()) == {NOW}


def test_a_priority_changed_here_survives_a_re_import_of_a_file_without_priorities(
    app_context, tmp_path
):
    body = "id,type,title,address,lat,lng\nL-1,Illegal Dumping,Tyres,1234 Plank Rd,30.5,-91.14\n"
    options = ImportOptions(source="lots")
    import_needs(SYSTEM, write(tmp_path, "a.csv", body), options, now=NOW)
    need = db.session.scalar(select(Need))
    need.priority = 1
    db.session.commit()
    changed = body.replace("Tyres", "Tyres and a sofa")
    report = import_needs(SYSTEM, write(tmp_path, "b.csv", changed), options, now=NOW)
    assert report.updated == 1
    db.session.refresh(need)
    assert (need.title, need.priority, need.opened_at) == ("Tyres and a sofa", 1, NOW)


# -- the two public files, imported as published with mapping options only -------------------
REAL = Path(__file__).resolve().parents[1] / "data" / "realfiles"
INVENTORY = [
    "import-needs", str(REAL / "property_inventory.csv"), "--source", "inventory",
    "--column", "external_id=Identifier", "--column", "parcel_id=Identifier",
    "--column", "address=Property Address", "--column", "category=Property Type",
    "--categories", str(REAL / "inventory_categories.json"), "--no-geocode",
]  # fmt: skip
NOTICES = [
    "import-needs", str(REAL / "vacant_building_notices.csv"), "--source", "vacant",
    "--column", "external_id=blockLot", "--column", "parcel_id=blockLot",
    "--column", "address=fullAddress", "--column", "opened_at=noticeDate",
    "--location-column", "Location 1", "--set", "category=board_up", "--no-geocode",
]  # fmt: skip


def run(app, args: list[str]):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_property_inventory_imports_as_published_with_mapping_options(app, app_context):
    output = run(app, INVENTORY)
    assert "created 7, updated 0" in output
    assert "columns not used: City, State, Council District, Square Footage" in output
    assert "probable duplicates 0" in output  # adjacent parcels, each its own place
    needs = {n.external_id: n for n in db.session.scalars(select(Need))}
    assert needs["RA-0001"].capability_code == "lot_mowing"
    assert needs["RA-0003"].capability_code == "board_up"
    assert needs["RA-0003"].title == "Structure at 1209 N 38th St"
    assert (needs["RA-0001"].latitude, needs["RA-0001"].longitude) == (30.46801, -91.16104)
    assert needs["RA-0001"].parcel_id == "RA-0001"
    located = [n for n in needs.values() if n.location_status == "ok"]
    assert len(located) == 6  # every row with a point; RA-0007 has none
    assert needs["RA-0007"].location_status == "pending"


def test_the_vacant_building_notices_read_their_single_point_column(app, app_context):
    output = run(app, NOTICES)
    assert "created 6, updated 0" in output
    assert "columns not used: noticeNum, policeDistrict, councilDistrict" in output
    assert "probable duplicates 0" in output  # two parcels share one point: not duplicates
    needs = {n.external_id: n for n in db.session.scalars(select(Need))}
    assert (needs["1105 001"].latitude, needs["1105 001"].longitude) == (39.3095, -76.5977)
    assert needs["1105 001"].title == "Board-up of vacant structures at 1700 N CAROLINE ST"
    assert needs["1105 001"].neighbourhood == "BROADWAY EAST"
    assert needs["1105 001"].opened_at.date().isoformat() == "2007-09-04"
    assert sum(n.location_status == "ok" for n in needs.values()) == 5
    assert needs["0012 035"].location_status == "pending"


def test_re_running_both_files_reports_nothing_updated_and_writes_no_event(app, app_context):
    run(app, INVENTORY)
    run(app, NOTICES)
    events = event_count()
    assert "created 0, updated 0, unchanged 7" in run(app, INVENTORY)
    assert "created 0, updated 0, unchanged 6" in run(app, NOTICES)
    assert event_count() == events


def test_a_dry_run_previews_the_first_rows_and_stores_nothing(app, app_context):
    output = run(app, [*NOTICES, "--dry-run"])
    assert "dry run: nothing was stored" in output
    assert '1105 001 board_up "Board-up of vacant structures at 1700 N CAROLINE ST"' in output
    assert "[39.309500, -76.597700] parcel 1105 001" in output
    assert db.session.scalar(select(func.count(Need.id))) == 0


def test_without_mapping_the_file_is_refused_with_what_to_say(app, app_context):
    result = app.test_cli_runner().invoke(
        args=["import-needs", str(REAL / "vacant_building_notices.csv")]
    )
    assert result.exit_code != 0
    assert "--column external_id=HEADER" in result.output


def test_a_mapped_column_missing_from_the_header_is_named(app, app_context):
    result = app.test_cli_runner().invoke(args=[*NOTICES, "--column", "title=Title"])
    assert result.exit_code != 0
    assert "no column 'Title' in the header" in result.output


def test_zip_codes_are_stored_with_their_leading_zero_and_without_a_float_tail(app, app_context):
    run(app, INVENTORY)
    needs = {n.external_id: n for n in db.session.scalars(select(Need))}
    assert needs["RA-0001"].zip_code == "70802"
    assert needs["RA-0004"].zip_code == "70802"  # written 70802.0


# -- import profiles --------------------------------------------------------------------------
def test_a_profile_file_says_once_how_to_read_a_source(app, app_context):
    notices = str(REAL / "vacant_building_notices.csv")
    profile = str(REAL / "vacant_notices_profile.toml")
    output = run(app, ["import-needs", notices, "--profile", profile])
    assert "created 6" in output and "source vacant" in output


def test_a_saved_profile_is_chosen_by_name_and_the_command_line_wins(app, app_context):
    run(app, [*NOTICES, "--dry-run", "--save-profile", "vacant_notices"])
    notices = str(REAL / "vacant_building_notices.csv")
    output = run(app, ["import-needs", notices, "--profile", "vacant_notices", "--source", "bmore"])
    assert "created 6" in output and "source bmore" in output


def test_an_unknown_profile_names_the_stored_ones(app, app_context):
    notices = str(REAL / "vacant_building_notices.csv")
    result = app.test_cli_runner().invoke(args=["import-needs", notices, "--profile", "nope"])
    assert result.exit_code != 0
    assert "No import profile 'nope' (stored: none)" in result.output


def test_different_parcels_under_30_m_apart_are_not_flagged_but_the_same_parcel_is(
    app, app_context, tmp_path
):
    run(app, INVENTORY)
    again = write(
        tmp_path,
        "again.csv",
        "Identifier,Property Address,Y,X,Property Type\n"
        "RA-0001,1201 N 38th St,30.46801,-91.16104,Vacant Lot\n",
    )
    args = ["import-needs", str(again), "--source", "inventory2", "--no-geocode",
            "--column", "external_id=Identifier", "--column", "parcel_id=Identifier",
            "--column", "address=Property Address", "--column", "category=Property Type",
            "--categories", str(REAL / "inventory_categories.json")]  # fmt: skip
    assert "probable duplicates 1" in run(app, args)
    assert "probable duplicates 0" in run(app, [*args[:3], "inventory3", *args[4:],
                                                "--duplicate-radius", "0"])  # fmt: skip


def test_duplicate_radius_m_0_turns_the_check_off_for_imports_and_geocoding(app, app_context):
    from intake.services import geocode_pending

    app.config["DUPLICATE_RADIUS_M"] = 0.0
    try:
        run(app, INVENTORY)
        again = write_copy_of_inventory_under(app, "inventory2")
        assert "probable duplicates 0" in again
        assert geocode_pending(SYSTEM).probable_duplicates == 0
    finally:
        app.config["DUPLICATE_RADIUS_M"] = 30.0


def write_copy_of_inventory_under(app, source: str) -> str:
    return run(app, [*INVENTORY[:3], source, *INVENTORY[4:]])
