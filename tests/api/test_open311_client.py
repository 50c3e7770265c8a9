"""`flask import-open311 URL` reads another GeoReport v2 endpoint into needs - tested against
our own endpoint, served for real on 127.0.0.1 in a thread (no other host is ever contacted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from commonground.extensions import db
from needs.models import Need
from needs.services import claim_need, complete_need, start_need
from tests import live


@pytest.fixture
def served(app, app_context):
    """The application served over HTTP on a free local port; yields its Open311 base URL."""
    with live.served(app) as base_url:
        yield f"{base_url}/open311/v2"


def mirrored() -> dict[str, Need]:
    rows = db.session.scalars(select(Need).where(Need.source == "mirror"))
    return {need.external_id: need for need in rows}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_from_an_open311_endpoint_become_needs(app, served, make, fmt):
    now = datetime.now(UTC)
    partner = make.partner()
    member = make.user("partner", partner=partner)
    originals = [
        make.need(capability="litter_cleanup", now=now - timedelta(days=d, hours=d))
        for d in range(6)
    ]
    claim_need(member.actor, originals[0].id)
    start_need(member.actor, originals[0].id)
    complete_need(member.actor, originals[0].id, {"volunteers": 3})
    originals = [(n.id, n.latitude, n.longitude) for n in originals]
    db.session.rollback()  # end this thread's transaction: SQLite transactions take the write lock
    runner = app.test_cli_runner()
    args = ["import-open311", served, "--source", "mirror", "--format", fmt,
            "--since", (now - timedelta(days=10)).strftime("%Y-%m-%d"), "--window-days", "2",
            "--page-limit", "2"]  # fmt: skip
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Read 6 service requests" in result.output
    db.session.expire_all()
    copies = mirrored()
    assert sorted(copies) == sorted(str(nid) for nid, _lat, _lon in originals)
    done = copies[str(originals[0][0])]
    assert done.status == "closed"  # completed there: closed in Open311 terms
    for nid, lat, lon in originals[1:]:
        copy = copies[str(nid)]
        assert copy.status == "open"
        assert (copy.latitude, copy.longitude) == (lat, lon)
        assert copy.capability_code == "litter_cleanup"
        assert copy.duplicate_of_id is not None  # the same spot and capability: linked
    db.session.rollback()
    again = runner.invoke(args=args)
    assert again.exit_code == 0, again.output
    # The endpoint now also lists the 6 copies (they are its needs too): those are new; the 6
    # requests read before are unchanged.
    assert "created 6, updated 0, unchanged 6" in again.output
    db.session.expire_all()
    assert len([c for c in mirrored() if int(c) in {nid for nid, _, _ in originals}]) == 6
    db.session.rollback()


def test_an_unreachable_endpoint_is_a_clear_error(app, app_context):
    result = app.test_cli_runner().invoke(
        args=["import-open311", "http://127.0.0.1:9/open311/v2", "--window-days", "90"]
    )
    assert result.exit_code != 0
    assert "127.0.0.1:9" in result.output


# -- two instances peer with more requests in one window than a GET returns (issue 12) -------
PEERED = 1_234


def add_many_requests(count: int, around: datetime) -> None:
    """`count` needs opened within one hour (one date window of the peer), written in bulk."""
    rows = [
        {
            "capability_code": "litter_cleanup",
            "title": f"Litter {n}",
            "description": "",
            "address": f"{n} Plank Rd",
            "latitude": 30.40 + (n % 100) / 1000,
            "longitude": -91.20 + (n // 100) / 1000,
            "zip_code": "70805",
            "source": "coordinator",
            "status": "open",
            "opened_at": around - timedelta(seconds=n),
            "created_at": around,
            "updated_at": around,
        }
        for n in range(count)
    ]
    db.session.execute(Need.__table__.insert(), rows)
    db.session.commit()


@pytest.fixture
def second_instance(tmp_path):
    """Another installation of the product: its own app and its own (SQLite) database."""
    from flask_migrate import upgrade

    from commonground.app import create_app
    from tests.conftest import add_starting_taxonomy

    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'peer.db'}",
            "SECRET_KEY": "peer-test-secret",
        }
    )
    with other.app_context():
        upgrade()
        add_starting_taxonomy()
        db.session.remove()
    return other


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_two_instances_peer_more_than_1000_requests_in_one_window_and_lose_none(
    app, served, second_instance, fmt
):
    now = datetime.now(UTC).replace(microsecond=0)
    add_many_requests(PEERED, now - timedelta(hours=1))
    expected = {str(nid) for nid in db.session.scalars(select(Need.id))}
    db.session.rollback()  # end this thread's transaction: SQLite transactions take the write lock
    args = ["import-open311", served, "--format", fmt, "--window-days", "1",
            "--since", (now - timedelta(days=1)).strftime("%Y-%m-%d")]  # fmt: skip
    with second_instance.app_context():  # its own context: the command must not run on ours
        result = second_instance.test_cli_runner().invoke(args=args)
        again = second_instance.test_cli_runner().invoke(args=args)
        copies = dict(db.session.execute(select(Need.external_id, Need.source)).all())
        zips = set(db.session.scalars(select(Need.zip_code)))
        db.session.remove()
    assert result.exit_code == 0, result.output
    assert f"Read {PEERED} service requests" in result.output
    assert "paged" in result.output
    assert f"created {PEERED}, updated 0" in result.output
    assert set(copies) == expected  # every one, each once
    assert set(copies.values()) == {"127_0_0_1"}  # the source names the peer
    assert db.session.scalar(select(func.count(Need.id))) == PEERED  # nothing written here
    assert zips == {"70805"}
    assert f"created 0, updated 0, unchanged {PEERED}" in again.output


def test_a_peer_s_bad_request_is_reported_with_its_service_request_id(app_context):
    from accounts.actor import SYSTEM
    from intake.options import ImportOptions
    from intake.services import import_rows
    from open311.client import requests_as_rows
    from open311.peers import OPEN311_FIELDS

    items = [
        {"service_request_id": "77", "service_code": "snow_clearing", "status": "open",
         "requested_datetime": "2026-11-20T10:00:00", "lat": 30.45, "long": -91.18},
        {"service_request_id": "78", "service_code": "litter_cleanup", "status": "closed",
         "requested_datetime": "2026-11-20T10:00:00", "updated_datetime": "2026-11-21T09:00:00",
         "lat": 30.45, "long": -91.18},
    ]  # fmt: skip
    options = ImportOptions(source="peer", preset="open311", timezone="America/New_York")
    report = import_rows(SYSTEM, requests_as_rows(items), OPEN311_FIELDS, options)
    (error,) = report.errors
    assert (error.external_id, error.field) == ("77", "category")
    closed = db.session.scalar(select(Need).where(Need.external_id == "78"))
    assert closed.opened_at == datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 10:00 in New York
    events = [e.note for e in closed.events]
    assert "2026-11-21" not in " ".join(events)  # updated_datetime is not when it closed
