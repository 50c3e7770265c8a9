"""`flask import-open311 URL` reads another GeoReport v2 endpoint into needs - tested against
our own endpoint, served for real on 127.0.0.1 in a thread (no other host is ever contacted)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from commonground.extensions import db
from needs.models import Need
from needs.services import claim_need, complete_need, start_need


@pytest.fixture
def served(app, app_context):
    """The application served over HTTP on a free local port; yields its Open311 base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    finally:
        server.shutdown()
        thread.join(timeout=10)


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
