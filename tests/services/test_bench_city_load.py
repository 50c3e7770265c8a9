"""The city-scale bench loads its city through the product's own paths (issue 14, item 7):
partners through the registry, needs through the survey export's import, histories through the
lifecycle services in time order, so weekly capacity and the event log are the product's."""

from __future__ import annotations

from collections import Counter

import pytest
from flask import current_app
from sqlalchemy import select

from accounts.actor import SYSTEM
from accounts.models import User
from accounts.services import actor_for, create_user
from bench.cities import make_family
from bench.city_load import CODES, SOURCE, hood_centres, load_through_product
from commonground.db_types import utcnow
from commonground.extensions import db
from geo.services import add_neighbourhoods
from needs.calendar import week_start
from needs.models import Claim, Need, NeedEvent
from partners.models import Partner, PartnerCapability


@pytest.fixture
def loaded(app_context):
    """A small clustered city (300 needs x 30 partners) loaded through the product."""
    needs, partners, city_now = make_family("clustered_colocated", (300, 30), 3)
    now = utcnow()
    add_neighbourhoods(hood_centres(needs))  # as the bench does
    user = create_user(
        SYSTEM, email="coordinator@bench.test", name="Coordinator", role="coordinator"
    )
    report = load_through_product(
        actor_for(user), needs, partners, now=now, shift=now - city_now, seed=3
    )
    return needs, partners, report, user


def test_the_city_keeps_its_shape_and_every_need_came_in_through_the_import(loaded):
    needs, _, report, _ = loaded
    stored = db.session.execute(
        select(Need.external_id, Need.capability_code, Need.latitude, Need.longitude)
    ).all()
    spec = {f"BS-{n.id:06d}": n for n in needs}
    assert sorted(e for e, *_ in stored) == sorted(spec)
    for external_id, code, lat, lon in stored:
        n = spec[external_id]
        assert code == CODES[n.capability]
        assert abs(lat - n.lat) < 1e-6 and abs(lon - n.lon) < 1e-6  # 7 decimals in the file
    assert set(db.session.scalars(select(Need.source))) == {SOURCE}
    first = {}
    for need_id, action in db.session.execute(
        select(NeedEvent.need_id, NeedEvent.action).order_by(NeedEvent.at, NeedEvent.id)
    ):
        first.setdefault(need_id, action)
    assert set(first.values()) == {"import"} and len(first) == len(needs)
    # Rows of the export without optional fields: the import kept them, and named a quarter of
    # the needs' neighbourhoods from the nearest centre.
    assert db.session.scalar(select(db.func.count()).where(Need.address.is_(None))) > 0
    assert db.session.scalar(select(db.func.count()).where(Need.parcel_id.is_(None))) > 0
    assert db.session.scalar(select(db.func.count()).where(Need.neighbourhood.is_(None))) == 0
    assert report.counts["needs"] == len(needs) and report.counts["export files"] > 1
    assert report.seconds["needs import"] > 0 and report.seconds["partners"] > 0


def test_partners_come_from_the_registry_with_their_slots_and_status(loaded):
    _, partners, _, _ = loaded
    stored = {p.id: p for p in db.session.scalars(select(Partner))}
    assert {i: p.status for i, p in stored.items()} == {
        p.id: "active" if p.active else "paused" for p in partners
    }
    slots = {
        (c.partner_id, c.capability_code): c.tasks_per_week
        for c in db.session.scalars(select(PartnerCapability))
    }
    assert slots == {
        (p.id, CODES[code]): s.tasks_per_week
        for p in partners
        for code, s in p.capabilities.items()
    }


def test_histories_go_through_the_lifecycle_as_members_within_weekly_capacity(loaded):
    needs, _, report, coordinator = loaded
    claims = list(db.session.scalars(select(Claim)))
    assert 0.15 * len(needs) <= len(claims) <= 0.35 * len(needs)
    assert report.counts["claims refused"] == 0
    members = {u.id: u.partner_id for u in db.session.scalars(select(User))}
    assert all(members[c.claimed_by_id] == c.partner_id for c in claims)
    tz = current_app.config["CITY_TIMEZONE"]
    taken = Counter(
        (c.partner_id, c.capability_code, week_start(c.claimed_at, tz))
        for c in claims
        if c.status != "released"
    )
    slots = {
        (c.partner_id, c.capability_code): c.tasks_per_week
        for c in db.session.scalars(select(PartnerCapability))
    }
    assert all(n <= slots[p, code] for (p, code, _), n in taken.items())
    statuses = Counter(db.session.scalars(select(Need.status)))
    assert {"claimed", "in_progress", "completed", "verified"} <= set(statuses)
    verified = db.session.scalars(select(NeedEvent).where(NeedEvent.action == "verify")).all()
    assert verified and {e.actor_id for e in verified} == {coordinator.id}
    # Each step came after the one before it, and before now.
    now = utcnow()
    for claim in claims:
        steps = [claim.claimed_at, claim.started_at, claim.completed_at, claim.verified_at]
        known = [s for s in steps if s is not None]
        assert known == sorted(known) and known[-1] < now
