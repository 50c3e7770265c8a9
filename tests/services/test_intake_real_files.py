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
